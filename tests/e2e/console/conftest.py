"""Browser tests of the console: Debian's Chromium driven by Playwright (pytest-playwright), against the
system the e2e tests start (`parkloop run` with the demo park)."""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("PARKLOOP_CHROMIUM", "/usr/bin/chromium")


def pytest_collection_modifyitems(config, items):
    if Path(CHROMIUM).exists():
        return
    if os.environ.get("CI") == "true":
        raise pytest.UsageError(f"{CHROMIUM} is missing: in CI the console's browser tests must run "
                                "(infra/browser.sh installs it)")
    skip = pytest.mark.skip(reason=f"{CHROMIUM} is missing (apt-get install chromium)")
    for item in items:
        if "tests/e2e/console" in str(item.fspath):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    # Playwright's own browser download is not reachable here: drive Debian's Chromium.
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": ["--no-sandbox"]}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1440, "height": 900}, "locale": "zh-CN"}


@pytest.fixture(scope="session")
def demo(system) -> dict:
    """The demo park's id and the keys of its manager and enterprises."""
    return json.loads((system.data_dir / "demo-keys.json").read_text())


def sign_in(page, system, key: str) -> None:
    page.goto(f"{system.url}/login")
    page.fill("#api_key", key)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state("load")
    assert "/login" not in page.url, f"sign-in failed: {page.inner_text('main')[:300]}"


@dataclass
class PageWatch:
    """What a user would see go wrong: console errors, failed requests, requests to other origins."""

    origin: str
    console_errors: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)

    def attach(self, page) -> None:
        page.on("console", lambda m: m.type == "error" and self.console_errors.append(f"{page.url}: {m.text}"))
        page.on("pageerror", lambda e: self.console_errors.append(f"{page.url}: {e}"))
        # ERR_ABORTED is a request the browser dropped itself because the page moved on (a favicon
        # still loading when a form submits): nothing a user sees fail.
        page.on("requestfailed", lambda r: "ERR_ABORTED" not in (r.failure or "")
                and self.failed.append(f"{r.url}: {r.failure}"))
        page.on("response", lambda r: r.status >= 400 and self.failed.append(f"{r.url}: HTTP {r.status}"))
        page.on("request", lambda r: not r.url.startswith((self.origin, "data:", "blob:"))
                and self.foreign.append(r.url))

    def assert_clean(self) -> None:
        assert not self.console_errors, f"console errors: {self.console_errors}"
        assert not self.failed, f"failed requests: {self.failed}"
        assert not self.foreign, f"requests to other origins: {self.foreign}"


@pytest.fixture
def watch(page, system) -> PageWatch:
    watched = PageWatch(system.url)
    watched.attach(page)
    return watched
