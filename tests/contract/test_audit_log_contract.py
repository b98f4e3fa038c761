"""The audit trail's store behaves the same on SQLite and on PostgreSQL, and refuses to be rewritten."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from gateway.adapters import audit_log
from gateway.adapters.audit_log import AuditLog, audit_records
from gateway.bootstrap import MIGRATIONS
from gateway.domain.audit import AuditQuery, AuditRecord
from services.common.db import create_engine, migrate
from services.common.identity import Principal, Role

T0 = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)
MANAGER_A = Principal(Role.PARK_MANAGER, "k-pm-a", park_id="A")
E1 = Principal(Role.ENTERPRISE, "k-e1", park_id="A", enterprise_id="E1")
E3 = Principal(Role.ENTERPRISE, "k-e3", park_id="B", enterprise_id="E3")


@pytest.fixture
def trail(database_url) -> AuditLog:
    migrate(database_url, MIGRATIONS)
    log = AuditLog(create_engine(database_url))
    calls = [
        (E1, "POST", "/api/v1/offers", 201, {"id": "offer-0000001"}),
        (E1, "PATCH", "/api/v1/offers/offer-0000001", 422, None),
        (E3, "POST", "/api/v1/offers", 201, {"id": "offer-0000002"}),
        (MANAGER_A, "POST", "/api/v1/offers", 403, None),
        (E1, "DELETE", "/api/v1/webhooks/sub-00000001", 204, None),
    ]
    for minute, (who, method, path, status, answer) in enumerate(calls):
        log.append(AuditRecord.of_call(who, method, path, status, "api", answer, at=T0 + timedelta(minutes=minute)))
    return log


def paths(found) -> list[tuple[str, str]]:
    return [(r.method, r.path) for r in found]


def test_records_come_back_newest_first_with_everything_they_recorded(trail):
    found, total = trail.find(AuditQuery(), 0, 10)
    assert total == 5
    assert [r.id for r in found] == sorted((r.id for r in found), reverse=True)
    first = found[-1]
    assert (first.at, first.key_id, first.role, first.park_id, first.enterprise_id) == (
        T0,
        "k-e1",
        Role.ENTERPRISE,
        "A",
        "E1",
    )
    assert (first.resource_id, first.status, first.channel) == ("offer-0000001", 201, "api")


def test_filters_narrow_the_trail(trail):
    assert trail.find(AuditQuery(park_id="B"), 0, 10)[1] == 1
    assert trail.find(AuditQuery(key_id="k-e1"), 0, 10)[1] == 3
    assert trail.find(AuditQuery(method="post"), 0, 10)[1] == 3
    assert trail.find(AuditQuery(failed=True), 0, 10)[1] == 2
    assert trail.find(AuditQuery(status=204), 0, 10)[1] == 1
    assert trail.find(AuditQuery(role=Role.PARK_MANAGER), 0, 10)[1] == 1
    assert trail.find(AuditQuery(resource_id="offer-0000001"), 0, 10)[1] == 2
    assert paths(trail.find(AuditQuery(path_prefix="/api/v1/webhooks"), 0, 10)[0]) == [
        ("DELETE", "/api/v1/webhooks/sub-00000001")
    ]
    window = AuditQuery(since=T0 + timedelta(minutes=1), until=T0 + timedelta(minutes=3))
    assert paths(trail.find(window, 0, 10)[0]) == [
        ("POST", "/api/v1/offers"),
        ("PATCH", "/api/v1/offers/offer-0000001"),
    ]


def test_a_path_prefix_is_matched_literally(trail):
    assert trail.find(AuditQuery(path_prefix="/api/v1/%"), 0, 10)[1] == 0


def test_every_record_is_exported_oldest_first_across_batches(trail, monkeypatch):
    monkeypatch.setattr(audit_log, "EXPORT_BATCH", 2)
    exported = list(trail.every(AuditQuery()))
    assert [r.at for r in exported] == [T0 + timedelta(minutes=m) for m in range(5)]
    assert len(list(trail.every(AuditQuery(park_id="A")))) == 4


def test_records_cannot_be_changed_or_deleted(trail):
    with trail.engine.begin() as conn, pytest.raises(sa.exc.DatabaseError, match="append-only"):
        conn.execute(audit_records.update().values(status=200))
    with trail.engine.begin() as conn, pytest.raises(sa.exc.DatabaseError, match="append-only"):
        conn.execute(audit_records.delete())
    assert trail.find(AuditQuery(), 0, 10)[1] == 5
