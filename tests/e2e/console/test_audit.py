"""The audit trail page, as a park manager uses it: their park's changes with who made them, a refused
attempt marked, filters, and the CSV download of what the filters show."""

from __future__ import annotations

import csv
import io

from tests.e2e.conftest import steam_offer
from tests.e2e.console.conftest import sign_in


def test_a_park_manager_finds_a_refused_change_by_its_path_and_downloads_it(page, system, demo):
    manager_key = demo["keys"]["park_manager"]
    refused = system.client(manager_key).post("offers", steam_offer(title="控制台审计：越权发布"))
    assert refused.status_code == 403
    sign_in(page, system, manager_key)
    page.goto(f"{system.url}/audit")
    assert page.locator("main h1").inner_text().startswith("操作审计")
    page.select_option("#outcome", "failed")
    page.fill("#path_prefix", "/api/v1/offers")
    with page.expect_navigation():
        page.get_by_role("button", name="查看").click()
    row = page.locator("table.audit-records tbody tr").first
    assert "POST" in row.inner_text() and "/api/v1/offers" in row.inner_text() and "403" in row.inner_text()
    assert "园区管理者" in row.inner_text()
    with page.expect_download() as download:
        page.locator("#download-csv").click()
    rows = list(csv.DictReader(io.StringIO(open(download.value.path(), encoding="utf-8").read())))
    assert rows and all(r["path"].startswith("/api/v1/offers") and int(r["status"]) >= 400 for r in rows)
    assert rows[-1]["park_id"] == demo["park_id"] and rows[-1]["status"] == "403"


def test_an_enterprise_cannot_open_the_audit_trail(page, system, demo):
    sign_in(page, system, demo["keys"]["power"])
    response = page.goto(f"{system.url}/audit")
    assert response.status == 403
