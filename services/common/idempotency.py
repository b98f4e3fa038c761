"""Consumers apply each event once: its id is recorded in the same transaction as its effect,
so a redelivered event (at-least-once buses) is recognised and changes nothing."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


def processed_events_table(metadata: sa.MetaData) -> sa.Table:
    return sa.Table(
        "processed_events",
        metadata,
        sa.Column("event_id", sa.String(36), primary_key=True),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )


def one_of(conn: sa.Connection, column: sa.ColumnElement[str], values: list[str]) -> sa.ColumnElement[bool]:
    """`column IN values`; on PostgreSQL `column = ANY(array)`: one parameter however many values, where
    building an IN of a thousand parameters cost the ledger more CPU than the query itself."""
    if conn.dialect.name == "postgresql":
        return column == sa.any_(sa.bindparam("values", values, type_=postgresql.ARRAY(sa.String), unique=True))
    return column.in_(values)


class ProcessedEvents:
    """Used inside a consumer's transaction on `conn`. A batch's ids can be looked up in one query
    (`prefetch_processed`); marks are kept and written in one statement by `flush_processed`, which
    whoever ends the transaction calls before it commits."""

    def __init__(self, conn: sa.Connection, table: sa.Table):
        self.conn, self.table = conn, table
        self._known: set[str] = set()  # processed: before (prefetched) or in this transaction
        self._checked: set[str] = set()  # prefetched and found unprocessed
        self._marked: list[dict] = []
        self.assumed_unprocessed = False  # some ids were taken for unprocessed without a lookup

    def assume_unprocessed(self, event_ids: Iterable[str]) -> None:
        """Take these ids for unprocessed without looking them up, for a caller that relies on the unique
        key its marks (or effects) are written under: a redelivered event then fails the transaction, and
        the caller looks the ids up and applies them again. Worth it where redeliveries are rare."""
        self._checked.update(event_ids)
        self.assumed_unprocessed = True

    def prefetch_processed(self, event_ids: Iterable[str]) -> None:
        """Look up which of these ids were processed before, in one query per thousand."""
        ids = list(dict.fromkeys(event_ids))
        for start in range(0, len(ids), 1000):
            chunk = ids[start : start + 1000]
            self._known.update(self.processed_among(chunk))
            self._checked.update(chunk)

    def already_processed(self, event_id: str) -> bool:
        if event_id in self._known:
            return True
        if event_id in self._checked:
            return False
        return bool(self.processed_among([event_id]))

    def processed_among(self, event_ids: list[str]) -> set[str]:
        """Those of the ids that were processed before (a consumer may record some elsewhere)."""
        column = self.table.c.event_id
        return set(self.conn.execute(sa.select(column).where(one_of(self.conn, column, event_ids))).scalars())

    def mark_processed(self, event_id: str) -> None:
        self._marked.append({"event_id": event_id})
        self._known.add(event_id)

    def flush_processed(self) -> None:
        if self._marked:
            self.conn.execute(self.table.insert(), self._marked)
            self._marked = []
