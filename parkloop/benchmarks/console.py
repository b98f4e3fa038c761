"""`parkloop bench console`: how long a park manager waits for the console's main pages and for
the in-browser ledger verification, on the demo park and on a large generated park. The map's
open listings load onto the map after it is usable; `park-map_with_listings` times that too.

Times are from navigation until the page is usable (loaded, every chart and map drawn), in a
real Chromium driven by Playwright. The baseline, measured side by side in the same run, is the
sign-in page, which draws nothing and calls no service.
"""

from __future__ import annotations

import os
import secrets
import statistics
import tempfile
import time
from pathlib import Path

import requests

from parkloop.console_tour import TOUR, VIEWPORT, launch, sign_in, visit, wait_usable

from .common import environment, free_port_block

PAGES = ("park-overview", "park-flows", "park-map", "ledger")
VISITS = 5
VERIFY_BUTTON = "#verify-button:not([disabled])"  # enabled once the verifier module has loaded
VERDICT = "#verify-verdict[data-result]"  # data-result is set once every step has run: "ok" or "fail"
GOALS_S = {"demo": 1.5, "large": 3.0}


def _median_ms(samples_s: list[float]) -> dict:
    ms = sorted(s * 1000 for s in samples_s)
    return {"p50_ms": round(statistics.median(ms), 1), "max_ms": round(ms[-1], 1), "visits": len(ms)}


def _verify_once(page, url: str, index: int) -> float:
    page.goto(f"{url}/ledger/{index}")
    wait_usable(page)
    started = time.perf_counter()
    page.locator(VERIFY_BUTTON).click()
    page.wait_for_selector(VERDICT, timeout=60_000)
    elapsed = time.perf_counter() - started
    verdict = page.get_attribute(VERDICT, "data-result")
    if verdict != "ok":
        raise RuntimeError(f"in-browser verification of entry {index} failed: {page.inner_text(VERDICT)[:300]}")
    return elapsed


def measure(browser, url: str, key: str, last_index: int) -> dict:
    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN")
    page = context.new_page()
    baseline = []
    for _ in range(VISITS):
        started = time.perf_counter()
        page.goto(f"{url}/login")
        wait_usable(page)
        baseline.append(time.perf_counter() - started)
    sign_in(page, url, key)
    stops = {stop.name: stop for stop in TOUR}
    figures = {"sign_in_page_baseline": _median_ms(baseline)}
    for name in PAGES:
        figures[name] = _median_ms([visit(page, url, stops[name], complete=False) for _ in range(VISITS)])
        figures[name]["ratio_to_baseline"] = round(
            figures[name]["p50_ms"] / figures["sign_in_page_baseline"]["p50_ms"], 1
        )
    # The map is usable once enterprises and flows are drawn; its open listings then load onto it.
    figures["park-map_with_listings"] = _median_ms([visit(page, url, stops["park-map"]) for _ in range(VISITS)])
    figures["verify_in_browser"] = _median_ms([_verify_once(page, url, last_index) for _ in range(VISITS)])
    context.close()
    return figures


def _ledger_size(url: str, key: str) -> int:
    answer = requests.get(f"{url}/api/v1/ledger/checkpoint", headers={"Authorization": f"Bearer {key}"}, timeout=30)
    return int(answer.text.splitlines()[1]) if answer.status_code == 200 else 0


def _wait_for_ledger(url: str, key: str, size: int, timeout_s: float = 1800) -> None:
    deadline = time.monotonic() + timeout_s
    while _ledger_size(url, key) < size:
        if time.monotonic() > deadline:
            raise RuntimeError(f"the ledger did not reach {size} entries in {timeout_s:.0f} s")
        time.sleep(1)


def run(scale: int | None) -> dict:
    from playwright.sync_api import sync_playwright

    from parkloop.demo import load_demo
    from parkloop.large_park import build
    from parkloop.supervisor import Supervisor

    exchanges = scale or 5000
    enterprises = max(10, exchanges * 2 // 5)
    with tempfile.TemporaryDirectory() as data, sync_playwright() as playwright:
        admin_key = "plk_" + secrets.token_urlsafe(24)
        os.environ.update(PARKLOOP_DATA=data, PARKLOOP_ADMIN_KEY=admin_key, PARKLOOP_DEMO="0")
        port = free_port_block()
        url = f"http://127.0.0.1:{port}"
        supervisor = Supervisor(port)
        supervisor.start()
        browser = launch(playwright)
        try:
            supervisor.wait_ready()
            load_demo(url, Path(data), admin_key)
            demo_key = __import__("json").loads((Path(data) / "demo-keys.json").read_text())["keys"]["park_manager"]
            _wait_for_ledger(url, admin_key, 5)
            demo = measure(browser, url, demo_key, last_index=4)
            started = time.perf_counter()
            large = build(url, admin_key, enterprises=enterprises, exchanges=exchanges)
            _wait_for_ledger(url, admin_key, 5 + exchanges)
            load_s = time.perf_counter() - started
            big = measure(browser, url, large.manager_key, last_index=4 + exchanges)
        finally:
            browser.close()
            supervisor.stop()
    worst = {
        name: max(figures[p]["p50_ms"] for p in PAGES) / 1000 for name, figures in (("demo", demo), ("large", big))
    }
    return {
        "benchmark": "console",
        "scale": {
            "demo": {"enterprises": 12, "listings": 21, "ledger_entries": 5},
            "large": {
                "enterprises": enterprises,
                "listings": 2 * exchanges,
                "ledger_entries": exchanges,
                "generated_in_s": round(load_s, 1),
            },
        },
        "demo_park": demo,
        "large_park": big,
        "goals_s": GOALS_S,
        "slowest_page_p50_s": worst,
        "meets_goals": {name: worst[name] <= GOALS_S[name] for name in GOALS_S},
        **environment("playwright"),
    }
