"""A walk through every console page, as the role that uses it.

One list serves three purposes: the browser tests (every page loads clean and passes an
accessibility scan), the screenshots in docs/screenshots/ (`parkloop screenshots`) and the
console benchmark (`parkloop bench console`). Playwright is a test dependency: import it
only where a browser is driven.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

CHROMIUM = os.environ.get("PARKLOOP_CHROMIUM", "/usr/bin/chromium")
VIEWPORT = {"width": 1440, "height": 900}
# Page scripts set data-ready on their chart or map container once it has drawn; the map then loads the
# park's open listings onto itself and sets data-listings-ready.
UNREADY = "[data-chart]:not([data-ready])"
STILL_LOADING = "[data-loads-listings]:not([data-listings-ready])"


@dataclass(frozen=True)
class Stop:
    name: str
    role: (
        str | None
    )  # the demo key that opens it: park_manager, enterprise (the power plant), province, admin; None: anyone
    path: str  # where to go, or where the link to follow is
    follow: str | None = None  # a CSS selector of the first link to follow from `path`
    submit: str | None = None  # a CSS selector of a button to press on `path` (its answer is the page)


TOUR = [
    Stop("login", None, "/login"),
    Stop("park-overview", "park_manager", "/park/overview"),
    Stop("park-flows", "park_manager", "/park/flows"),
    Stop("park-map", "park_manager", "/park/map"),
    Stop("park-plans", "park_manager", "/park/plans"),
    Stop("park-plan", "park_manager", "/park/plans", submit="#request-plan button[type=submit]"),
    Stop("ledger", "park_manager", "/ledger"),
    Stop("ledger-entry", "park_manager", "/ledger/2"),
    Stop("park-report", "park_manager", "/park/report"),
    Stop("park-targets", "park_manager", "/park/targets"),
    Stop("park-submission", "park_manager", "/park/submission"),
    Stop("park-exchanges", "park_manager", "/exchanges"),
    Stop("park-audit", "park_manager", "/audit"),
    Stop("listings", "enterprise", "/listings"),
    Stop("listing-new", "enterprise", "/listings/new?side=offer&kind=heat"),
    Stop("listing-matches", "enterprise", "/listings", "a[href*='/matches']"),
    Stop("exchanges", "enterprise", "/exchanges"),
    Stop("exchange", "enterprise", "/exchanges", "main a[href*='/exchanges/']:not([href*='new'])"),
    Stop("webhooks", "enterprise", "/webhooks"),
    Stop("admin-parks", "admin", "/admin/parks"),
    Stop("admin-park", "admin", "/admin/parks", "main table a[href*='/admin/parks/']"),
    Stop("admin-enterprises", "admin", "/admin/enterprises"),
    Stop("admin-keys", "admin", "/admin/keys"),
    Stop("admin-audit", "admin", "/audit?outcome=failed"),
    Stop("province", "province", "/province"),
    Stop("province-period", "province", "/province/period"),
]


def demo_keys(data_dir: Path, admin_key: str) -> dict[str, str]:
    keys = json.loads((data_dir / "demo-keys.json").read_text())["keys"]
    return {
        "park_manager": keys["park_manager"],
        "enterprise": keys["power"],
        "province": keys["province"],
        "admin": admin_key,
    }


def sign_in(page, url: str, key: str) -> None:
    page.goto(f"{url}/login")
    page.fill("#api_key", key)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state("load")
    if "/login" in page.url:
        raise RuntimeError(f"could not sign in: {page.inner_text('main')[:200]}")


def wait_usable(page, timeout_ms: float = 30_000) -> None:
    """Loaded, and every chart or map on the page drawn."""
    page.wait_for_load_state("load")
    # Waited for as selectors that stop matching: a JavaScript predicate would need eval(), which the CSP refuses.
    page.wait_for_selector(UNREADY, state="detached", timeout=timeout_ms)


def wait_complete(page, timeout_ms: float = 60_000) -> None:
    """Usable, and everything the page loads after that (the map's listings) loaded too."""
    wait_usable(page, timeout_ms)
    page.wait_for_selector(STILL_LOADING, state="detached", timeout=timeout_ms)


def visit(page, url: str, stop: Stop, complete: bool = True) -> float:
    """Open the stop's page; returns the seconds until it was complete (or, with complete=False, usable)."""
    started = time.perf_counter()
    page.goto(url + stop.path)
    if stop.follow:
        link = page.locator(stop.follow).first
        href = link.get_attribute("href", timeout=5_000)
        if href is None:
            raise RuntimeError(f"{stop.name}: no link {stop.follow} on {stop.path}")
        started = time.perf_counter()
        page.goto(url + href if href.startswith("/") else href)
    if stop.submit:
        page.wait_for_load_state("load")
        started = time.perf_counter()
        with page.expect_navigation():
            page.locator(stop.submit).first.click()
    (wait_complete if complete else wait_usable)(page)
    return time.perf_counter() - started


def launch(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])


def take_screenshots(url: str, keys: dict[str, str], out: Path, language: str = "zh_CN") -> list[Path]:
    """One full-page PNG per stop, at desktop width, in `language`."""
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    taken = []
    with sync_playwright() as p:
        browser = launch(p)
        try:
            for role in (None, "park_manager", "enterprise", "admin"):
                context = browser.new_context(viewport=VIEWPORT, locale="zh-CN")
                page = context.new_page()
                if role:
                    sign_in(page, url, keys[role])
                if language != "zh_CN":
                    page.locator(f"button[name=lang][value={language}]").click()
                for stop in (s for s in TOUR if s.role == role):
                    visit(page, url, stop)
                    path = out / f"{stop.name}.png"
                    page.screenshot(path=str(path), full_page=stop.name not in ("park-map",))
                    taken.append(path)
                context.close()
        finally:
            browser.close()
    return taken
