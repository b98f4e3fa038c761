"""Webhook subscriptions in the console: the signing secret is shown once (not on reload), a rotation
shows a new one, and the delivery log lists each attempt and redelivers."""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import Receiver, eventually
from tests.e2e.console.conftest import sign_in

STEAM_WANT = {
    "kind": "heat",
    "title": "控制台测试：告警用蒸汽需求",
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


@pytest.fixture
def receiver():
    endpoint = Receiver()
    yield endpoint
    endpoint.close()


def _submit(page, selector: str) -> None:
    with page.expect_navigation():
        page.locator(selector).first.click()


def test_a_subscription_shows_its_secret_once_rotates_and_logs_its_deliveries(page, system, demo, watch, receiver):
    page.on("dialog", lambda dialog: dialog.accept())  # the confirm() before a rotation
    key = demo["keys"]["fine_chem"]
    sign_in(page, system, key)
    page.goto(f"{system.url}/webhooks")
    page.locator("main a[href$='/webhooks/new']").click()
    page.fill("#url", receiver.url)
    page.fill("#min_score", "0.1")
    _submit(page, "main form button[type=submit]")

    secret = page.locator("#webhook-secret").inner_text().strip()
    assert re.fullmatch(r"whsec_[A-Za-z0-9+/=]+", secret), secret
    assert page.locator("button[data-copy=webhook-secret]").is_visible()
    secret_page = page.url
    page.reload()
    assert page.locator("#webhook-secret").count() == 0 and page.locator("#secret-gone").is_visible()
    assert secret not in page.content(), "the secret is never shown again"

    page.goto(f"{system.url}/webhooks")
    row = page.locator("tr[data-subscription]", has_text=receiver.url)
    assert row.count() == 1 and "0.1" in row.inner_text()
    _submit(page, "tr[data-subscription] form[action$='/rotate'] button")
    assert page.url == secret_page
    rotated = page.locator("#webhook-secret").inner_text().strip()
    assert rotated.startswith("whsec_") and rotated != secret

    # A new want of this enterprise gains matches (the demo's steam offers): one alert reaches the receiver.
    system.client(key).post("wants", STEAM_WANT)
    eventually(lambda: len(receiver.received), lambda n: n >= 1, "a match.found alert at the receiver")
    subscription_id = re.search(r"/webhooks/([^/]+)/secret$", secret_page).group(1)
    page.goto(f"{system.url}/webhooks")
    page.locator(f"tr[data-subscription='{subscription_id}'] a[href$='/webhooks/{subscription_id}']").click()
    page.wait_for_load_state("load")

    def logged():
        page.reload()
        return page.locator("tr[data-delivery]").first.inner_text() if page.locator("tr[data-delivery]").count() else ""

    first = eventually(logged, lambda text: "HTTP 204" in text, "a delivered attempt in the delivery log")
    assert "match.found" in first
    before = len(receiver.received)
    _submit(page, "tr[data-delivery] form[action$='/redeliver'] button")
    assert page.locator(".flash").is_visible()
    eventually(lambda: len(receiver.received), lambda n: n > before, "the redelivered alert at the receiver")
    eventually(
        lambda: (page.reload(), page.locator("tr[data-delivery]").first.inner_text().count("HTTP 204"))[1],
        lambda count: count >= 2,
        "the second attempt in the delivery log",
    )
    watch.assert_clean()
