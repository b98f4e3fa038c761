"""The transactional outbox of the listings service: a row and its event commit together or
not at all, and a relay crash on either side of publishing still leaves exactly one copy
of the event on the bus."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from services.common.events import LISTINGS_TOPIC, Event
from services.common.outbox import OutboxRelay
from services.listings.adapters.tables import enterprises, outbox, parks


class Crash(Exception):
    """Stands in for the relay process dying at a chosen moment."""


class CrashAfterPublishing:
    """A bus that really publishes, then dies before the relay can mark the rows."""

    def __init__(self, bus):
        self.bus = bus

    def publish_many(self, messages):
        self.bus.publish_many(messages)
        raise Crash("relay died after publishing")


class DownBus:
    def publish_many(self, messages):
        raise Crash("bus unreachable")


class FailingFlush:
    """Sends the first events of the batch, then the flush reports that one of them failed."""

    def __init__(self, bus, sent: int):
        self.bus, self.sent = bus, sent

    def publish_many(self, messages):
        self.bus.publish_many(messages[: self.sent])
        raise Crash(f"flush failed: {len(messages) - self.sent} sends not acknowledged")


def outbox_rows(engine) -> list:
    with engine.connect() as conn:
        return conn.execute(sa.select(outbox).order_by(outbox.c.seq)).all()


def count(engine, table) -> int:
    with engine.connect() as conn:
        return conn.scalar(sa.select(sa.func.count()).select_from(table))


def on_bus(event_log) -> list[Event]:
    with event_log.consumer("test-reader", [LISTINGS_TOPIC]) as consumer:
        found = []
        while batch := consumer.poll(timeout_s=0):
            found.extend(d.event for d in batch)
        return found


def test_committing_a_park_writes_its_row_and_its_event_in_the_outbox(uow, engine, make_park):
    park = make_park()
    with uow() as work:
        work.parks.add(park)
        work.commit()

    (row,) = outbox_rows(engine)
    assert row.topic == LISTINGS_TOPIC and row.published_at is None
    stored = Event.from_json(row.event)
    assert (stored.type, stored.key, stored.payload["name"]) == ("ParkCreated", park.id, park.name)
    assert count(engine, parks) == 1
    assert park.events == []  # handed to the outbox, not kept for a second commit


def test_a_committed_event_not_yet_relayed_is_published_by_a_fresh_relay(uow, engine, event_log, make_park):
    park = make_park()
    with uow() as work:
        work.parks.add(park)
        work.commit()
    # the process "crashes" here: nothing relayed yet

    relay = OutboxRelay(engine, outbox, event_log)
    assert relay.pending() == 1
    assert relay.relay_once() == 1

    assert [(e.type, e.key) for e in on_bus(event_log)] == [("ParkCreated", park.id)]
    assert relay.pending() == 0
    assert outbox_rows(engine)[0].published_at is not None
    assert relay.relay_once() == 0


def test_a_crash_after_publishing_but_before_marking_leaves_one_copy_on_the_bus(
    uow, engine, event_log, make_park, make_enterprise
):
    park = make_park()
    with uow() as work:
        work.parks.add(park)
        work.enterprises.add(make_enterprise(park))
        work.commit()

    with pytest.raises(Crash):
        OutboxRelay(engine, outbox, CrashAfterPublishing(event_log)).relay_once()
    assert OutboxRelay(engine, outbox, event_log).pending() == 2  # the first was published, not marked

    assert OutboxRelay(engine, outbox, event_log).relay_once() == 2

    assert [e.type for e in on_bus(event_log)] == ["ParkCreated", "EnterpriseRegistered"]
    assert all(row.published_at is not None for row in outbox_rows(engine))


def test_events_are_relayed_in_the_order_they_were_committed(uow, engine, event_log, make_park):
    first, second = make_park("Park One"), make_park("Park Two")
    for park in (first, second):
        with uow() as work:
            work.parks.add(park)
            work.commit()

    OutboxRelay(engine, outbox, event_log, batch_size=1).relay_once()
    OutboxRelay(engine, outbox, event_log, batch_size=1).relay_once()

    assert [e.key for e in on_bus(event_log)] == [first.id, second.id]


def test_while_the_bus_is_down_the_event_stays_pending(uow, engine, event_log, make_park):
    with uow() as work:
        work.parks.add(make_park())
        work.commit()

    with pytest.raises(Crash):
        OutboxRelay(engine, outbox, DownBus()).relay_once()

    relay = OutboxRelay(engine, outbox, event_log)
    assert relay.pending() == 1
    assert relay.relay_once() == 1


def test_a_failed_flush_leaves_the_whole_batch_unpublished_and_a_retry_sends_each_event_once(
    uow, engine, event_log, make_park
):
    parks_in_order = [make_park(f"Park {n}") for n in range(5)]
    for park in parks_in_order:
        with uow() as work:
            work.parks.add(park)
            work.commit()

    with pytest.raises(Crash):
        OutboxRelay(engine, outbox, FailingFlush(event_log, sent=2)).relay_once()
    assert all(row.published_at is None for row in outbox_rows(engine))  # none marked, not even the two sent

    relay = OutboxRelay(engine, outbox, event_log)
    assert relay.pending() == 5 and relay.relay_once() == 5 and relay.pending() == 0
    assert [e.key for e in on_bus(event_log)] == [p.id for p in parks_in_order]  # the log drops repeated ids


def test_a_failed_transaction_leaves_neither_row_nor_event(uow, engine, make_park):
    with pytest.raises(RuntimeError):
        with uow() as work:
            work.parks.add(make_park())
            raise RuntimeError("the use case failed half-way")

    assert count(engine, parks) == 0
    assert outbox_rows(engine) == []


def test_a_unit_of_work_left_without_commit_is_rolled_back(uow, engine, make_park):
    with uow() as work:
        work.parks.add(make_park())

    assert count(engine, parks) == 0
    assert outbox_rows(engine) == []


def test_a_commit_refused_by_the_database_keeps_nothing_of_the_transaction(uow, engine, make_park, make_enterprise):
    park = make_park()
    first = make_enterprise(park)
    with uow() as work:
        work.parks.add(park)
        work.enterprises.add(first)
        work.commit()

    twin = make_enterprise(park)
    twin.credit_code = first.credit_code  # the table's unique constraint refuses it
    other_park = make_park("Another Park")
    with pytest.raises(sa.exc.IntegrityError):
        with uow() as work:
            work.parks.add(other_park)
            work.enterprises.add(twin)
            work.commit()

    assert count(engine, parks) == 1
    assert count(engine, enterprises) == 1
    assert [Event.from_json(r.event).type for r in outbox_rows(engine)] == ["ParkCreated", "EnterpriseRegistered"]
