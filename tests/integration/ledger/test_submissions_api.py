"""The plan, submission and roll-up API of the ledger service as the gateway calls it (signed principals):
a park manager records targets, writes and submits; the submission cites a signed checkpoint that
verifies against a later one, and its figures are those of the ledger's first `size` entries; a
submitted version is frozen; a province key reads only its own province and writes nothing; downloads."""

from __future__ import annotations

import base64
import csv
import io
from decimal import Decimal

import pytest
from docx import Document
from helpers.ledger import (
    PARK_A,
    PARK_B,
    YEAR,
    baseline,
    completed,
    exchange,
    feed,
    ledger_settings,
    park_created,
    water_delivery,
)

from services.common.events import Event
from services.common.identity import Principal, Role, sign_principal
from services.ledger.app import create_app
from services.ledger.domain import merkle
from services.ledger.domain.checkpoint import open_checkpoint
from services.ledger.domain.entries import in_force
from services.ledger.domain.report import annual_report

PARK_Z = "park-z"  # in Zhejiang
ADMIN = Principal(Role.ADMIN, "admin")
MANAGER_A = Principal(Role.PARK_MANAGER, "manager-a", park_id=PARK_A)
MANAGER_B = Principal(Role.PARK_MANAGER, "manager-b", park_id=PARK_B)
JIANGSU = Principal(Role.PROVINCE, "jiangsu-drc", province="Jiangsu")
ZHEJIANG = Principal(Role.PROVINCE, "zhejiang-drc", province="Zhejiang")
SECTIONS = {
    "progress": "园区完成热电联产蒸汽管网互联。",
    "results": "全年节约标准煤、减少二氧化碳排放见附表。",
    "experience": "以热定产，企业间签订长期供汽协议。",
    "difficulties": "中水回用管网投资大，回收期长。",
}
PLAN = {
    "targets": [
        {"indicator": "water_saved_m3", "unit": "m3", "baseline_year": 2025, "target": "5000"},
        {"indicator": "energy_saved_tce", "unit": "tce", "baseline_year": 2025, "target": "1000"},
    ],
    "projects": [
        {
            "name": "中水回用工程",
            "content": "污水厂出水回用于炼化循环冷却",
            "investment_10k_cny": "800",
            "contributes_to": ["water_saved_m3"],
            "status": "in_operation",
        }
    ],
}


class Caller:
    def __init__(self, client, principal: Principal):
        self.client, self.headers = client, sign_principal(principal, "test-secret")

    def get(self, path, **params):
        return self.client.get(f"/api/v1/{path}", query_string=params, headers=self.headers)

    def put(self, path, body):
        return self.client.put(f"/api/v1/{path}", json=body, headers=self.headers)

    def post(self, path, body=None):
        return self.client.post(f"/api/v1/{path}", json=body or {}, headers=self.headers)


def zhejiang_park() -> Event:
    event = park_created(PARK_Z, "Ningbo Park")
    return Event("ParkCreated", PARK_Z, {**event.payload, "province": "Zhejiang"})


@pytest.fixture
def app(tmp_path, monkeypatch):
    monkeypatch.delenv("LEDGER_SIGNING_KEY", raising=False)
    monkeypatch.delenv("LEDGER_ORIGIN", raising=False)
    application = create_app(ledger_settings(tmp_path, f"sqlite:///{tmp_path / 'ledger.db'}"))
    ctx = application.extensions["parkloop.ledger"]
    feed(
        ctx,
        park_created(PARK_A, "Park A", [baseline()]),
        park_created(PARK_B, "Park B"),
        zhejiang_park(),
        completed(exchange("water", [water_delivery("500")])),  # park A
        completed(exchange("water", [water_delivery("700")])),  # park A
        completed(exchange("water", [water_delivery("300")], supplier=("b1", PARK_B), receiver=("b2", PARK_B))),
    )
    yield application
    ctx.store.engine.dispose()


def as_(app, principal: Principal) -> Caller:
    return Caller(app.test_client(), principal)


