"""The doorbell of a PostgreSQL table: LISTEN/NOTIFY, so that a worker waiting for rows another
process commits (the outbox relay, the webhook dispatcher) wakes at the commit instead of polling.

A trigger on the table notifies a channel named after it; PostgreSQL delivers the notification
when the writing transaction commits, and never for one rolled back. The writers do nothing
more: no extra statement, no extra round trip. The waiter LISTENs on a connection of its own. A
notification that arrives between a waiter's look for work and its wait is kept (on that
connection) until the wait, as the SQLite doorbell keeps its rings (doorbell.py).

The trigger is made with its table: by `notify_on_commit` when metadata creates the table, and by
the migration that adds it to existing databases (`trigger_statements`, the same SQL).
"""

from __future__ import annotations

import contextlib
import os
import select

import sqlalchemy as sa

from .doorbell import track_wait, untrack_wait


def trigger_statements(table: str, when: str | None = None) -> list[str]:
    """SQL creating the trigger that notifies channel `table` at commit when rows are inserted, or
    when `when` (a condition on NEW) holds after a row is inserted or its `status` set."""
    function = f"parkloop_notify_{table}"
    create_function = (
        f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS "
        f"$$ BEGIN PERFORM pg_notify('{table}', ''); RETURN NULL; END $$"
    )
    if when is None:
        trigger = f"AFTER INSERT ON {table} FOR EACH STATEMENT"
    else:  # one notification per transaction however many rows: PostgreSQL folds repeats
        trigger = f"AFTER INSERT OR UPDATE OF status ON {table} FOR EACH ROW WHEN ({when})"
    return [
        create_function,
        f"DROP TRIGGER IF EXISTS {table}_notify ON {table}",
        f"CREATE TRIGGER {table}_notify {trigger} EXECUTE FUNCTION {function}()",
    ]


def drop_statements(table: str) -> list[str]:
    return [f"DROP TRIGGER IF EXISTS {table}_notify ON {table}", f"DROP FUNCTION IF EXISTS parkloop_notify_{table}()"]


def notify_on_commit(table: sa.Table, when: str | None = None) -> sa.Table:
    """Give `table` its trigger whenever metadata creates it on PostgreSQL (tests, benchmarks)."""
    for statement in trigger_statements(table.name, when):
        sa.event.listen(table, "after_create", sa.DDL(statement).execute_if(dialect="postgresql"))
    return table


class NotifyWaiter:
    """One process's place at a table's doorbell, from creation until `close`: notifications in
    between are kept. Its own connection, outside the engine's pool."""

    def __init__(self, engine: sa.Engine, table: str):
        pooled = engine.raw_connection()
        self._conn = conn = pooled.driver_connection
        pooled.detach()  # never handed back to the pool: it stays LISTENing
        conn.autocommit = True
        conn.execute(f"LISTEN {table}")
        self._pg = conn.pgconn
        self._interrupt_read, self._interrupt_write = os.pipe2(os.O_NONBLOCK)
        self._poll = select.poll()
        self._poll.register(self._pg.socket, select.POLLIN)
        self._poll.register(self._interrupt_read, select.POLLIN)
        track_wait(self)

    def wait(self, timeout_s: float) -> bool:
        """Block until a notification (True; one since the last wait counts), an interrupt or
        `timeout_s` (False). A lost connection raises: the worker starts again with a new one."""
        if self._notified():
            return True
        self._poll.poll(max(0, int(timeout_s * 1000)))
        with contextlib.suppress(BlockingIOError):
            while os.read(self._interrupt_read, 4096):
                pass
        self._pg.consume_input()
        return self._notified()

    def _notified(self) -> bool:
        notified = False
        while self._pg.notifies() is not None:
            notified = True
        return notified

    def interrupt(self) -> None:
        """End the current or the next wait at once (a worker asked to stop)."""
        with contextlib.suppress(BlockingIOError):
            os.write(self._interrupt_write, b"\0")

    def close(self) -> None:
        untrack_wait(self)
        with contextlib.suppress(Exception):  # the server may have gone: nothing to say goodbye to
            self._conn.close()
        for fd in (self._interrupt_read, self._interrupt_write):
            with contextlib.suppress(OSError):
                os.close(fd)

    def __enter__(self) -> NotifyWaiter:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
