"""The Kafka bus: CRC checks in C, large fetches, a short reconnect backoff, and batched publishing
that reports a batch acknowledged only when every send of it was (kafka-python's producer faked)."""

from __future__ import annotations

import crc32c
import pytest
import sqlalchemy as sa
from kafka.errors import CommitFailedError, KafkaConnectionError, KafkaError, KafkaTimeoutError
from kafka.record import util

from services.common.bus import kafka_bus
from services.common.events import Event
from services.common.outbox import OutboxRelay, add_to_outbox, outbox_table


def test_kafka_python_checks_record_batch_crcs_with_the_c_extension():
    assert util.calc_crc32c.__defaults__ == (crc32c.crc32c,)  # not kafka.record._crc32c's pure Python
    assert util.calc_crc32c(b"123456789") == 0xE3069283  # the CRC-32C check value


def test_consumers_fetch_large_batches_and_every_client_reconnects_within_a_second():
    assert kafka_bus.CONSUMER_FETCH == {
        "max_poll_records": 2000,
        "fetch_max_bytes": 64 * 1024 * 1024,
        "max_partition_fetch_bytes": 16 * 1024 * 1024,
    }
    assert kafka_bus.RECONNECT_BACKOFF["reconnect_backoff_max_ms"] <= 1000


class Sent:
    def __init__(self, error: Exception | None = None):
        self.error = error

    def get(self, timeout=None):
        if self.error is not None:
            raise self.error


class FakeProducer:
    """Records sends; `fail` names the send whose acknowledgement fails, `flush_error` fails the flush."""

    def __init__(self, fail: int | None = None, flush_error: Exception | None = None):
        self.fail, self.flush_error = fail, flush_error
        self.sent: list[tuple[str, bytes]] = []
        self.values: list[bytes] = []
        self.flushes = 0
        self.closed_with: float | None = None

    def send(self, topic, key, value, headers):
        self.sent.append((topic, key))
        self.values.append(value)
        return Sent(KafkaError("NOT_ENOUGH_REPLICAS") if len(self.sent) - 1 == self.fail else None)

    def flush(self, timeout=None):
        self.flushes += 1
        if self.flush_error is not None:
            raise self.flush_error

    def close(self, timeout=None):
        self.closed_with = timeout


def bus_with(producer: FakeProducer) -> kafka_bus.KafkaEventBus:
    bus = kafka_bus.KafkaEventBus("127.0.0.1:9")
    bus._producer = producer
    return bus


EVENTS = [("t", Event("ParkCreated", f"k{n}", {"n": n})) for n in range(5)]


def test_publish_many_sends_every_event_then_flushes_once():
    producer = FakeProducer()
    bus_with(producer).publish_many(EVENTS)
    assert producer.sent == [("t", f"k{n}".encode()) for n in range(5)] and producer.flushes == 1


@pytest.mark.parametrize(
    "producer", [FakeProducer(fail=3), FakeProducer(flush_error=KafkaTimeoutError("flush timed out"))]
)
def test_a_send_that_was_not_acknowledged_fails_the_batch_and_the_producer_is_replaced(producer):
    bus = bus_with(producer)
    with pytest.raises(KafkaError):
        bus.publish_many(EVENTS)
    assert producer.closed_with == 0 and bus._producer is None  # the next batch gets a fresh producer


def test_the_relay_marks_nothing_when_the_flush_fails(tmp_path):
    metadata = sa.MetaData()
    outbox = outbox_table(metadata)
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'outbox.db'}")
    metadata.create_all(engine)
    with engine.begin() as conn:
        for topic, event in EVENTS:
            add_to_outbox(conn, outbox, topic, event)

    with pytest.raises(KafkaError):
        OutboxRelay(engine, outbox, bus_with(FakeProducer(fail=4))).relay_once()
    relay = OutboxRelay(engine, outbox, bus_with(FakeProducer()))
    assert relay.pending() == 5
    assert relay.relay_once() == 5 and relay.pending() == 0


def test_the_relay_sends_each_event_as_the_bytes_the_outbox_stored(tmp_path):
    metadata = sa.MetaData()
    outbox = outbox_table(metadata)
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'outbox.db'}")
    metadata.create_all(engine)
    events = [("t", Event("ParkCreated", "p-1", {"name": "苏州工业园区", "n": 2**70 + 1, "nested": {"b": [1, None]}}))]
    with engine.begin() as conn:
        for topic, event in events:
            add_to_outbox(conn, outbox, topic, event)
        stored = conn.scalar(sa.select(outbox.c.event))
    producer = FakeProducer()
    OutboxRelay(engine, outbox, bus_with(producer)).relay_once()
    assert producer.values == [stored.encode()] and producer.sent == [("t", b"p-1")]
    assert Event.from_json(producer.values[0]) == events[0][1]


@pytest.mark.parametrize(
    "payload",
    [
        {"name": "苏州", "amount": "1.50", "n": 3},
        {"huge": 2**70 + 1},
        {"big": -(2**63) - 1},
        {"f": 0.1},
        {"n": float("nan")},
    ],
)
def test_a_consumed_record_reads_as_the_standard_library_reads_it(payload):
    record = Event("ExchangeCompleted", "x-1", payload).to_json()
    assert repr(kafka_bus._decode(record)) == repr(Event.from_json(record))  # repr: an int is no float, nan is nan


class DownConsumer:
    """kafka-python's consumer while the broker is away (`error`) or after a rebalance."""

    def __init__(self, error: Exception):
        self.error = error

    def poll(self, **_):
        raise self.error

    def commit(self, offsets):
        raise self.error


def consumer_with(error: Exception) -> kafka_bus.KafkaBusConsumer:
    consumer = object.__new__(kafka_bus.KafkaBusConsumer)
    consumer._consumer = DownConsumer(error)
    return consumer


def test_a_consumer_rides_out_a_broker_outage_instead_of_failing_its_worker():
    consumer = consumer_with(KafkaConnectionError("111 ECONNREFUSED"))
    assert consumer.poll(timeout_s=0.1) == []  # the same group member carries on when the broker returns
    done = [kafka_bus.ConsumedEvent("t", 0, 7, EVENTS[0][1])]
    consumer.commit_all(done)  # left for the next batch: at worst redelivered, then dropped as a duplicate
    assert kafka_bus.CONSUMER_GROUP["session_timeout_ms"] <= 10_000  # a replaced member leaves soon


def test_a_consumer_still_fails_on_an_error_a_retry_cannot_fix():
    consumer = consumer_with(CommitFailedError("the group rebalanced"))
    with pytest.raises(CommitFailedError):
        consumer.commit_all([kafka_bus.ConsumedEvent("t", 0, 7, EVENTS[0][1])])
    with pytest.raises(CommitFailedError):
        consumer.poll(timeout_s=0.1)
