"""One transaction per use case, with the events of every changed aggregate written to the
outbox inside it: the rows and their events commit together or not at all."""

from __future__ import annotations

import sqlalchemy as sa

from .db import WRITE, ring
from .outbox import add_to_outbox


class TrackingRepository:
    """Remembers the aggregates it stored so the unit of work can collect their events, and
    names the topic those events go to."""

    topic: str

    def __init__(self, conn: sa.Connection):
        self.conn = conn
        self.seen: list = []

    def _track(self, aggregate) -> None:
        self.seen.append(aggregate)


class SqlUnitOfWork:
    """Subclasses build their repositories in `open_repositories`."""

    def __init__(self, engine: sa.Engine, outbox: sa.Table):
        self.engine, self.outbox = engine, outbox

    def open_repositories(self, conn: sa.Connection) -> list[TrackingRepository]:
        raise NotImplementedError

    def __enter__(self):
        self.conn = self.engine.connect().execution_options(**{WRITE: True})
        self.tx = self.conn.begin()
        self.repositories = self.open_repositories(self.conn)
        return self

    def commit(self) -> None:
        for repository in self.repositories:
            for aggregate in repository.seen:
                for event in aggregate.events:
                    add_to_outbox(self.conn, self.outbox, repository.topic, event)
                aggregate.events.clear()
        self.tx.commit()
        ring(self.engine)  # the outbox relay waits for these events

    def __exit__(self, *exc):
        if self.tx.is_active:
            self.tx.rollback()
        self.conn.close()