def write_and_submit(api: Caller, park: str, version: int = 1, **sections) -> dict:
    saved = api.put(f"parks/{park}/submissions/{YEAR}/{version}", {"sections": {**SECTIONS, **sections}})
    assert saved.status_code in (200, 201), saved.get_data(as_text=True)
    done = api.post(f"parks/{park}/submissions/{YEAR}/{version}/submit")
    assert done.status_code == 200, done.get_data(as_text=True)
    return done.get_json()


def test_a_park_manager_records_targets_and_the_report_shows_progress(app):
    manager = as_(app, MANAGER_A)
    assert manager.put(f"parks/{PARK_A}/implementation-plans/2026-2030", PLAN).status_code == 200
    progress = manager.get(f"parks/{PARK_A}/reports/{YEAR}").get_json()["progress"]
    water = next(r for r in progress["rows"] if r["indicator"] == "water_saved_m3")
    # 500 + 700 m3 of a 5,000 m3 period target: 24 %, against 20 % of 2026-2030 elapsed
    shown = (water["value"], water["progress_pct"], water["elapsed_pct"], water["on_track"])
    assert shown == ("1200", "24", "20", True)


def test_a_plan_breaking_a_rule_is_refused_naming_the_field(app):
    bad = {**PLAN, "targets": [{**PLAN["targets"][0], "unit": "t"}]}
    response = as_(app, MANAGER_A).put(f"parks/{PARK_A}/implementation-plans/2026-2030", bad)
    assert response.status_code == 422 and "targets.0.unit" in response.get_json()["errors"]


def test_the_cited_checkpoint_verifies_and_the_figures_match_the_ledger_at_that_size(app):
    manager, admin = as_(app, MANAGER_A), as_(app, ADMIN)
    manager.put(f"parks/{PARK_A}/implementation-plans/2026-2030", PLAN)
    submitted = write_and_submit(manager, PARK_A)
    cited = submitted["checkpoint"]
    assert cited["size"] == 3 and submitted["status"] == "submitted"
    # the ledger grows after the submission; the submission's figures do not
    feed(app.extensions["parkloop.ledger"], completed(exchange("water", [water_delivery("900")])))
    later = open_checkpoint(
        admin.get("ledger/checkpoint").get_data(as_text=True),
        admin.get("ledger/public-key").get_data(as_text=True).strip(),
    )
    proof = admin.get("ledger/consistency", **{"from": cited["size"], "to": later.size}).get_json()
    hashes = [base64.b64decode(h) for h in proof["hashes"]]
    assert merkle.verify_consistency(cited["size"], later.size, base64.b64decode(cited["root"]), later.root, hashes)
    # recompute the year's figures from the ledger's first `size` entries, as anyone can
    items = admin.get("ledger/entries", park_id=PARK_A, page_size=200).get_json()["items"]
    first = in_force([i["entry"] for i in items if i["index"] < cited["size"]])
    recomputed = annual_report(
        PARK_A,
        YEAR,
        None,
        [{**e["exchange"], "index": e["index"], "contribution": e["contribution"],
          "supplier_id": e["exchange"]["supplier"]["enterprise_id"],
          "receiver_id": e["exchange"]["receiver"]["enterprise_id"]} for e in first],
    )  # fmt: skip
    for name, figure in submitted["figures"]["indicators"].items():
        assert figure["exact_value"] == (
            None if recomputed["indicators"][name]["exact_value"] is None
            else format(recomputed["indicators"][name]["exact_value"], "f")
        ), name  # fmt: skip
    assert Decimal(submitted["figures"]["indicators"]["water_saved_m3"]["exact_value"]) == 1200
    again = manager.get(f"parks/{PARK_A}/submissions/{YEAR}/1").get_json()
    assert again["figures"] == submitted["figures"]


