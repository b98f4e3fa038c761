"""The park planner in the browser, as the demo park's manager and one of its enterprises use it: ask for a
plan, read its gains beside the ledger's figures, see both Sankeys drawn, suggest a pairing, and find the
suggestion beside the listing's matches."""

from __future__ import annotations

from tests.e2e.console.conftest import sign_in

UNDRAWN = "[data-chart]:not([data-ready])"


def test_a_manager_asks_for_a_plan_and_suggests_a_pairing_the_enterprise_then_sees(page, system, demo, watch):
    sign_in(page, system, demo["keys"]["park_manager"])
    page.goto(f"{system.url}/park/plans")
    page.select_option("#objective", "co2_then_waste")
    with page.expect_navigation():
        page.locator("#request-plan button[type=submit]").click()
    page.wait_for_selector(UNDRAWN, state="detached")
    assert "/park/plans/" in page.url

    comparison = page.locator("table.comparison tbody tr")
    assert comparison.count() == 6  # the six indicators, plan beside greedy beside the ledger
    assert page.locator(".plan-sankeys [data-sankey][data-ready]").count() >= 2  # planned and actual drawn
    pairings = page.locator("#pairings tbody tr")
    assert pairings.count() > 0
    first = pairings.first
    supplier = first.locator("td").nth(1).inner_text().splitlines()[0]
    with page.expect_navigation():
        first.locator("form button").click()
    assert page.locator("#pairings tbody tr").first.locator(".badge.status-accepted").count() == 1
    unpaired = page.locator("table").last.locator("tbody tr")
    assert all(row.locator("td").nth(3).inner_text().strip() for row in unpaired.all())  # every one has its reason
    watch.assert_clean()

    suggested = page.context.request.get(f"{system.url}/console/api/v1/plan-suggestions").json()["items"][0]
    page.context.clear_cookies()
    for name, key in demo["keys"].items():
        if name == "park_manager":
            continue
        me = page.context.request.get(f"{system.url}/api/v1/keys/me", headers={"Authorization": f"Bearer {key}"}).json()
        if me.get("enterprise_id") == suggested["offer"]["enterprise_id"]:
            sign_in(page, system, key)
            page.goto(f"{system.url}/listings/offer/{suggested['offer']['id']}/matches")
            page.wait_for_load_state("load")
            section = page.locator(".plan-suggestions")
            assert section.count() == 1
            assert suggested["want"]["title"] in section.inner_text()
            return
    raise AssertionError(f"no demo key for the supplier {supplier}")
