"""An enterprise's listings in the console: the pages load clean; the API's field errors show beside the
field with the input kept; an offer published through the form appears in a fitting want's matches;
pause, resume and withdraw change the status; a new enterprise key registers its enterprise."""

from __future__ import annotations

import re
import secrets

from tests.e2e.conftest import PARK, credit_code, eventually, steam_offer
from tests.e2e.console.conftest import sign_in

UUID = r"[0-9a-f-]{36}"


def _submit(page, form: str = "form.listing-form") -> None:
    with page.expect_navigation():
        page.locator(f"{form} button[type=submit]").click()


def _steam_offer_of(system, key: str) -> dict:
    api = system.client(key)
    enterprise_id = api.get("keys/me").json()["enterprise_id"]
    items = api.get("offers", params={"enterprise_id": enterprise_id, "kind": "heat", "status": "active"}).json()
    return next(i for i in items["items"] if i["heat"]["medium"] == "steam")


def _fill_steam_offer(page, title: str, temperature: str, pressure: str) -> None:
    page.fill("[name=title]", title)
    page.select_option("[name='heat.medium']", "steam")
    page.fill("[name='heat.temperature_c']", temperature)
    page.fill("[name='heat.pressure_mpa']", pressure)
    page.fill("[name='heat.thermal_power_mw']", "12")
    page.fill("[name='heat.hours_per_day']", "24")
    page.fill("[name='heat.days_per_year']", "330")
    page.fill("[name='max_distance_km']", "10")


def test_the_listing_pages_load_clean(page, system, demo, watch):
    steam = _steam_offer_of(system, demo["keys"]["power"])
    sign_in(page, system, demo["keys"]["power"])
    for path in [
        "/listings",
        "/listings/new?side=want",
        "/listings/enterprise",
        f"/listings/offer/{steam['id']}",
        f"/listings/offer/{steam['id']}/edit",
        *(
            f"/listings/new?side={side}&kind={kind}"
            for side in ("offer", "want")
            for kind in ("material", "heat", "water")
        ),
    ]:
        page.goto(system.url + path)
        assert page.locator("main h1").is_visible(), path
    page.goto(f"{system.url}/listings/offer/{steam['id']}/matches")
    rows = page.locator("table.matches-table tbody tr")
    assert rows.count() >= 1, "the demo steam offer has wants that fit"
    first = rows.first
    assert first.locator(".rank").inner_text() == "1"
    assert first.locator("ul.components li").count() == 3, "distance, quantity and temperature margin for heat"
    assert re.match(
        rf"^/exchanges/new\?offer_id={steam['id']}&want_id={UUID}$", first.locator("a.propose").get_attribute("href")
    )
    watch.assert_clean()


def test_a_steam_offer_below_saturation_shows_the_apis_message_beside_the_temperature(page, system, demo):
    sign_in(page, system, demo["keys"]["power"])
    page.goto(f"{system.url}/listings/new?side=offer&kind=heat")
    _fill_steam_offer(page, "控制台测试：过冷蒸汽", "150", "1.0")
    _submit(page)
    assert page.locator("#heat-temperature_c").get_attribute("aria-invalid") == "true"
    assert "saturation" in page.locator("#heat-temperature_c-error").inner_text()
    assert page.locator(".field.has-error").count() == 1, "only the temperature is at fault"
    assert page.input_value("#heat-temperature_c") == "150", "what was typed is kept"
    assert page.input_value("#heat-pressure_mpa") == "1.0"
    assert page.input_value("#title") == "控制台测试：过冷蒸汽"


