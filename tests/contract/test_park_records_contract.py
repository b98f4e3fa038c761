"""Implementation plans and annual submissions behave the same on SQLite and on PostgreSQL, through the
ledger's own bootstrap (its migrations included) and its use cases: a plan is replaced within its period
and refused when it overlaps another; a draft is written once per version (two writers creating the same
version: one wins, the other gets a conflict, nothing half-written); submitting supersedes the version in
force in the same transaction and cites the checkpoint its figures come from; the roll-up finds the
submission in force of each park."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from helpers.ledger import PARK_A, PARK_B, YEAR, completed, exchange, feed, fresh_ledger, park_created, water_delivery

from services.common.errors import Conflict, InvalidFields
from services.common.identity import Principal, Role
from services.ledger.service_layer import plans, provinces, submissions

ADMIN = Principal(Role.ADMIN, "admin")
MANAGER_A = Principal(Role.PARK_MANAGER, "manager-a", park_id=PARK_A)
SECTIONS = {"sections": {"progress": "进展", "results": "成效", "experience": "经验", "difficulties": "困难"}}
PLAN = {"targets": [{"indicator": "water_saved_m3", "unit": "m3", "baseline_year": 2025, "target": Decimal(5000)}]}


@pytest.fixture
def ledger(monkeypatch, tmp_path, database_url):
    with fresh_ledger(monkeypatch, tmp_path, database_url) as ctx:
        feed(
            ctx,
            park_created(PARK_A, "Park A"),
            park_created(PARK_B, "Park B"),
            completed(exchange("water", [water_delivery("500")])),
        )
        yield ctx


def test_a_plan_is_replaced_within_its_period_and_periods_never_overlap(ledger):
    plans.record_plan(ledger, MANAGER_A, PARK_A, "2026-2030", PLAN)
    bigger = {"targets": [{**PLAN["targets"][0], "target": Decimal(8000)}], "projects": []}
    plans.record_plan(ledger, MANAGER_A, PARK_A, "2026-2030", bigger)
    (only,) = plans.park_plans(ledger, MANAGER_A, PARK_A)
    assert only.targets[0].target == 8000
    with pytest.raises(InvalidFields) as raised:
        plans.record_plan(ledger, MANAGER_A, PARK_A, "2028-2032", PLAN)
    assert "period" in raised.value.errors


def test_two_writers_creating_one_version_leave_one_draft(ledger):
    outcomes: list[str] = []

    def write(text: str) -> None:
        try:
            submissions.write_draft(ledger, MANAGER_A, PARK_A, YEAR, 1, {"sections": {"progress": text}})
            outcomes.append("written")
        except Conflict:
            outcomes.append("conflict")

    writers = [threading.Thread(target=write, args=(f"writer {n}",)) for n in range(2)]
    for w in writers:
        w.start()
    for w in writers:
        w.join()
    versions = submissions.versions(ledger, MANAGER_A, PARK_A, YEAR)
    assert len(versions) == 1 and versions[0].status.value == "draft"
    # the loser either lost the race (conflict) or came second and edited the draft in place
    assert sorted(outcomes) in (["conflict", "written"], ["written", "written"])


def test_submitting_supersedes_the_version_in_force_and_cites_the_checkpoint(ledger):
    submissions.write_draft(ledger, MANAGER_A, PARK_A, YEAR, 1, SECTIONS)
    first = submissions.submit(ledger, MANAGER_A, PARK_A, YEAR, 1)
    assert first.checkpoint.size == 1
    assert Decimal(str(first.figures["indicators"]["water_saved_m3"]["exact_value"])) == 500
    with pytest.raises(Conflict):
        submissions.write_draft(ledger, MANAGER_A, PARK_A, YEAR, 1, SECTIONS)
    submissions.write_draft(ledger, MANAGER_A, PARK_A, YEAR, 2, SECTIONS)
    submissions.submit(ledger, MANAGER_A, PARK_A, YEAR, 2)
    stored = {s.version: s for s in submissions.versions(ledger, ADMIN, PARK_A, YEAR)}
    assert (stored[1].status.value, stored[2].status.value) == ("superseded", "submitted")
    assert stored[1].figures == stored[2].figures and stored[1].checkpoint == first.checkpoint
    rollup = provinces.province_report(ledger, ADMIN, "Jiangsu", YEAR)
    assert {p["park_id"]: p.get("version") for p in rollup["parks"]} == {PARK_A: 2, PARK_B: None}
    assert rollup["not_submitted"] == [PARK_B]
