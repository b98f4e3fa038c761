"""The event bus on Apache Kafka (kafka-python).

Topics are created by the project (`ensure_topics`), events are keyed by aggregate so one
aggregate's events stay in one partition and in order, the producer is idempotent and waits
for all in-sync replicas, and consumers commit only what they say is done.

Throughput: record-batch CRC32C checks run in C through the `crc32c` package (a pinned dependency;
kafka-python falls back to pure Python, ~8x slower, without it), consumers fetch large batches, and
a batch's offsets are committed in one request.

A broker outage: reconnect backoff is capped at about a second, so clients resume soon after a broker
returns (kafka-python's default cap is 30 s). A consumer rides the outage out instead of failing: a poll
that meets a retriable error (the broker or the group coordinator away) returns nothing, and a commit
that does is left for the next one (offsets only ever advance; the events stay uncommitted and are
redelivered at worst, which consumers drop as duplicates), so the same group member carries on when
the broker is back. A member that is replaced all the same leaves the group within its session timeout
of 10 s (kafka-python's default is 45 s, for which a new member's join waits). The topics a bus has
ensured once are not looked up again when its worker starts over.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import KafkaAdminClient, NewTopic, OffsetSpec
from kafka.errors import KafkaError, TopicAlreadyExistsError
from kafka.producer.future import FutureRecordMetadata
from kafka.structs import OffsetAndMetadata

from ..events import Event
from . import envelope
from .port import AbstractConsumer, AbstractEventBus, ConsumedEvent

DEFAULT_PARTITIONS = 3
SEND_TIMEOUT_S = 30
LINGER_MS = 50  # never waited out: every publish flushes
PROBE_TIMEOUT_MS = 3000  # readiness and metrics: a broker that does not answer in time is down
RECONNECT_BACKOFF = {"reconnect_backoff_ms": 50, "reconnect_backoff_max_ms": 1000}
log = logging.getLogger(__name__)
# A topic created just before the group joined may show no partitions at the join; the consumer
# learns them at its next metadata refresh (kafka-python's default is 5 minutes, during which a
# fresh worker sat with nothing assigned), so refresh every few seconds.
CONSUMER_GROUP = {"session_timeout_ms": 10_000, "heartbeat_interval_ms": 3_000, "metadata_max_age_ms": 5_000}
CONSUMER_FETCH = {
    "max_poll_records": 2000,
    "fetch_max_bytes": 64 * 1024 * 1024,
    "max_partition_fetch_bytes": 16 * 1024 * 1024,
}


class KafkaEventBus(AbstractEventBus):
    def __init__(self, bootstrap_servers: str, partitions: int = DEFAULT_PARTITIONS, replication_factor: int = 1):
        self.bootstrap = bootstrap_servers.split(",")
        self.partitions, self.replication_factor = partitions, replication_factor
        self._producer: KafkaProducer | None = None
        self._ensured: set[str] = set()

    def ensure_topics(self, topics: list[str]) -> None:
        if self._ensured.issuperset(topics):  # a worker starting over after an outage need not wait for an admin
            return
        admin = KafkaAdminClient(bootstrap_servers=self.bootstrap, client_id="parkloop-admin")
        try:
            existing = set(admin.list_topics())
            new = [NewTopic(t, self.partitions, self.replication_factor) for t in topics if t not in existing]
            if new:
                try:
                    admin.create_topics(new)
                except TopicAlreadyExistsError:  # another replica created it first
                    pass
            self._ensured.update(topics)
        finally:
            admin.close()

    @property
    def producer(self) -> KafkaProducer:
        if self._producer is None:
            self._producer = KafkaProducer(
                bootstrap_servers=self.bootstrap,
                acks="all",
                enable_idempotence=True,
                retries=2**31 - 1,
                # Records wait to fill a batch (or for the flush that ends every publish) instead of each
                # waking the sender thread, which then contended with the sends for the interpreter.
                linger_ms=LINGER_MS,
                batch_size=512 * 1024,
                client_id="parkloop-producer",
                **RECONNECT_BACKOFF,
            )
        return self._producer

    def _send(self, topic: str, event: Event) -> FutureRecordMetadata:
        return self.producer.send(
            topic,
            key=event.key.encode(),
            value=event.to_json(),
            headers=[("event_id", event.id.encode()), ("type", event.type.encode())],
        )

    def publish(self, topic: str, event: Event) -> None:
        self.publish_many([(topic, event)])  # flushed (not lingering), acknowledged by the broker, or an exception

    def publish_many(self, messages: Sequence[tuple[str, Event]]) -> None:
        """Asynchronous sends (the producer batches them per partition), one flush, then every
        send's outcome: returns only when the broker acknowledged each one (acks=all), else raises
        the first failure. The idempotent producer keeps each partition's order across retries."""
        futures = [self._send(topic, event) for topic, event in messages]
        try:
            self.producer.flush(timeout=SEND_TIMEOUT_S)  # KafkaTimeoutError when not all were sent in time
            for future in futures:
                future.get(timeout=0)  # done after the flush: raises the send's error, if any
        except Exception:
            if self._producer is not None:  # a fresh producer next time, not one still holding this batch
                self._producer.close(timeout=0)  # unsent records are dropped: the caller keeps them as unpublished
                self._producer = None
            raise

    def consumer(self, group: str, topics: list[str]) -> KafkaBusConsumer:
        return KafkaBusConsumer(self.bootstrap, group, topics)

    def _admin(self, client_id: str) -> KafkaAdminClient:
        return KafkaAdminClient(
            bootstrap_servers=self.bootstrap,
            client_id=client_id,
            request_timeout_ms=PROBE_TIMEOUT_MS,
            bootstrap_timeout_ms=PROBE_TIMEOUT_MS,
            **RECONNECT_BACKOFF,
        )

    def ping(self) -> None:
        admin = self._admin("parkloop-health")
        try:
            admin.list_topics()
        finally:
            admin.close()

    def lag(self, group: str, topics: list[str]) -> dict[str, int]:
        """End offsets minus the group's committed offsets, summed over each topic's partitions (a
        partition the group never committed counts from its earliest offset)."""
        admin = self._admin("parkloop-metrics")
        try:
            partitions = [
                TopicPartition(t["name"], p["partition_index"])
                for t in admin.describe_topics(topics)
                for p in t.get("partitions") or []
            ]
            if not partitions:
                return {topic: 0 for topic in topics}
            latest = admin.list_partition_offsets({tp: OffsetSpec.LATEST for tp in partitions})
            earliest = admin.list_partition_offsets({tp: OffsetSpec.EARLIEST for tp in partitions})
            committed = admin.list_group_offsets({group: partitions}).get(group, {})
        finally:
            admin.close()
        found = {topic: 0 for topic in topics}
        for tp in partitions:
            done = committed.get(tp)
            start = done.offset if done is not None and done.offset >= 0 else earliest[tp].offset
            found[tp.topic] += max(0, latest[tp].offset - start)
        return found

    def close(self) -> None:
        if self._producer is not None:
            self._producer.close()
            self._producer = None


