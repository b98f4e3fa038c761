"""The embedded event bus: a durable append-only log in one SQLite file.

One partition per topic (so order holds for every key), consumer groups with committed
offsets, and an event id unique per topic so a relay that re-publishes after a crash adds
nothing twice. WAL mode lets several processes append and read at once. A publish rings the log's
doorbell (services.common.doorbell), so a consumer with nothing to read blocks until then.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Sequence
from pathlib import Path

from ..doorbell import Doorbell
from ..events import Event
from .port import AbstractConsumer, AbstractEventBus, ConsumedEvent

SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    topic TEXT NOT NULL,
    offset INTEGER NOT NULL,
    key TEXT NOT NULL,
    event_id TEXT NOT NULL,
    value BLOB NOT NULL,
    PRIMARY KEY (topic, offset),
    UNIQUE (topic, event_id)
);
CREATE TABLE IF NOT EXISTS group_offsets (
    group_id TEXT NOT NULL,
    topic TEXT NOT NULL,
    next_offset INTEGER NOT NULL,
    PRIMARY KEY (group_id, topic)
);
"""


def _connect(path: str) -> sqlite3.Connection:
    conn = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")  # an acknowledged publish survives power loss
    conn.execute("PRAGMA busy_timeout=30000")
    return conn


class SqliteEventLog(AbstractEventBus):
    def __init__(self, path: str | Path):
        self.path = str(path)
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._conn = _connect(self.path)
        self._lock = threading.Lock()
        self._conn.executescript(SCHEMA)
        self.doorbell = Doorbell.beside(self.path)

    def ensure_topics(self, topics: list[str]) -> None:
        """Topics exist implicitly in the log."""

    def publish(self, topic: str, event: Event) -> None:
        self.publish_many([(topic, event)])

    def publish_many(self, messages: Sequence[tuple[str, Event]]) -> None:
        """All in one transaction: one commit (and one fsync) for the batch."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                for topic, event in messages:
                    self._conn.execute(
                        "INSERT OR IGNORE INTO events (topic, offset, key, event_id, value) "
                        "SELECT ?, COALESCE(MAX(offset) + 1, 0), ?, ?, ? FROM events WHERE topic = ?",
                        (topic, event.key, event.id, event.to_json(), topic),
                    )
                self._conn.execute("COMMIT")
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
        self.doorbell.ring()

    def consumer(self, group: str, topics: list[str]) -> SqliteConsumer:
        return SqliteConsumer(self.path, group, topics)

    def ping(self) -> None:
        with self._lock:
            self._conn.execute("SELECT 1 FROM group_offsets LIMIT 1").fetchall()

    def lag(self, group: str, topics: list[str]) -> dict[str, int]:
        with self._lock:
            return {
                topic: self._conn.execute(
                    "SELECT COALESCE((SELECT MAX(offset) + 1 FROM events WHERE topic = ?), 0) - "
                    "COALESCE((SELECT next_offset FROM group_offsets WHERE group_id = ? AND topic = ?), 0)",
                    (topic, group, topic),
                ).fetchone()[0]
                for topic in topics
            }

    def close(self) -> None:
        self._conn.close()


class SqliteConsumer(AbstractConsumer):
    def __init__(self, path: str, group: str, topics: list[str]):
        self._conn = _connect(path)
        self._conn.executescript(SCHEMA)
        self.group = group
        self.topics = list(topics)
        # Taken before the first read, so no publish after that read goes unnoticed.
        self._waiter = Doorbell.beside(path).waiter()
        self._position = {topic: self._committed(topic) for topic in self.topics}

    def _committed(self, topic: str) -> int:
        row = self._conn.execute(
            "SELECT next_offset FROM group_offsets WHERE group_id = ? AND topic = ?", (self.group, topic)
        ).fetchone()
        return row[0] if row else 0

    def poll(self, max_records: int = 100, timeout_s: float = 1.0) -> list[ConsumedEvent]:
        """Blocks at most until the next publish (to any topic: then it may return nothing, early)."""
        batch = self._read(max_records)
        if batch or timeout_s <= 0 or not self._waiter.wait(timeout_s):
            return batch
        return self._read(max_records)

    def _read(self, max_records: int) -> list[ConsumedEvent]:
        found: list[ConsumedEvent] = []
        for topic in self.topics:
            rows = self._conn.execute(
                "SELECT offset, value FROM events WHERE topic = ? AND offset >= ? ORDER BY offset LIMIT ?",
                (topic, self._position[topic], max_records - len(found)),
            ).fetchall()
            for offset, value in rows:
                found.append(ConsumedEvent(topic, 0, offset, Event.from_json(value)))
                self._position[topic] = offset + 1
            if len(found) >= max_records:
                break
        return found

    def commit(self, consumed: ConsumedEvent) -> None:
        self._conn.execute(
            "INSERT INTO group_offsets (group_id, topic, next_offset) VALUES (?, ?, ?) "
            "ON CONFLICT (group_id, topic) DO UPDATE SET next_offset = excluded.next_offset",
            (self.group, consumed.topic, consumed.offset + 1),
        )

    def seek(self, topic: str, partition: int, offset: int) -> None:
        self._position[topic] = offset

    def close(self) -> None:
        self._waiter.close()
        self._conn.close()
