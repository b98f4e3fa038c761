"""What every event bus offers: durable topics, per-key order, consumer groups, at-least-once.

A consumer commits a delivery only after its own transaction is durable; a crash before
that redelivers, and consumers drop duplicates by the event id.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass

from ..events import Event


@dataclass(frozen=True)
class Delivery:
    topic: str
    partition: int
    offset: int
    event: Event


class AbstractConsumer(ABC):
    @abstractmethod
    def poll(self, max_records: int = 100, timeout_s: float = 1.0) -> list[Delivery]:
        """The next deliveries after the group's position, oldest first per key."""

    @abstractmethod
    def commit(self, delivery: Delivery) -> None:
        """Mark `delivery` and everything before it in its partition as done for the group."""

    def commit_all(self, deliveries: list[Delivery]) -> None:
        """Commit a processed batch: one commit per partition, at its last delivery."""
        last: dict[tuple[str, int], Delivery] = {}
        for delivery in deliveries:
            key = (delivery.topic, delivery.partition)
            if key not in last or delivery.offset > last[key].offset:
                last[key] = delivery
        for delivery in last.values():
            self.commit(delivery)

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

    @abstractmethod
    def consumer(self, group: str, topics: list[str]) -> AbstractConsumer: ...

    def close(self) -> None:
        """Release connections; the default has none."""
