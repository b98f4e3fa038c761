"""`parkloop backup` and `restore` on their own: what they refuse, and a damaged backup."""

from __future__ import annotations

import sqlite3

import pytest

from parkloop.backup import ORDER, BackupError, backup, restore
from services.common.bus.sqlite_log import SqliteEventLog
from services.common.events import LISTINGS_TOPIC, Event


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    """An embedded data directory with a database per service, an event log and two secrets."""
    live = tmp_path / "live"
    live.mkdir()
    monkeypatch.setenv("PARKLOOP_DATA", str(live))
    for name in ("GATEWAY", "LISTINGS", "MATCHING", "LEDGER"):
        monkeypatch.delenv(f"{name}_DATABASE_URL", raising=False)
    monkeypatch.delenv("EVENT_BUS", raising=False)
    for name in ("gateway", "listings", "matching", "ledger"):
        with sqlite3.connect(live / f"{name}.db") as conn:
            conn.execute("CREATE TABLE things (id INTEGER PRIMARY KEY)")
            conn.executemany("INSERT INTO things VALUES (?)", [(n,) for n in range(3)])
    in_log = Event("ThingHappened", "k", {})
    SqliteEventLog(live / "events.db").publish(LISTINGS_TOPIC, in_log)
    with sqlite3.connect(live / "listings.db") as conn:  # outbox: an event the log holds, one it lacks
        conn.execute("CREATE TABLE outbox (seq INTEGER PRIMARY KEY, event_id TEXT, published_at TEXT)")
        conn.executemany(
            "INSERT INTO outbox (event_id, published_at) VALUES (?, '2026-11-30 00:00:00')",
            [(in_log.id,), ("published-after-the-log-was-copied",)],
        )
    (live / "ledger-signing.key").write_text("PRIVATE+KEY+x\n")
    (live / "admin.key").write_text("plk_x\n")
    return live


def test_the_consumers_are_copied_before_the_log_and_the_log_before_the_producer():
    assert max(ORDER.index("matching"), ORDER.index("ledger")) < ORDER.index("events") < ORDER.index("listings")


def test_a_backup_restores_every_database_and_secret_with_its_counts(data_dir, tmp_path):
    manifest = backup(tmp_path / "backup", data_dir)
    assert manifest["databases"]["listings"]["rows"] == {"things": 3, "outbox": 2}
    assert manifest["databases"]["events"]["rows"]["events"] == 1
    restore(tmp_path / "backup", tmp_path / "restored")
    assert (tmp_path / "restored" / "ledger-signing.key").read_text() == "PRIVATE+KEY+x\n"
    assert (tmp_path / "restored" / "admin.key").stat().st_mode & 0o077 == 0  # owner only
    with sqlite3.connect(tmp_path / "restored" / "matching.db") as conn:
        assert conn.execute("SELECT COUNT(*) FROM things").fetchone()[0] == 3


def test_an_event_listings_marks_published_but_the_logs_copy_lacks_is_published_again(data_dir, tmp_path):
    backup(tmp_path / "backup", data_dir)
    with sqlite3.connect(tmp_path / "backup" / "listings.db") as conn:
        unpublished = conn.execute("SELECT event_id FROM outbox WHERE published_at IS NULL").fetchall()
    assert unpublished == [("published-after-the-log-was-copied",)]


def test_a_database_that_is_not_sqlite_is_refused_naming_its_variable(data_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("LEDGER_DATABASE_URL", "postgresql+psycopg://db/ledger")
    with pytest.raises(BackupError, match="LEDGER_DATABASE_URL"):
        backup(tmp_path / "backup", data_dir)
    monkeypatch.delenv("LEDGER_DATABASE_URL")
    monkeypatch.setenv("EVENT_BUS", "kafka://broker:9092")
    with pytest.raises(BackupError, match="EVENT_BUS"):
        backup(tmp_path / "backup", data_dir)


def test_neither_writes_into_a_directory_that_holds_files(data_dir, tmp_path):
    (tmp_path / "backup").mkdir()
    (tmp_path / "backup" / "old").write_text("x")
    with pytest.raises(BackupError, match="not empty"):
        backup(tmp_path / "backup", data_dir)
    backup(tmp_path / "fresh", data_dir)
    with pytest.raises(BackupError, match="not empty"):
        restore(tmp_path / "fresh", data_dir)


def test_a_damaged_backup_is_refused_before_anything_is_restored(data_dir, tmp_path):
    backup(tmp_path / "backup", data_dir)
    with (tmp_path / "backup" / "ledger.db").open("r+b") as fh:
        fh.seek(200)
        fh.write(b"\xff")
    with pytest.raises(BackupError, match="ledger.db does not match"):
        restore(tmp_path / "backup", tmp_path / "restored")
    assert not (tmp_path / "restored").exists()
