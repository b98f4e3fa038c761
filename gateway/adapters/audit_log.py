"""The audit trail in the gateway's own database: appended to, never changed (the migration adds
triggers that refuse UPDATE and DELETE, so not even a slip in our own code can rewrite it)."""

from __future__ import annotations

from collections.abc import Iterator

import sqlalchemy as sa

from gateway.adapters.key_store import metadata
from gateway.domain.audit import AuditQuery, AuditRecord
from services.common.db import as_utc, write_transaction
from services.common.identity import Role

audit_records = sa.Table(
    "audit_records",
    metadata,
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False, index=True),
    sa.Column("key_id", sa.String(36), nullable=False, index=True),
    sa.Column("role", sa.String(20), nullable=False),
    sa.Column("park_id", sa.String(36), nullable=True, index=True),
    sa.Column("enterprise_id", sa.String(36), nullable=True),
    sa.Column("method", sa.String(10), nullable=False),
    sa.Column("path", sa.String(500), nullable=False),
    sa.Column("resource_id", sa.String(100), nullable=True),
    sa.Column("status", sa.SmallInteger, nullable=False),
    sa.Column("channel", sa.String(10), nullable=False),
)
EXPORT_BATCH = 1000


def _record(row) -> AuditRecord:
    return AuditRecord(
        as_utc(row.at),
        row.key_id,
        Role(row.role),
        row.park_id,
        row.enterprise_id,
        row.method,
        row.path,
        row.resource_id,
        row.status,
        row.channel,
        row.id,
    )


def _conditions(query: AuditQuery) -> list:
    c = audit_records.c
    equal = {
        c.key_id: query.key_id,
        c.role: query.role.value if query.role else None,
        c.park_id: query.park_id,
        c.enterprise_id: query.enterprise_id,
        c.method: query.method.upper() if query.method else None,
        c.resource_id: query.resource_id,
        c.status: query.status,
        c.channel: query.channel,
    }
    found = [column == value for column, value in equal.items() if value is not None]
    if query.since is not None:
        found.append(c.at >= query.since)
    if query.until is not None:
        found.append(c.at < query.until)
    if query.path_prefix:
        found.append(c.path.startswith(query.path_prefix, autoescape=True))
    if query.failed is not None:
        found.append(c.status >= 400 if query.failed else c.status < 400)
    return found


class AuditLog:
    def __init__(self, engine: sa.Engine):
        self.engine = engine

    def append(self, record: AuditRecord) -> None:
        values = {**record.__dict__, "role": record.role.value}
        values.pop("id")
        with write_transaction(self.engine) as conn:
            conn.execute(audit_records.insert().values(**values))

    def find(self, query: AuditQuery, offset: int, limit: int) -> tuple[list[AuditRecord], int]:
        """Matching records, newest first, and how many match."""
        where = _conditions(query)
        with self.engine.connect() as conn:
            total = conn.scalar(sa.select(sa.func.count()).select_from(audit_records).where(*where))
            rows = conn.execute(
                sa.select(audit_records).where(*where).order_by(audit_records.c.id.desc()).offset(offset).limit(limit)
            )
            return [_record(row) for row in rows], total

    def every(self, query: AuditQuery) -> Iterator[AuditRecord]:
        """Every matching record, oldest first, read a batch at a time (for exports)."""
        after = 0
        while True:
            with self.engine.connect() as conn:
                rows = conn.execute(
                    sa.select(audit_records)
                    .where(*_conditions(query), audit_records.c.id > after)
                    .order_by(audit_records.c.id)
                    .limit(EXPORT_BATCH)
                ).all()
            yield from (_record(row) for row in rows)
            if len(rows) < EXPORT_BATCH:
                return
            after = rows[-1].id