def test_an_offer_published_through_the_form_appears_in_a_fitting_wants_matches(page, system, demo):
    title = f"控制台测试：抽汽 {secrets.token_hex(3)}"
    sign_in(page, system, demo["keys"]["power"])
    page.goto(f"{system.url}/listings/new?side=offer&kind=heat")
    _fill_steam_offer(page, title, "240", "1.6")
    _submit(page)
    offer_id = re.search(rf"/listings/offer/({UUID})$", page.url).group(1)
    assert page.locator("main h1").inner_text() == title
    assert page.locator(".flash").is_visible()

    receiver = demo["keys"]["chlor_alkali"]  # wants steam at 180 °C, 0.8 MPa, within 10 km
    api = system.client(receiver)
    mine = api.get("keys/me").json()["enterprise_id"]
    want = next(
        w
        for w in api.get("wants", params={"enterprise_id": mine, "kind": "heat"}).json()["items"]
        if w["heat"]["medium"] == "steam"
    )
    sign_in(page, system, receiver)
    row = page.locator(f"tr[data-match='{offer_id}']")

    def reload_matches():
        page.goto(f"{system.url}/listings/want/{want['id']}/matches")
        return row.count()

    eventually(reload_matches, lambda n: n == 1, "the new offer among the want's matches", timeout_s=60)
    supplier = system.client(demo["keys"]["power"])
    supplier_name = supplier.get(f"enterprises/{supplier.get('keys/me').json()['enterprise_id']}").json()["name"]
    assert title in row.inner_text() and supplier_name in row.inner_text()
    assert row.locator("a.propose").get_attribute("href") == f"/exchanges/new?offer_id={offer_id}&want_id={want['id']}"


def test_edit_pause_resume_and_withdraw_change_what_the_list_shows(page, system, admin, demo):
    page.on("dialog", lambda dialog: dialog.accept())  # the confirm() before withdrawing
    key = demo["keys"]["power"]
    offer = system.client(key).post("offers", steam_offer(title="控制台测试：待暂停的蒸汽")).json()
    sign_in(page, system, key)
    page.goto(f"{system.url}/listings/offer/{offer['id']}/edit")
    assert page.input_value("#heat-pressure_mpa") == "1.6"
    page.fill("#title", "控制台测试：改名后的蒸汽")
    _submit(page)
    assert page.locator("main h1").inner_text() == "控制台测试：改名后的蒸汽"

    page.goto(f"{system.url}/listings")
    row = page.locator(f"tr[data-listing='{offer['id']}']")
    assert row.locator(".badge.status-active").is_visible()
    with page.expect_navigation():
        row.locator("form[action$='/pause'] button").click()
    assert row.locator(".badge.status-paused").is_visible()
    assert page.locator(".flash").is_visible()
    with page.expect_navigation():
        row.locator("form[action$='/resume'] button").click()
    assert row.locator(".badge.status-active").is_visible()
    with page.expect_navigation():
        row.locator("form[action$='/withdraw'] button").click()
    assert row.count() == 0, "withdrawn listings are hidden from the list"
    assert system.client(key).get(f"offers/{offer['id']}").json()["status"] == "withdrawn"
    audited = admin.get("audit", params={"resource_id": offer["id"], "channel": "console"}).json()["items"]
    assert [(r["method"], r["path"].rsplit("/", 1)[-1], r["status"]) for r in reversed(audited)] == [
        ("PATCH", offer["id"], 200),
        ("POST", "pause", 200),
        ("POST", "resume", 200),
        ("POST", "withdraw", 200),
    ]


def test_a_new_enterprise_key_registers_its_enterprise_through_the_form(page, system, admin):
    # A park of its own: the demo park's roster is what other tests count.
    park_id = admin.post("parks", {**PARK, "name": "控制台注册测试园区"}).json()["id"]
    issued = admin.post("keys", {"role": "enterprise", "label": "控制台测试企业", "park_id": park_id}).json()
    sign_in(page, system, issued["key"])
    page.goto(f"{system.url}/listings")
    name = f"控制台测试化工有限公司 {secrets.token_hex(3)}"
    page.fill("#name", name)
    page.fill("#credit_code", "91320703MA0000000X")
    page.fill("#industry_code", "C2614")
    page.fill("#location-lat", "34.58")
    page.fill("#location-lon", "119.60")
    page.fill("#contact-name", "王工")
    _submit(page)
    assert page.locator("#credit_code").get_attribute("aria-invalid") == "true", "a wrong check character"
    assert page.input_value("#name") == name

    page.fill("#credit_code", credit_code(900000 + secrets.randbelow(99999)))
    _submit(page)
    assert page.url.endswith("/listings")
    assert name in page.locator(".enterprise-line").inner_text()
    assert page.locator("a[href*='/listings/new?side=offer']").is_visible()
    me = system.client(issued["key"]).get("keys/me").json()
    assert me["enterprise_id"], "the key is now bound to the enterprise it registered"
    assert system.client(issued["key"]).get(f"enterprises/{me['enterprise_id']}").json()["contact"] == {"name": "王工"}
