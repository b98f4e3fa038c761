"""What every event bus offers: durable topics, per-key order, consumer groups, at-least-once.

A consumer commits a consumed event only after its own transaction is durable; a crash before
that redelivers it, and consumers drop duplicates by the event id.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass

from ..events import Event


@dataclass(frozen=True)
class ConsumedEvent:
    """An event as a consumer polls it: where it sits on the bus, and the event."""

    topic: str
    partition: int
    offset: int
    event: Event


class AbstractConsumer(ABC):
    @abstractmethod
    def poll(self, max_records: int = 100, timeout_s: float = 1.0) -> list[ConsumedEvent]:
        """The next events after the group's position, oldest first per key."""

    @abstractmethod
    def commit(self, consumed: ConsumedEvent) -> None:
        """Mark `consumed` and everything before it in its partition as done for the group."""

    def commit_all(self, batch: list[ConsumedEvent]) -> None:
        """Commit a processed batch: one commit per partition, at its last event."""
        last: dict[tuple[str, int], ConsumedEvent] = {}
        for consumed in batch:
            key = (consumed.topic, consumed.partition)
            if key not in last or consumed.offset > last[key].offset:
                last[key] = consumed
        for consumed in last.values():
            self.commit(consumed)

    @abstractmethod
    def seek(self, topic: str, partition: int, offset: int) -> None:
        """Replay: the next poll starts at `offset` of that partition."""

    @abstractmethod
    def close(self) -> None: ...

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class AbstractEventBus(ABC):
    @abstractmethod
    def ensure_topics(self, topics: list[str]) -> None: ...

    @abstractmethod
    def publish(self, topic: str, event: Event) -> None:
        """Durably append; returns only once the bus has acknowledged the write."""

    def publish_many(self, messages: Sequence[tuple[str, Event]]) -> None:
        """Durably append each (topic, event), in order; returns only once the bus has acknowledged
        every one of them. On an exception any of them may or may not have been appended (a retry
        appends the same event ids again, which consumers drop as duplicates)."""
        for topic, event in messages:
            self.publish(topic, event)

    @abstractmethod
    def consumer(self, group: str, topics: list[str]) -> AbstractConsumer: ...

    @abstractmethod
    def ping(self) -> None:
        """Raises when the bus cannot be reached (readiness)."""

    @abstractmethod
    def lag(self, group: str, topics: list[str]) -> dict[str, int]:
        """Per topic, how many events `group` has yet to commit (metrics)."""

    @abstractmethod
    def close(self) -> None:
        """Release the bus's connections."""
