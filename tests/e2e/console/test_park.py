"""The park manager's pages, as a park manager sees them: the overview's numbers are the report API's, the
Sankey has one link per supplier → receiver pair of the year's ledger, the map draws every enterprise, the annual
report prints, and no one sees another park's figures."""

from __future__ import annotations

import re
from collections import defaultdict

import pytest

from gateway.console.formatting import human_number
from gateway.console.views.park import this_year
from tests.e2e.console.conftest import sign_in

from ..conftest import PARK, complete_steam_exchange, eventually, new_enterprise, steam_offer

PAGES = ("/park/overview", "/park/flows", "/park/map", "/park/report")
# A selector, waited for until nothing matches: a JavaScript predicate would be evaluated with eval(),
# which the console's CSP refuses.
UNDRAWN = "[data-chart]:not([data-ready])"


def all_items(api, path: str, **params) -> list[dict]:
    items, page = [], 1
    while True:
        answer = api.get(path, params={**params, "page": page, "page_size": 200})
        assert answer.status_code == 200, answer.text
        body = answer.json()
        items += body["items"]
        if len(items) >= body["total"] or not body["items"]:
            return items
        page += 1


def ledger_pairs(api, year: int) -> dict[tuple[str, str, str], float]:
    """What the ledger says moved in `year`, per (supplier, receiver, unit): entries no correction reversed,
    the latest entry of each exchange."""
    entries = [item["entry"] for item in all_items(api, "ledger/entries", year=year)]
    reversed_ = {e["corrects"] for e in entries if e["type"] == "Correction"}
    latest = {}
    for e in sorted(entries, key=lambda e: e["index"]):
        if e["type"] == "ExchangeCompleted" and e["index"] not in reversed_:
            latest[e["exchange"]["exchange_id"]] = e
    pairs: dict[tuple[str, str, str], float] = defaultdict(float)
    for e in latest.values():
        x = e["exchange"]
        for d in x["deliveries"]:
            pairs[(x["supplier"]["enterprise_id"], x["receiver"]["enterprise_id"], d["unit"])] += float(d["amount"])
    return dict(pairs)


def open_drawn(page, url: str) -> None:
    page.goto(url)
    page.wait_for_load_state("load")
    page.wait_for_selector(UNDRAWN, state="detached")


@pytest.mark.parametrize("path", PAGES)
def test_each_park_page_loads_clean(path, page, system, demo, watch):
    sign_in(page, system, demo["keys"]["park_manager"])
    open_drawn(page, system.url + path)
    assert page.locator("main h1").first.is_visible()
    assert not page.locator("#park-select").count(), "a park manager has no park selector"
    watch.assert_clean()


def test_the_overviews_numbers_are_the_report_apis_and_unknowns_say_why(page, system, demo):
    year = this_year()
    report = system.client(demo["keys"]["park_manager"]).get(f"parks/{demo['park_id']}/reports/{year}").json()
    sign_in(page, system, demo["keys"]["park_manager"])
    open_drawn(page, f"{system.url}/park/overview?year={year}")
    shown = 0
    for section in ("indicators", "rates"):
        for key, item in report[section].items():
            card = page.locator(f"[data-indicator='{key}']")
            if item["value"] is None:
                assert card.locator(".metric-value.unknown").inner_text() == "未知", key
                assert card.locator(".why").inner_text().strip(), f"{key}: unknown without a reason"
            else:
                assert card.locator("[data-value]").inner_text() == human_number(item["value"], "zh_CN"), key
                if not item["complete"]:
                    assert "未计入" in card.locator(".metric-note.partial").inner_text(), key
            shown += 1
    assert shown == 9
    air = page.locator("[data-indicator='air_pollutants_reduced_t']")
    assert air.locator(".metric-value").inner_text() == "未知"
    assert "未登记排放因子" in air.inner_text()


