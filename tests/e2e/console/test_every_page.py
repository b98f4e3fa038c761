"""Every console page, as the role that uses it: it loads with no console error, no failed request and
nothing from another origin, and an accessibility scan (axe-core) finds no serious or critical violation."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from parkloop.console_tour import TOUR, demo_keys, sign_in, visit
from tests.e2e.console.conftest import PageWatch

SERIOUS = ("serious", "critical")


@pytest.fixture(scope="module")
def keys(system):
    return demo_keys(system.data_dir, system.admin_key)


@pytest.mark.parametrize("stop", TOUR, ids=[stop.name for stop in TOUR])
def test_the_page_loads_clean_and_is_accessible(stop, page, system, keys):
    if stop.role:
        sign_in(page, system.url, keys[stop.role])
    watch = PageWatch(system.url)
    watch.attach(page)
    visit(page, system.url, stop)
    watch.assert_clean()
    violations = [v for v in Axe().run(page).response["violations"] if v["impact"] in SERIOUS]
    assert not violations, "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes'][:3]]}" for v in violations
    )
