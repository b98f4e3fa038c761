"""The event bus port and its adapters; `connect_bus` is the only place that picks one."""

from __future__ import annotations

from .port import AbstractConsumer, AbstractEventBus, ConsumedEvent


def connect_bus(url: str) -> AbstractEventBus:
    """`sqlite:///path/events.db` for the embedded log, `kafka://host:port[,host:port]` for Kafka."""
    if url.startswith("sqlite:///"):
        from .sqlite_log import SqliteEventLog

        return SqliteEventLog(url.removeprefix("sqlite:///"))
    if url.startswith("kafka://"):
        from .kafka_bus import KafkaEventBus

        return KafkaEventBus(url.removeprefix("kafka://"))
    raise ValueError(f"EVENT_BUS must start with sqlite:/// or kafka://, got {url!r}")


__all__ = ["AbstractConsumer", "AbstractEventBus", "ConsumedEvent", "connect_bus"]
