"""Consumers apply each event once: its id is recorded in the same transaction as its effect,
so a redelivered event (at-least-once buses) is recognised and changes nothing."""

from __future__ import annotations

import sqlalchemy as sa


def processed_events_table(metadata: sa.MetaData) -> sa.Table:
    return sa.Table(
        "processed_events",
        metadata,
        sa.Column("event_id", sa.String(36), primary_key=True),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )


class ProcessedEvents:
    """Used inside a consumer's transaction on `conn`."""

    def __init__(self, conn: sa.Connection, table: sa.Table):
        self.conn, self.table = conn, table

    def already_processed(self, event_id: str) -> bool:
        return (
            self.conn.execute(sa.select(self.table.c.event_id).where(self.table.c.event_id == event_id)).first()
            is not None
        )

    def mark_processed(self, event_id: str) -> None:
        self.conn.execute(self.table.insert().values(event_id=event_id))