def test_a_submitted_version_is_frozen_and_only_superseded(app):
    manager = as_(app, MANAGER_A)
    first = write_and_submit(manager, PARK_A)
    refused = manager.put(f"parks/{PARK_A}/submissions/{YEAR}/1", {"sections": {**SECTIONS, "results": "改"}})
    assert refused.status_code == 409
    assert manager.post(f"parks/{PARK_A}/submissions/{YEAR}/1/submit").status_code == 409
    second = write_and_submit(manager, PARK_A, version=2, results="补充：节水1200立方米。")
    listed = manager.get(f"parks/{PARK_A}/submissions/{YEAR}").get_json()
    assert listed["current"] == 2
    assert [(v["version"], v["status"]) for v in listed["versions"]] == [(2, "submitted"), (1, "superseded")]
    old = manager.get(f"parks/{PARK_A}/submissions/{YEAR}/1").get_json()
    assert old["sections"] == first["sections"] and old["figures"] == first["figures"]
    assert second["sections"]["results"] == "补充：节水1200立方米。"


def test_a_province_key_reads_only_its_province_and_writes_nothing(app):
    write_and_submit(as_(app, MANAGER_A), PARK_A)
    province = as_(app, JIANGSU)
    assert province.get(f"parks/{PARK_A}/submissions/{YEAR}/1").status_code == 200
    assert province.get(f"parks/{PARK_A}/reports/{YEAR}").status_code == 200
    assert province.get(f"parks/{PARK_Z}/reports/{YEAR}").status_code == 404
    assert province.get(f"parks/{PARK_Z}/submissions/{YEAR}").status_code == 404
    assert province.put(f"parks/{PARK_A}/submissions/{YEAR}/2", {"sections": SECTIONS}).status_code == 403
    assert province.put(f"parks/{PARK_A}/implementation-plans/2026-2030", PLAN).status_code == 403
    assert province.get("ledger/entries").get_json()["items"] == []
    assert province.get(f"provinces/Zhejiang/reports/{YEAR}").status_code == 403
    assert as_(app, ZHEJIANG).get(f"parks/{PARK_A}/submissions/{YEAR}/1").status_code == 404


def test_a_park_manager_cannot_see_another_parks_submissions(app):
    write_and_submit(as_(app, MANAGER_A), PARK_A)
    other = as_(app, MANAGER_B)
    assert other.get(f"parks/{PARK_A}/submissions/{YEAR}").status_code == 404
    assert other.get(f"parks/{PARK_A}/submissions/{YEAR}/1").status_code == 404
    assert other.get(f"provinces/Jiangsu/reports/{YEAR}").status_code == 403


def test_the_roll_up_sums_the_two_parks_that_submitted(app):
    write_and_submit(as_(app, MANAGER_A), PARK_A)
    write_and_submit(as_(app, MANAGER_B), PARK_B)
    rollup = as_(app, JIANGSU).get(f"provinces/Jiangsu/reports/{YEAR}").get_json()
    # park A 500 + 700 m3, park B 300 m3: 1,500 m3 of water saved in Jiangsu
    assert rollup["totals"]["water_saved_m3"]["value"] == "1500"
    assert sorted(p["park_id"] for p in rollup["parks"]) == [PARK_A, PARK_B]
    assert rollup["not_submitted"] == []
    period = as_(app, JIANGSU).get("provinces/Jiangsu/periods/2026-2030").get_json()
    assert period["totals"]["water_saved_m3"]["value"] == "1500"
    assert as_(app, JIANGSU).get("provinces/Atlantis/reports/2026").status_code == 404


def test_downloads_csv_and_word(app):
    manager = as_(app, MANAGER_A)
    manager.put(f"parks/{PARK_A}/implementation-plans/2026-2030", PLAN)
    write_and_submit(manager, PARK_A)
    text = manager.get(f"parks/{PARK_A}/submissions/{YEAR}/1", format="csv").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text)))
    water = next(r for r in rows if r["table"] == "progress" and r["indicator"] == "water_saved_m3")
    assert (water["value"], water["target"], water["progress_pct"]) == ("1200", "5000", "24")
    assert any(r["table"] == "project" and r["名称"] == "中水回用工程" for r in rows)
    word = manager.get(f"parks/{PARK_A}/submissions/{YEAR}/1", format="docx")
    assert word.status_code == 200 and word.mimetype.endswith("wordprocessingml.document")
    text = "\n".join(p.text for p in Document(io.BytesIO(word.get_data())).paragraphs)
    assert "Park A2026年度循环化改造进展情况报告" in text and SECTIONS["difficulties"] in text
