"""Database engines and migrations, the same for every service.

SQLite (embedded default) gets WAL and a busy timeout so a service's web workers and its
relay share one file; PostgreSQL is used as it comes.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from .doorbell import Doorbell, Waiter
from .notify import NotifyWaiter


def as_utc(moment: datetime | None) -> datetime | None:
    """SQLite hands datetimes back without their zone; every one was stored as UTC."""
    return moment if moment is None or moment.tzinfo else moment.replace(tzinfo=UTC)


WRITE = "parkloop_write"  # execution option: this connection's transactions will write


@contextmanager
def write_transaction(engine: sa.Engine) -> Iterator[sa.Connection]:
    """A transaction that writes. On SQLite it takes the write lock at BEGIN: one that read
    first and wrote later would fail at once ("database is locked") if another writer held
    the lock, instead of waiting for it."""
    with engine.connect().execution_options(**{WRITE: True}) as conn, conn.begin():
        yield conn
    ring(engine)


def database_unavailable(error: BaseException) -> bool:
    """The database cannot answer now (its server down or restarting, the connection lost, the pool
    exhausted, SQLite's file busy), as opposed to refusing a statement, which is a bug: worth a retry."""
    if isinstance(error, sa.exc.TimeoutError):
        return True
    if not isinstance(error, sa.exc.DBAPIError):
        return False
    if error.connection_invalidated:
        return True
    if isinstance(error.orig, sqlite3.Error):  # its OperationalError also means "no such table"
        return isinstance(error.orig, sqlite3.OperationalError) and "locked" in str(error.orig)
    return isinstance(error, sa.exc.OperationalError | sa.exc.InterfaceError)


def ring(engine: sa.Engine) -> None:
    """After a commit: wake the processes waiting for new rows in this database (SQLite only)."""
    bell = doorbell(engine)
    if bell is not None:
        bell.ring()


def doorbell(engine: sa.Engine) -> Doorbell | None:
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        return None
    return Doorbell.beside(database)


def waiter(engine: sa.Engine, table: str) -> Waiter | NotifyWaiter:
    """How a worker waits for another process's commit of rows to `table`: at the SQLite file's
    doorbell (rung by `write_transaction` and the unit of work, whatever they wrote), or on
    PostgreSQL at the table's own (notify.py: its trigger notifies at commit)."""
    bell = doorbell(engine)
    return bell.waiter() if bell is not None else NotifyWaiter(engine, table)


def create_engine(url: str) -> sa.Engine:
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

        @sa.event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):
            # pysqlite's own transaction handling defers BEGIN; take it over so that
            # SQLAlchemy's BEGIN really starts the transaction (and locks in time).
            dbapi_conn.isolation_level = None
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        @sa.event.listens_for(engine, "begin")
        def _sqlite_begin(conn):
            # A unit of work reads then writes: it takes the write lock up front so two of
            # them cannot deadlock on the upgrade. Plain reads never hold the lock.
            conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(WRITE) else "BEGIN")

        return engine
    return sa.create_engine(url, pool_pre_ping=True, future=True)


def migrate(url: str, migrations_dir: Path) -> None:
    """Bring the database to the newest Alembic revision of one service."""
    config = Config()
    config.set_main_option("script_location", str(migrations_dir))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    command.upgrade(config, "head")