def _decode(value: bytes) -> Event:
    return Event(**envelope.loads(value))


class KafkaBusConsumer(AbstractConsumer):
    def __init__(self, bootstrap: list[str], group: str, topics: list[str]):
        self._consumer = KafkaConsumer(
            *topics,
            bootstrap_servers=bootstrap,
            group_id=group,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            client_id=f"parkloop-{group}",
            **CONSUMER_FETCH,
            **CONSUMER_GROUP,
            **RECONNECT_BACKOFF,
        )

    def poll(self, max_records: int = 100, timeout_s: float = 1.0) -> list[ConsumedEvent]:
        # kafka-python's poll cannot be woken: blocking at most a second, a worker sees a stop soon.
        try:
            batches = self._consumer.poll(timeout_ms=int(min(timeout_s, 1.0) * 1000), max_records=max_records)
        except KafkaError as exc:
            if not exc.retriable:
                raise
            log.warning("no events while the broker is unreachable: %s", exc)
            return []
        records = [record for batch in batches.values() for record in batch]
        return [ConsumedEvent(r.topic, r.partition, r.offset, _decode(r.value)) for r in records]

    def commit(self, consumed: ConsumedEvent) -> None:
        self._consumer.commit(
            {TopicPartition(consumed.topic, consumed.partition): OffsetAndMetadata(consumed.offset + 1, "", -1)}
        )

    def commit_all(self, batch: list[ConsumedEvent]) -> None:
        """One commit request for the batch: each partition at its last event."""
        offsets: dict[TopicPartition, OffsetAndMetadata] = {}
        for consumed in batch:
            tp = TopicPartition(consumed.topic, consumed.partition)
            if tp not in offsets or consumed.offset + 1 > offsets[tp].offset:
                offsets[tp] = OffsetAndMetadata(consumed.offset + 1, "", -1)
        if offsets:
            try:
                self._consumer.commit(offsets)
            except KafkaError as exc:
                if not exc.retriable:
                    raise
                log.warning("commit left for the next batch (the events may be redelivered): %s", exc)

    def seek(self, topic: str, partition: int, offset: int) -> None:
        tp = TopicPartition(topic, partition)
        if not self._consumer.assignment():
            self._consumer.poll(timeout_ms=1000, max_records=1, update_offsets=False)
        self._consumer.seek(tp, offset)

    def close(self) -> None:
        self._consumer.close(autocommit=False)
