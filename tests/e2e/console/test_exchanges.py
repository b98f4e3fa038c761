"""Exchanges in the console: one carried through the browser from proposal to completion becomes a
ledger entry; the park manager's pipeline counts them and offers no action."""

from __future__ import annotations

import re
from datetime import date

from tests.e2e.conftest import eventually, steam_offer
from tests.e2e.console.conftest import sign_in

STEAM_WANT = {
    "kind": "heat",
    "title": "控制台测试：蒸发用蒸汽",
    "max_distance_km": 15,
    "heat": {
        "medium": "steam",
        "temperature_c": 180,
        "pressure_mpa": 0.8,
        "thermal_power_mw": 10,
        "hours_per_day": 24,
        "days_per_year": 330,
    },
}


def _as(page, system, key: str, path: str) -> None:
    sign_in(page, system, key)
    page.goto(system.url + path)


def _submit(page, form_selector: str) -> None:
    with page.expect_navigation():
        page.locator(f"{form_selector} button[type=submit]").first.click()


def test_an_exchange_carried_through_the_console_becomes_a_ledger_entry(page, system, admin, demo, watch):
    page.on("dialog", lambda dialog: dialog.accept())  # the confirm() before completing
    supplier, receiver = demo["keys"]["power"], demo["keys"]["chlor_alkali"]
    offer = system.client(supplier).post("offers", steam_offer(title="控制台测试：中压蒸汽")).json()
    want = system.client(receiver).post("wants", STEAM_WANT).json()

    # The supplier proposes from the offer and the want, as the match's "propose" button opens it.
    _as(page, system, supplier, f"/exchanges/new?offer_id={offer['id']}&want_id={want['id']}")
    assert page.locator("#offer_id-heading + .xc-listing-title").inner_text().startswith(offer["title"])
    assert want["title"] in page.locator(".xc-pair").inner_text()
    page.fill("#agreed_amount", "-5")
    _submit(page, "form.xc-propose")
    assert page.locator("#agreed_amount").get_attribute("aria-invalid") == "true"
    assert page.locator("#agreed_amount-error").is_visible(), "the API's message shows beside the field"
    # That refusal is the one 4xx of this walk (the page answers 422 with the form).
    assert watch.failed == [f"{system.url}/exchanges/new: HTTP 422"], watch.failed
    assert all("422" in error for error in watch.console_errors), watch.console_errors
    watch.failed.clear()
    watch.console_errors.clear()
    page.fill("#agreed_amount", "500")
    page.select_option("#agreed_unit", "GJ")
    _submit(page, "form.xc-propose")
    exchange_id = re.search(r"/exchanges/([0-9a-f-]{36})$", page.url).group(1)
    assert page.locator(".flash").is_visible()
    assert page.locator(".xc-badges .status-proposed").is_visible()

    # The receiver accepts.
    _as(page, system, receiver, f"/exchanges/{exchange_id}")
    _submit(page, f"form[action$='/{exchange_id}/accept']")
    assert page.locator(".xc-badges .status-accepted").is_visible()

    # The supplier records a delivery by meter, replacing a natural-gas boiler.
    _as(page, system, supplier, f"/exchanges/{exchange_id}")
    assert page.input_value("#delivered_on") == date.today().isoformat()
    assert page.input_value("#amount") == "500", "what is left to deliver is offered"
    page.fill("#evidence-meter_reading", "FT-301 0000500 GJ")
    page.select_option("#substitution-fuel", "natural_gas")
    page.fill("#substitution-boiler_efficiency", "0.9")
    _submit(page, "form.xc-delivery-form")
    assert page.locator(".xc-badges .status-delivering").is_visible()
    row = page.locator("table.xc-deliveries tbody tr")
    assert row.count() == 1 and "FT-301 0000500 GJ" in row.inner_text()

    # The receiver completes (after the confirm dialog).
    _as(page, system, receiver, f"/exchanges/{exchange_id}")
    _submit(page, f"form[action$='/{exchange_id}/complete']")
    assert page.locator(".xc-badges .status-completed").is_visible()
    assert page.locator("form[action*='/exchanges/']").count() == 0, "nothing more to do on a completed exchange"
    watch.assert_clean()

    def entry():
        items = admin.get(
            "ledger/entries", params={"enterprise_id": offer["enterprise_id"], "kind": "heat", "page_size": 200}
        ).json()["items"]
        return next((i for i in items if i["entry"]["exchange"]["exchange_id"] == exchange_id), None)

    found = eventually(entry, lambda item: item is not None, f"the ledger entry of exchange {exchange_id}")
    assert found["entry"]["exchange"]["exchange_id"] == exchange_id


def test_a_park_manager_sees_the_pipeline_with_its_counts_and_no_actions(page, system, demo, watch):
    manager = system.client(demo["keys"]["park_manager"])
    exchanges = manager.get("exchanges", params={"page_size": 200}).json()["items"]
    expected = {"proposed": 0, "accepted": 0, "delivering": 0, "completed": 0, "closed": 0}
    for e in exchanges:
        expected["closed" if e["status"] in ("declined", "cancelled") else e["status"]] += 1

    _as(page, system, demo["keys"]["park_manager"], "/exchanges")
    shown = {state: int(page.locator(f".xc-summary [data-count-for={state}]").inner_text()) for state in expected}
    assert shown == expected
    assert int(page.locator(".xc-summary [data-count-for=all]").inner_text()) == len(exchanges)
    for state, count in expected.items():
        assert page.locator(f".xc-column[data-state={state}] .xc-column-count").inner_text() == str(count)
    assert page.locator(".xc-column[data-state=completed] .xc-card").count() == min(expected["completed"], 12)
    assert page.locator("main form[method=post]").count() == 0, "a park manager only reads"

    page.select_option("select[name=state]", "completed")  # the filter submits itself
    page.wait_for_url(re.compile(r"state=completed"))
    assert page.locator(".xc-list[data-state=completed]").is_visible()

    page.locator(".xc-card a.xc-parties").first.click()
    page.wait_for_load_state("load")
    assert page.locator(".xc-deliveries tbody tr").count() >= 1
    assert page.locator("main form[method=post]").count() == 0
    watch.assert_clean()
