"""Browser tests of the console against the system the e2e tests start (`parkloop run` with the demo park).
The browser itself is set up in tests/conftest.py."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pytest


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
        page.on(
            "requestfailed",
            lambda r: "ERR_ABORTED" not in (r.failure or "") and self.failed.append(f"{r.url}: {r.failure}"),
        )
        page.on("response", lambda r: r.status >= 400 and self.failed.append(f"{r.url}: HTTP {r.status}"))
        page.on(
            "request", lambda r: not r.url.startswith((self.origin, "data:", "blob:")) and self.foreign.append(r.url)
        )

    def assert_clean(self) -> None:
        assert not self.console_errors, f"console errors: {self.console_errors}"
        assert not self.failed, f"failed requests: {self.failed}"
        assert not self.foreign, f"requests to other origins: {self.foreign}"


@pytest.fixture
def watch(page, system) -> PageWatch:
    watched = PageWatch(system.url)
    watched.attach(page)
    return watched