def test_the_sankey_has_one_link_per_supplier_receiver_pair_of_the_years_ledger(page, system, demo):
    year = this_year()
    pairs = ledger_pairs(system.client(demo["keys"]["park_manager"]), year)
    assert pairs, "the demo park has completed exchanges this year"
    sign_in(page, system, demo["keys"]["park_manager"])
    open_drawn(page, f"{system.url}/park/flows?year={year}")
    charts = page.locator("[data-sankey]")
    per_unit = defaultdict(int)
    for _supplier, _receiver, unit in pairs:
        per_unit[unit] += 1
    assert charts.count() == len(per_unit), "one diagram per unit"
    for i in range(charts.count()):
        chart = charts.nth(i)
        unit = chart.get_attribute("data-unit")
        assert int(chart.get_attribute("data-link-count")) == per_unit[unit], unit
        assert int(chart.get_attribute("data-drawn-links")) == per_unit[unit], f"{unit}: links ECharts drew"
    assert page.locator(".flow-table tbody tr").count() == len(pairs)


def test_corrections_are_not_counted_twice_and_mutual_suppliers_keep_every_link(page, system, admin, watch):
    """A park of its own: A supplies B twice (one entry then reversed by a correction), B supplies A once."""
    park_id = admin.post("parks", {**PARK, "name": "流向测试园区"}).json()["id"]
    a = new_enterprise(system, admin, park_id, "甲热电")
    b = new_enterprise(system, admin, park_id, "乙化工")
    manager_key = admin.post("keys", {"role": "park_manager", "label": "flows test", "park_id": park_id}).json()["key"]
    manager = system.client(manager_key)
    offer_a = a.api.post("offers", steam_offer()).json()["id"]
    offer_b = b.api.post("offers", steam_offer()).json()["id"]
    complete_steam_exchange(a, b, "100", offer_id=offer_a, receiver_enterprise_id=b.enterprise_id)
    complete_steam_exchange(a, b, "40", offer_id=offer_a, receiver_enterprise_id=b.enterprise_id)
    complete_steam_exchange(b, a, "10", offer_id=offer_b, receiver_enterprise_id=a.enterprise_id)
    entries = eventually(
        lambda: all_items(manager, "ledger/entries"),
        lambda items: len(items) == 3,
        "three ledger entries of the test park",
    )
    first = next(i["entry"]["index"] for i in entries if i["entry"]["exchange"]["deliveries"][0]["amount"] == "100")
    assert admin.post("ledger/corrections", {"corrects": first, "reason": "recorded twice"}).status_code == 201
    eventually(lambda: all_items(manager, "ledger/entries"), lambda items: len(items) == 4, "the correction")
    year = this_year()
    assert ledger_pairs(manager, year) == {
        (a.enterprise_id, b.enterprise_id, "GJ"): 40.0,
        (b.enterprise_id, a.enterprise_id, "GJ"): 10.0,
    }

    sign_in(page, system, manager_key)
    open_drawn(page, f"{system.url}/park/flows?year={year}")
    chart = page.locator("[data-sankey]")
    assert chart.count() == 1
    assert chart.get_attribute("data-link-count") == "2" and chart.get_attribute("data-drawn-links") == "2"
    rows = {
        tuple(r.locator("td").all_inner_texts()[:2]): r.locator("td").nth(3).inner_text()
        for r in page.locator(".flow-table tbody tr").all()
    }
    assert rows == {("甲热电", "乙化工"): "40 GJ", ("乙化工", "甲热电"): "10 GJ"}, "the reversed 100 GJ is left out"
    report = eventually(
        lambda: manager.get(f"parks/{park_id}/reports/{year}"),
        lambda r: r.status_code == 200,
        "the ledger to know the test park",
    ).json()
    open_drawn(page, f"{system.url}/park/overview?year={year}")
    energy = report["indicators"]["energy_saved_tce"]["value"]
    assert page.locator("[data-indicator='energy_saved_tce'] [data-value]").inner_text() == human_number(
        energy, "zh_CN"
    )
    watch.assert_clean()


