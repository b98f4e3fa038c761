"""The transactional outbox: a service writes its rows and their events in one transaction,
and a relay publishes them afterwards. A crash between commit and publish loses nothing:
the relay finds the unpublished rows when it starts again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa

from .bus import AbstractEventBus, envelope
from .db import as_utc, waiter, write_transaction
from .doorbell import SAFETY_WAIT_S
from .events import Event
from .notify import notify_on_commit


def outbox_table(metadata: sa.MetaData) -> sa.Table:
    unpublished = sa.text("published_at IS NULL")
    table = sa.Table(
        "outbox",
        metadata,
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("event_id", sa.String(36), nullable=False, unique=True),
        sa.Column("topic", sa.String(100), nullable=False),
        sa.Column("event", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        # the relay's next batch, in order, from an index of the unpublished rows only (not the whole backlog sorted)
        sa.Index("ix_outbox_unpublished", "seq", postgresql_where=unpublished, sqlite_where=unpublished),
    )
    return notify_on_commit(table)  # the relay waits for its rows


@dataclass(frozen=True)
class StoredEvent(Event):
    """An outbox row's event, which goes to the bus as the bytes it was stored as (written by
    `Event.to_json` in `add_to_outbox`) instead of being encoded again."""

    stored: bytes = field(default=b"", repr=False, compare=False)

    def to_json(self) -> bytes:
        return self.stored

    @classmethod
    def of_row(cls, text: str) -> StoredEvent:
        return cls(**envelope.loads(text), stored=text.encode())


def add_to_outbox(conn: sa.Connection, outbox: sa.Table, topic: str, event: Event) -> None:
    conn.execute(outbox.insert().values(event_id=event.id, topic=topic, event=event.to_json().decode()))


def outbox_backlog(engine: sa.Engine, outbox: sa.Table) -> tuple[int, datetime | None]:
    """How many events wait to be published, and when the oldest of them was written."""
    with engine.connect() as conn:
        row = conn.execute(
            sa.select(sa.func.count(), sa.func.min(outbox.c.created_at)).where(outbox.c.published_at.is_(None))
        ).one()
    return row[0], as_utc(row[1])


class OutboxRelay:
    """Publishes outbox rows in the order they were written, then marks them published."""

    def __init__(
        self,
        engine: sa.Engine,
        outbox: sa.Table,
        bus: AbstractEventBus,
        topics: tuple[str, ...] = (),
        batch_size: int = 1000,
    ):
        self.engine, self.outbox, self.bus, self.batch_size = engine, outbox, bus, batch_size
        self.topics = list(topics)  # created on the bus before the first publish

    def pending(self) -> int:
        with self.engine.connect() as conn:
            return conn.scalar(sa.select(sa.func.count()).where(self.outbox.c.published_at.is_(None)))

    def relay_once(self) -> int:
        """Publish one batch; returns how many events went out.

        The whole batch goes to the bus at once (`publish_many`: on Kafka asynchronous sends and one
        flush) and is marked published in one transaction only once the bus has acknowledged every
        event of it. Publish before marking: a failure or a crash in between leaves the batch
        unpublished, and publishing it again repeats event ids, which the bus and every consumer
        drop as duplicates."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(self.outbox.c.seq, self.outbox.c.topic, self.outbox.c.event)
                .where(self.outbox.c.published_at.is_(None))
                .order_by(self.outbox.c.seq)
                .limit(self.batch_size)
            ).all()
        if not rows:
            return 0
        self.bus.publish_many([(row.topic, StoredEvent.of_row(row.event)) for row in rows])
        with write_transaction(self.engine) as conn:
            conn.execute(
                self.outbox.update()
                .where(self.outbox.c.seq.in_([row.seq for row in rows]))
                .values(published_at=sa.func.now())
            )
        return len(rows)

    def run(self, stop, idle_wait_s: float = SAFETY_WAIT_S) -> None:
        """Relay until `stop()`. A failure (the bus down) ends the run with the rows kept; the
        worker starts it again, topics first, since the bus may have been the one starting.
        With nothing to publish it blocks until a commit of outbox rows wakes it (services.common.db
        .waiter), looking again after `idle_wait_s` at the latest."""
        self.bus.ensure_topics(self.topics)
        with waiter(self.engine, self.outbox.name) as idle:
            while not stop():
                if not self.relay_once():
                    idle.wait(idle_wait_s)
