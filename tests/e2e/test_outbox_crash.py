"""An event committed with its listing survives a relay crash before publishing, exactly once."""

from __future__ import annotations

import os
import signal
import sqlite3
import time

from .conftest import steam_offer


def events_for(system, listing_id: str) -> list[str]:
    with sqlite3.connect(system.data_dir / "events.db") as conn:
        rows = conn.execute("SELECT value FROM events WHERE topic = 'listings.v1' AND key = ?", (listing_id,))
        return [row[0] for row in rows]


def wait_for(predicate, timeout_s: float = 20):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def holds_a_write_lock(path) -> bool:
    conn = sqlite3.connect(path, timeout=0.05)
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError:
        return True
    finally:
        conn.close()


def freeze_between_transactions(system, pid: int) -> None:
    """SIGSTOP the relay at a moment it holds no write lock on the listings database (a relay
    frozen inside a transaction would block the service, which is not the crash under test)."""
    for _ in range(200):
        os.kill(pid, signal.SIGSTOP)
        if not holds_a_write_lock(system.data_dir / "listings.db"):
            return
        os.kill(pid, signal.SIGCONT)
        time.sleep(0.02)
    raise AssertionError("the relay never let go of the listings database")


def test_an_offer_committed_while_the_relay_is_down_is_published_once_after_it_restarts(system, world):
    relay_pid = system.pid_of("listings-relay")
    freeze_between_transactions(system, relay_pid)  # the commit will happen, the publish cannot
    try:
        offer = world.a1.api.post("offers", steam_offer(title="Committed before the crash")).json()
        time.sleep(1)
        assert events_for(system, offer["id"]) == []
    finally:
        os.kill(relay_pid, signal.SIGKILL)  # and then crashes without ever publishing
    assert wait_for(lambda: system.pid_of("listings-relay") != relay_pid), "the supervisor restarted no relay"
    assert wait_for(lambda: len(events_for(system, offer["id"])) == 1)
    time.sleep(1)
    published = events_for(system, offer["id"])
    assert len(published) == 1 and b"OfferPublished" in published[0]
