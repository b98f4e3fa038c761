"""An idle worker waits for another process's commit of the rows it serves, on both databases:
the outbox relay for outbox rows, the webhook dispatcher for due deliveries. On SQLite the file's
doorbell wakes it, on PostgreSQL the table's notification at commit (services/common/notify.py);
either way a commit wakes it at once, one made before its wait still counts, nothing rolled back
does, and a stop ends its wait. Databases are migrated as the services migrate them; metadata's
`create_all` gives PostgreSQL tables the same trigger."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from real_engines import fresh_postgres_database

from services.common.db import create_engine, migrate, waiter, write_transaction
from services.common.doorbell import interrupt_waits
from services.common.events import Event
from services.common.outbox import add_to_outbox
from services.listings.adapters.tables import outbox
from services.listings.bootstrap import MIGRATIONS as LISTINGS_MIGRATIONS
from services.matching.adapters.tables import metadata as matching_metadata
from services.matching.adapters.tables import webhook_deliveries
from services.matching.bootstrap import MIGRATIONS as MATCHING_MIGRATIONS

NOW = datetime(2026, 3, 1, tzinfo=UTC)
WAKES_AT_ONCE_S = 30.0  # a wait this long that returns True was ended by the commit, not by its timeout


@pytest.fixture
def listings_engine(database_url):
    migrate(database_url, LISTINGS_MIGRATIONS)
    engine = create_engine(database_url)
    yield engine
    engine.dispose()


def commit_event(engine, n: int = 0) -> None:
    """What the listings service's unit of work writes: an event in the outbox, then the commit."""
    with write_transaction(engine) as conn:
        add_to_outbox(conn, outbox, "listings.v1", Event("OfferPublished", f"offer-{n}", {"n": n}))


def committed_meanwhile(idle, commit) -> bool:
    """Wait while another thread commits: whether the wait ended woken."""
    woken: list[bool] = []
    waiting = threading.Thread(target=lambda: woken.append(idle.wait(WAKES_AT_ONCE_S)))
    waiting.start()
    commit()
    waiting.join(WAKES_AT_ONCE_S + 5)
    return woken == [True]


def test_a_commit_of_outbox_rows_wakes_the_waiting_relay(listings_engine):
    with waiter(listings_engine, outbox.name) as idle:
        assert idle.wait(0.2) is False  # nothing committed: the timeout ends the wait
        assert committed_meanwhile(idle, lambda: commit_event(listings_engine))
        assert idle.wait(0.2) is False  # that commit woke it once


def test_a_commit_before_the_wait_is_kept_until_the_wait(listings_engine):
    with waiter(listings_engine, outbox.name) as idle:
        commit_event(listings_engine, 1)
        commit_event(listings_engine, 2)
        assert idle.wait(WAKES_AT_ONCE_S) is True
        # PostgreSQL sends each transaction's notification on its own: the second may wake it once more.
        later = [idle.wait(0.2) for _ in range(3)]
        assert later.count(True) <= 1 and later[-1] is False


def test_a_rolled_back_transaction_wakes_nobody(listings_engine):
    with waiter(listings_engine, outbox.name) as idle:
        with pytest.raises(RuntimeError), write_transaction(listings_engine) as conn:
            add_to_outbox(conn, outbox, "listings.v1", Event("OfferPublished", "offer-9", {}))
            raise RuntimeError("the use case failed")
        assert idle.wait(0.5) is False


def test_a_stop_ends_the_wait_at_once(listings_engine):
    with waiter(listings_engine, outbox.name) as idle:
        waiting = threading.Thread(target=idle.wait, args=(600,))
        waiting.start()
        interrupt_waits()
        waiting.join(WAKES_AT_ONCE_S)
        assert not waiting.is_alive()


def deliveries_engine(url: str, migrated: bool) -> sa.Engine:
    if migrated:
        migrate(url, MATCHING_MIGRATIONS)
        return create_engine(url)
    engine = create_engine(url)
    matching_metadata.create_all(engine)
    return engine


def queue_delivery(engine) -> None:
    """What the matching worker writes when it queues an alert."""
    with write_transaction(engine) as conn:
        conn.execute(
            webhook_deliveries.insert().values(
                id="msg_1",
                subscription_id="sub-1",
                event_type="match.found",
                payload={},
                occurred_at=NOW,
                status="pending",
                attempts=0,
                next_attempt_at=NOW,
            )
        )


def set_status(engine, status: str) -> None:
    """An attempt recorded (delivered), or a redelivery asked for (pending)."""
    with write_transaction(engine) as conn:
        conn.execute(webhook_deliveries.update().values(status=status, next_attempt_at=NOW))


@pytest.mark.parametrize("made_by", ["migration", "create_all"])
def test_a_queued_or_redelivered_alert_wakes_the_waiting_dispatcher(database_url, made_by):
    engine = deliveries_engine(database_url, made_by == "migration")
    try:
        with waiter(engine, webhook_deliveries.name) as idle:
            assert committed_meanwhile(idle, lambda: queue_delivery(engine))
            set_status(engine, "delivered")
            idle.wait(0.2)  # SQLite's doorbell rings for every commit; PostgreSQL only for due deliveries
            assert committed_meanwhile(idle, lambda: set_status(engine, "pending"))
    finally:
        engine.dispose()


def test_on_postgresql_the_dispatchers_own_claims_and_records_do_not_wake_it():
    """It would wake itself, as its empty claims once did on SQLite (whose doorbell rings for every
    commit to the file, so this holds on PostgreSQL only)."""
    with fresh_postgres_database() as url:
        engine = deliveries_engine(url, migrated=True)
        try:
            queue_delivery(engine)
            with waiter(engine, webhook_deliveries.name) as idle:
                with write_transaction(engine) as conn:  # a claim, then the attempt recorded
                    conn.execute(webhook_deliveries.update().values(claimed_until=NOW))
                    conn.execute(webhook_deliveries.update().values(status="delivered", attempts=1))
                assert idle.wait(0.5) is False
                set_status(engine, "pending")  # while a redelivery does
                assert idle.wait(WAKES_AT_ONCE_S) is True
        finally:
            engine.dispose()
