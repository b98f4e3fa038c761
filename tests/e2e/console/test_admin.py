"""Admin pages: parks and their baselines, enterprises, API keys, as an admin uses them in a browser."""

from __future__ import annotations

import re

import requests
from axe_playwright_python.sync_playwright import Axe

from gateway.console.views.admin import PAGE_SIZE
from tests.e2e.conftest import eventually
from tests.e2e.console.conftest import sign_in


def _first_enterprise_with_a_licence(admin, park_id) -> dict:
    items = admin.get("enterprises", params={"park_id": park_id, "page_size": 200}).json()["items"]
    return next(e for e in items if e["licences"])


def test_every_admin_page_loads_clean_and_passes_an_accessibility_scan(page, system, admin, demo, watch):
    sign_in(page, system, system.admin_key)
    enterprise = _first_enterprise_with_a_licence(admin, demo["park_id"])
    pages = {  # path: heading, and whether to scan it (the tour in test_every_page scans the lists)
        "/admin/parks": ("园区", False),
        f"/admin/parks/{demo['park_id']}": ("海滨", True),
        "/admin/parks/new": ("新建园区", True),
        "/admin/enterprises": ("企业", False),
        f"/admin/enterprises?park={demo['park_id']}": ("企业", False),
        f"/admin/enterprises/{enterprise['id']}": (enterprise["name"], True),
        "/admin/keys": ("API 密钥", False),
        "/admin/keys/new": ("签发密钥", True),
    }
    for path, (heading, scan) in pages.items():
        page.goto(system.url + path)
        page.wait_for_load_state("load")
        assert heading in page.inner_text("main h1"), path
        watch.assert_clean()
        if scan:
            serious = [
                f"{v['id']}: {v['help']}"
                for v in Axe().run(page).response["violations"]
                if v["impact"] in ("serious", "critical")
            ]
            assert not serious, f"{path}: {serious}"
    page.goto(f"{system.url}/admin/enterprises/{enterprise['id']}")
    assert enterprise["licences"][0]["number"] in page.inner_text("main"), "the licence is listed"


def test_a_park_created_and_given_a_baseline_in_the_forms_has_its_annual_report(page, system, admin, watch):
    sign_in(page, system, system.admin_key)
    page.goto(f"{system.url}/admin/parks/new")
    page.fill("#name", "徐圩循环经济试验园")
    page.select_option("#province", "Jiangsu")
    page.select_option("#level", "national")
    page.select_option("#park_type", "chemical_park")
    page.fill("#centroid-lat", "95")  # out of range: the API's message shows beside the field
    page.fill("#centroid-lon", "119.55")
    page.get_by_role("button", name="创建园区").click()
    assert page.locator(".field.has-error #centroid-lat").count() == 1
    assert page.input_value("#name") == "徐圩循环经济试验园", "the form keeps what was typed"
    assert watch.failed == [f"{system.url}/admin/parks/new: HTTP 422"], "the refused form, and nothing else"
    watch.failed.clear()
    watch.console_errors.clear()
    page.fill("#centroid-lat", "34.62")
    page.get_by_role("button", name="创建园区").click()
    park_id = re.search(r"/admin/parks/([0-9a-f-]{36})$", page.url).group(1)
    assert "徐圩循环经济试验园" in page.inner_text("main h1")

    page.fill("#year", "2025")
    page.fill("#gdp_10k_cny", "1,250,000")
    page.fill("#energy_tce", "500000")
    page.fill("#water_m3", "18000000")
    page.fill("#solid_waste_generated_t", "320000")
    page.get_by_role("button", name="保存基准数据").click()
    row = page.locator("#baselines ~ .baseline-grid tbody tr", has_text="2025")
    assert row.locator("td").first.inner_text() == "1,250,000"
    watch.assert_clean()

    # Change the year: the link fills the form with its figures, and saving replaces them.
    row.get_by_role("link").click()
    assert page.input_value("#gdp_10k_cny") == "1250000"
    page.fill("#energy_tce", "450000")
    page.get_by_role("button", name="保存基准数据").click()
    assert page.locator("#baselines ~ .baseline-grid tbody tr").count() == 1
    assert admin.get(f"parks/{park_id}").json()["baselines"] == [
        {
            "year": 2025,
            "gdp_10k_cny": 1250000,
            "energy_tce": 450000,
            "water_m3": 18000000,
            "solid_waste_generated_t": 320000,
        }
    ]

    report = eventually(
        lambda: admin.get(f"parks/{park_id}/reports/2025"),
        lambda r: r.status_code == 200 and r.json()["rates"]["energy_per_gdp_tce_per_10k_cny"]["value"] == "0.36",
        "the annual report measured against the baseline entered in the console",
    )
    assert report.json()["park_name"] == "徐圩循环经济试验园"


