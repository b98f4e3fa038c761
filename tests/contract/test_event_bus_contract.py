"""The embedded SQLite log and Kafka keep the same promises: order per key, at-least-once
delivery with committed offsets, independent consumer groups, replay, and no loss when the
broker restarts in the middle of a stream."""

from __future__ import annotations

import subprocess
import threading
import time
import uuid
from collections import defaultdict
from pathlib import Path

import pytest
from real_engines import engine_address

from services.common.bus.port import AbstractEventBus
from services.common.events import Event

REPO = Path(__file__).resolve().parents[2]


class BusUnderTest:
    """Opens the adapter, and restarts its 'broker' the way that adapter can crash."""

    def __init__(self, kind: str, tmp_path: Path):
        self.kind, self.tmp_path = kind, tmp_path
        if kind == "kafka":
            self.bootstrap = engine_address("PARKLOOP_TEST_KAFKA_BOOTSTRAP", "Kafka")

    def open(self) -> AbstractEventBus:
        if self.kind == "sqlite-log":
            from services.common.bus.sqlite_log import SqliteEventLog

            return SqliteEventLog(self.tmp_path / "events.db")
        from services.common.bus.kafka_bus import KafkaEventBus

        return KafkaEventBus(self.bootstrap)

    def restart_broker(self) -> None:
        if self.kind == "kafka":
            engines_dir = engine_address("PARKLOOP_TEST_ENGINES_DIR", "the engines directory")
            subprocess.run(
                ["bash", str(REPO / "infra/engines/kafka.sh"), "restart", engines_dir],
                check=True,
                capture_output=True,
                timeout=120,
            )
        # The SQLite log has no broker process: its "restart" is every process reopening the file,
        # which the test does by opening a new bus and consumers.


@pytest.fixture(params=["sqlite-log", "kafka"])
def bus_under_test(request, tmp_path):
    return BusUnderTest(request.param, tmp_path)


@pytest.fixture
def topic():
    return f"contract.{uuid.uuid4().hex[:10]}"


def events(n: int, keys: int = 5) -> list[Event]:
    return [Event("ThingHappened", f"key-{i % keys}", {"n": i}) for i in range(n)]


def drain(consumer, want: int, timeout_s: float = 60, commit: bool = True) -> list:
    got, deadline = [], time.monotonic() + timeout_s
    while len({d.event.id for d in got}) < want and time.monotonic() < deadline:
        batch = consumer.poll(max_records=500, timeout_s=0.5)
        got.extend(batch)
        if commit:
            for delivery in batch:
                consumer.commit(delivery)
    return got


def test_every_event_arrives_in_order_per_key(bus_under_test, topic):
    bus = bus_under_test.open()
    bus.ensure_topics([topic])
    sent = events(60)
    for event in sent:
        bus.publish(topic, event)
    with bus.consumer(f"g-{topic}", [topic]) as consumer:
        got = drain(consumer, len(sent))
    by_key = defaultdict(list)
    for delivery in got:
        by_key[delivery.event.key].append(delivery.event.payload["n"])
    assert {d.event.id for d in got} == {e.id for e in sent}
    for key, numbers in by_key.items():
        assert numbers == sorted(numbers), f"{key} out of order"


def test_a_batch_published_at_once_arrives_whole_in_order_per_key_and_commits_in_one_call(bus_under_test, topic):
    bus = bus_under_test.open()
    bus.ensure_topics([topic])
    sent = events(3000)
    bus.publish_many([(topic, event) for event in sent])  # as the outbox relay publishes
    with bus.consumer(f"g-{topic}", [topic]) as consumer:
        got = drain(consumer, len(sent), commit=False)
        consumer.commit_all(got)
    assert sorted(d.event.payload["n"] for d in got) == list(range(3000))
    by_key = defaultdict(list)
    for delivery in got:
        by_key[delivery.event.key].append(delivery.event.payload["n"])
    assert all(numbers == sorted(numbers) for numbers in by_key.values())
    with bus.consumer(f"g-{topic}", [topic]) as consumer:  # commit_all committed every partition's last
        assert drain(consumer, 1, timeout_s=3) == []


