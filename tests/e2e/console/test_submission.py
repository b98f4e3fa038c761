"""The reporting chain in the browser, as issue 14's "done when" puts it: on the demo park a new park manager
records the plan's targets, writes and submits the year's submission and downloads it as a Word document;
a provincial reviewer sees it in the roll-up beside a second park of the province, with progress bars, and
opens it; the submitted version is frozen and a second version supersedes it."""

from __future__ import annotations

import io

from docx import Document

from gateway.console.views.park import this_year
from tests.e2e.console.conftest import PageWatch, sign_in

from ..conftest import PARK, eventually

SECTIONS = {
    "progress": "热电联产蒸汽管网与中水回用管线建成投运。",
    "results": "全年园区内企业间蒸汽、中水和固废交换均已计入台账。",
    "experience": "以热定产，签订长期供汽协议。",
    "difficulties": "中水回用管网投资大，回收期长。",
}


def submit_for_second_park(system, admin, year: int) -> str:
    """A second park of the demo park's province, which submits through the API."""
    park = admin.post("parks", {**PARK, "name": "滨江化工园（第二园区）"}).json()["id"]
    key = admin.post("keys", {"role": "park_manager", "label": "滨江 manager", "park_id": park}).json()["key"]
    manager = system.client(key)
    eventually(
        lambda: manager.get(f"parks/{park}/submissions/{year}").status_code,
        lambda status: status == 200,
        "the second park in the ledger",
    )
    assert manager.put(f"parks/{park}/submissions/{year}/1", {"sections": SECTIONS}).status_code == 201
    assert manager.post(f"parks/{park}/submissions/{year}/1/submit").status_code == 200
    return park


def test_a_new_manager_records_targets_submits_and_the_province_sees_it(page, system, admin, demo):
    year = this_year()
    park_id = demo["park_id"]
    newcomer = admin.post("keys", {"role": "park_manager", "label": "新任园区管理员", "park_id": park_id}).json()
    sign_in(page, system, newcomer["key"])

    page.goto(f"{system.url}/park/targets")
    page.fill("[name='targets.energy_saved_tce.target']", "2000")
    page.fill("[name='targets.water_saved_m3.target']", "abc")  # a mistake, named beside the field
    page.fill("[name='projects.0.name']", "热电联产蒸汽管网")
    page.locator("form.plan-form button[type=submit]").click()
    assert page.locator("tr[data-indicator='water_saved_m3'] .field-error").count() == 1
    watch = PageWatch(system.url)  # from here on, nothing may fail
    watch.attach(page)
    page.fill("[name='targets.water_saved_m3.target']", "500000")
    page.locator("form.plan-form button[type=submit]").click()
    page.wait_for_load_state("load")
    assert "已保存" in page.inner_text("main")
    energy = page.locator(".progress-table tr[data-indicator='energy_saved_tce']")
    assert energy.locator(".progress-figure").count() == 1
    assert energy.get_attribute("data-on-track") == "true"  # the year is ahead of the share of the period elapsed
    # a target for this year alone: the year is then judged by it
    page.locator("tr[data-yearly='energy_saved_tce'] summary").click()
    page.fill(f"[name='targets.energy_saved_tce.yearly.{year}']", "100000")
    page.locator("form.plan-form button[type=submit]").click()
    page.wait_for_load_state("load")
    assert energy.get_attribute("data-on-track") == "false"
    assert float(page.input_value(f"[name='targets.energy_saved_tce.yearly.{year}']")) == 100000

    page.goto(f"{system.url}/park/submission?year={year}")
    for name, text in SECTIONS.items():
        page.fill(f"#section-{name}", text)
    page.fill("[name='attached_figures.0.name']", "二氧化硫减排量")
    page.fill("[name='attached_figures.0.value']", "12.5")
    page.fill("[name='attached_figures.0.unit']", "t")
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("button[name=action][value=submit]").click()
    page.wait_for_load_state("load")
    row = page.locator("tr[data-version='1']")
    assert row.get_attribute("data-status") == "submitted"
    with page.expect_download() as download:
        row.locator("a", has_text="Word").click()
    text = "\n".join(p.text for p in Document(io.BytesIO(download.value.path().read_bytes())).paragraphs)
    assert SECTIONS["difficulties"] in text and "年度循环化改造进展情况报告" in text
    # the submitted version is frozen: the editor now writes version 2
    assert page.locator("input[name=version]").get_attribute("value") == "2"
    watch.assert_clean()

    second = submit_for_second_park(system, admin, year)
    reviewer = admin.post("keys", {"role": "province", "label": "江苏省发展改革委", "province": "Jiangsu"}).json()
    sign_in(page, system, reviewer["key"])
    page.goto(f"{system.url}/province?year={year}")
    ours, theirs = page.locator(f"tr[data-park='{park_id}']"), page.locator(f"tr[data-park='{second}']")
    assert ours.get_attribute("data-submitted") == "true" and theirs.get_attribute("data-submitted") == "true"
    assert ours.locator("li[data-indicator='energy_saved_tce'] .progress-bar").count() == 1
    ours.locator("a", has_text="1").first.click()
    page.wait_for_load_state("load")
    assert SECTIONS["progress"] in page.inner_text("main")
    assert page.locator("article[data-status='submitted']").count() == 1
    # a reviewer changes nothing: the park manager's editor is not theirs
    assert page.goto(f"{system.url}/park/submission").status == 403
