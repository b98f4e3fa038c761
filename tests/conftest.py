"""Browser tests (the console's pages, the in-browser ledger witness) drive Debian's Chromium through
pytest-playwright: Playwright's own browser download is not reachable from these machines."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("PARKLOOP_CHROMIUM", "/usr/bin/chromium")
BROWSER_TESTS = ("tests/e2e/console", "tests/integration/console")
# The witness module's own tests serve a page from this made-up origin; WebCrypto needs a secure context.
WITNESS_TEST_ORIGIN = "http://verify.test"
# Throttling is off in tests (they send bursts of calls and of bad keys from one address); the tests
# of throttling turn it on for the system they start (tests/e2e/test_throttling.py).
os.environ.setdefault("PARKLOOP_RATE_LIMITS", "0")


def pytest_collection_modifyitems(config, items):
    if Path(CHROMIUM).exists():
        return
    if os.environ.get("CI") == "true":
        raise pytest.UsageError(
            f"{CHROMIUM} is missing: in CI the browser tests must run (infra/browser.sh installs it)"
        )
    skip = pytest.mark.skip(reason=f"{CHROMIUM} is missing (apt-get install chromium)")
    for item in items:
        if any(part in str(item.fspath) for part in BROWSER_TESTS):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": ["--no-sandbox", f"--unsafely-treat-insecure-origin-as-secure={WITNESS_TEST_ORIGIN}"],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1440, "height": 900}, "locale": "zh-CN"}