def test_a_consumer_that_crashes_before_committing_gets_the_events_again(bus_under_test, topic):
    bus = bus_under_test.open()
    bus.ensure_topics([topic])
    sent = events(20)
    for event in sent:
        bus.publish(topic, event)
    group = f"g-{topic}"
    with bus.consumer(group, [topic]) as first:
        seen = drain(first, len(sent), commit=False)  # processed, never committed: then the crash
    assert {d.event.id for d in seen} == {e.id for e in sent}
    with bus.consumer(group, [topic]) as second:
        again = drain(second, len(sent))
    assert {d.event.id for d in again} == {e.id for e in sent}


def test_a_group_resumes_after_its_last_commit_and_loses_nothing(bus_under_test, topic):
    bus = bus_under_test.open()
    bus.ensure_topics([topic])
    first_half, second_half = events(10), events(10)
    for event in first_half:
        bus.publish(topic, event)
    group = f"g-{topic}"
    with bus.consumer(group, [topic]) as consumer:
        drain(consumer, len(first_half))
    for event in second_half:
        bus.publish(topic, event)
    with bus.consumer(group, [topic]) as consumer:
        resumed = drain(consumer, len(second_half))
    assert {d.event.id for d in resumed} == {e.id for e in second_half}


def test_consumer_groups_are_independent(bus_under_test, topic):
    bus = bus_under_test.open()
    bus.ensure_topics([topic])
    sent = events(15)
    for event in sent:
        bus.publish(topic, event)
    for group in ("matching", "ledger"):
        with bus.consumer(f"{group}-{topic}", [topic]) as consumer:
            assert {d.event.id for d in drain(consumer, len(sent))} == {e.id for e in sent}


def test_a_consumer_can_replay_from_an_offset(bus_under_test, topic):
    bus = bus_under_test.open()
    bus.ensure_topics([topic])
    sent = events(12, keys=1)  # one key: one partition, so offsets are the order
    for event in sent:
        bus.publish(topic, event)
    with bus.consumer(f"g-{topic}", [topic]) as consumer:
        got = drain(consumer, len(sent))
        fifth = sorted(got, key=lambda d: d.offset)[4]
        consumer.seek(topic, fifth.partition, fifth.offset)
        replayed = drain(consumer, len(sent) - 4)
    assert [d.event.payload["n"] for d in sorted(replayed, key=lambda d: d.offset)] == list(range(4, 12))


def test_a_broker_restart_in_the_middle_of_a_stream_loses_nothing(bus_under_test, topic):
    bus = bus_under_test.open()
    bus.ensure_topics([topic])
    sent = events(300)
    group = f"g-{topic}"

    def produce():  # paced, so the restart lands in the middle and some publishes meet a down broker
        for event in sent:
            bus.publish(topic, event)
            time.sleep(0.02)

    producer = threading.Thread(target=produce)
    with bus.consumer(group, [topic]) as consumer:
        producer.start()
        got = drain(consumer, 50, timeout_s=60)
    bus_under_test.restart_broker()
    producer.join(timeout=180)
    assert not producer.is_alive(), "publishing did not finish after the broker came back"
    reopened, expected = bus_under_test.open(), {e.id for e in sent}
    seen, deadline = {d.event.id for d in got}, time.monotonic() + 120
    with reopened.consumer(group, [topic]) as consumer:
        while seen != expected and time.monotonic() < deadline:
            for delivery in consumer.poll(max_records=500, timeout_s=0.5):
                seen.add(delivery.event.id)
                consumer.commit(delivery)
    assert seen == expected


def test_a_groups_lag_counts_the_events_it_has_not_committed(bus_under_test, topic):
    bus = bus_under_test.open()
    bus.ping()
    bus.ensure_topics([topic])
    bus.publish_many([(topic, e) for e in events(12, keys=1)])  # one key: one partition, one order
    assert bus.lag("never-consumed", [topic]) == {topic: 12}
    group = f"lag-{uuid.uuid4().hex[:8]}"
    with bus.consumer(group, [topic]) as consumer:
        got = drain(consumer, 12, commit=False)
        consumer.commit_all(got[:5])
    assert bus.lag(group, [topic]) == {topic: 7}
    with bus.consumer(group, [topic]) as consumer:
        consumer.commit_all(drain(consumer, 7, commit=False))
    assert bus.lag(group, [topic]) == {topic: 0}
    bus.close()