def test_an_issued_key_is_shown_once_signs_in_and_is_refused_once_revoked(page, browser, system, admin, demo, watch):
    sign_in(page, system, system.admin_key)
    page.goto(f"{system.url}/admin/keys/new")
    page.check("input[name=role][value=park_manager]")
    page.fill("#label", "园区管委会 张伟")
    page.select_option("#park_id", demo["park_id"])
    page.get_by_role("button", name="签发密钥").click()
    secret = page.inner_text("#issued-secret").strip()
    assert secret.startswith("plk_")
    assert page.locator("[data-copy=issued-secret]").is_visible()
    watch.assert_clean()

    page.reload()  # resends the form: no second key, and the secret is not shown again
    assert secret not in page.content()
    assert page.locator("#issued-secret").count() == 0
    assert page.locator("table.admin-keys tr", has_text="园区管委会 张伟").count() == 1

    manager = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN").new_page()
    sign_in(manager, system, secret)
    assert manager.url.endswith("/park/overview")
    manager.context.close()

    page.goto(f"{system.url}/admin/keys")
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("tr", has_text="园区管委会 张伟").get_by_role("button", name="吊销").click()
    assert page.locator("tr", has_text="园区管委会 张伟").locator(".key-revoked").is_visible()
    answer = requests.get(f"{system.url}/api/v1/keys/me", headers={"Authorization": f"Bearer {secret}"}, timeout=10)
    assert answer.status_code == 401
    keys = admin.get("keys", params={"page_size": 200}).json()["items"]
    issued = next(k for k in keys if k["label"] == "园区管委会 张伟")
    audited = admin.get("audit", params={"resource_id": issued["id"], "channel": "console"}).json()["items"]
    assert [(r["method"], r["status"]) for r in reversed(audited)] == [("POST", 201), ("DELETE", 204)]


def test_the_admins_own_key_offers_no_revoke_button(page, system):
    sign_in(page, system, system.admin_key)
    page.goto(f"{system.url}/admin/keys")
    own = page.locator("tr", has_text="admin (from configuration)")
    assert own.get_by_role("button", name="吊销").count() == 0


def test_a_park_manager_cannot_open_admin_pages(system, demo):
    session = requests.Session()
    token = re.search(r'name="csrf_token" value="([^"]+)"', session.get(f"{system.url}/login").text).group(1)
    session.post(f"{system.url}/login", data={"csrf_token": token, "api_key": demo["keys"]["park_manager"]})
    for path in (
        "/admin/parks",
        f"/admin/parks/{demo['park_id']}",
        "/admin/parks/new",
        "/admin/enterprises",
        "/admin/keys",
        "/admin/keys/new",
    ):
        assert session.get(f"{system.url}{path}", allow_redirects=False).status_code == 403, path
    token = re.search(r'name="csrf_token" value="([^"]+)"', session.get(f"{system.url}/park/overview").text).group(1)
    refused = session.post(
        f"{system.url}/admin/keys/new",
        allow_redirects=False,
        data={"csrf_token": token, "role": "admin", "label": "escalation"},
    )
    assert refused.status_code == 403


def test_the_key_list_shows_the_newest_keys_first_however_many_there_are(page, system, admin, demo):
    labels = [f"批量密钥 {n:02d}" for n in range(PAGE_SIZE + 1)]
    for label in labels:
        issued = admin.post("keys", {"role": "park_manager", "label": label, "park_id": demo["park_id"]})
        assert issued.status_code == 201, issued.text
    sign_in(page, system, system.admin_key)
    page.goto(f"{system.url}/admin/keys")
    first_rows = page.locator("table.admin-keys tbody tr")
    assert labels[-1] in first_rows.nth(0).inner_text()
    assert labels[-2] in first_rows.nth(1).inner_text()