def test_the_map_draws_one_marker_per_enterprise_with_coordinates(page, system, demo, watch):
    enterprises = all_items(system.client(demo["keys"]["park_manager"]), "enterprises", park_id=demo["park_id"])
    located = [e for e in enterprises if e.get("location", {}).get("lat") is not None]
    assert located
    sign_in(page, system, demo["keys"]["park_manager"])
    open_drawn(page, f"{system.url}/park/map")
    assert page.locator("path.enterprise-marker").count() == len(located)
    assert int(page.locator("#park-map").get_attribute("data-flow-lines")) >= 1
    page.wait_for_selector("#park-map[data-listings-ready]")
    manager = system.client(demo["keys"]["park_manager"])
    open_listings = sum(
        len(all_items(manager, side, park_id=demo["park_id"], status="active")) for side in ("offers", "wants")
    )
    assert int(page.locator("#park-map").get_attribute("data-listing-markers")) == open_listings
    assert page.locator(".map-legend").is_visible()
    assert not page.locator("img.leaflet-tile").count(), "no tile server unless one is configured"
    watch.assert_clean()


def test_the_annual_report_shows_every_indicator_prints_and_downloads(page, system, demo):
    year = this_year()
    manager = system.client(demo["keys"]["park_manager"])
    report = manager.get(f"parks/{demo['park_id']}/reports/{year}").json()
    sign_in(page, system, demo["keys"]["park_manager"])
    open_drawn(page, f"{system.url}/park/report?year={year}")
    assert page.locator(".report-sheet h1").inner_text() == "园区循环化改造年度成效报告"
    for section in ("indicators", "rates"):
        for key, item in report[section].items():
            row = page.locator(f"tr[data-indicator='{key}']")
            if item["value"] is None:
                assert row.locator("td.unknown").inner_text() == "未知", key
            else:
                assert row.locator("[data-value]").inner_text() == human_number(item["value"], "zh_CN"), key
    assert page.locator("tr[data-entry]").count() == report["entries"]["included"]
    checkpoint = manager.get("ledger/checkpoint").text.splitlines()
    assert page.locator("[data-checkpoint-size]").inner_text() == checkpoint[1]
    assert page.locator("[data-checkpoint-root]").inner_text() == checkpoint[2]
    assert page.locator("[data-print]").is_visible()

    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) >= 1

    for fmt, kind in (("csv", "text/csv"), ("json", "application/json")):
        download = page.request.get(f"{system.url}/park/report/download.{fmt}?year={year}")
        assert download.status == 200 and download.headers["content-type"].startswith(kind)
        assert (
            download.headers["content-disposition"]
            == f'attachment; filename="parkloop-report-{demo["park_id"]}-{year}.{fmt}"'
        )
        api_answer = manager.get(f"parks/{demo['park_id']}/reports/{year}", params={"format": fmt})
        if fmt == "csv":
            assert download.text() == api_answer.text
        else:
            assert download.json() == api_answer.json()


def test_an_admin_switches_parks_and_another_parks_manager_never_sees_this_one(page, system, admin, demo, world):
    year = this_year()
    sign_in(page, system, system.admin_key)
    open_drawn(page, f"{system.url}/park/overview?park={demo['park_id']}&year={year}")
    demo_name = admin.get(f"parks/{demo['park_id']}").json()["name"]
    assert page.locator(".park-name").inner_text() == demo_name
    page.select_option("#park-select", world.park_b)
    page.wait_for_url(re.compile(f"park={world.park_b}"))
    assert page.locator(".park-name").inner_text() == "Park B"

    page.context.clear_cookies()
    sign_in(page, system, world.manager_b.key)
    open_drawn(page, f"{system.url}/park/overview?park={demo['park_id']}&year={year}")
    assert page.locator(".park-name").inner_text() == "Park B", "?park= is for admins only"
    assert demo_name not in page.inner_text("main")
    demo_energy = admin.get(f"parks/{demo['park_id']}/reports/{year}").json()["indicators"]["energy_saved_tce"]
    assert page.locator("[data-indicator='energy_saved_tce'] [data-value]").inner_text() != human_number(
        demo_energy["value"], "zh_CN"
    )
    download = page.request.get(f"{system.url}/park/report/download.json?park={demo['park_id']}&year={year}")
    assert download.json()["park_id"] == world.park_b
    for path in ("/park/flows", "/park/map", "/park/report"):
        open_drawn(page, f"{system.url}{path}?park={demo['park_id']}&year={year}")
        assert demo_name not in page.inner_text("main"), path
