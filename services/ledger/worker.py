"""The ledger worker: completed exchanges (and park baselines) from the bus into entries.

The offset is committed only after the entry is durable; a redelivered event finds its id
already recorded and adds nothing. A checkpoint is signed after every batch.
"""

from __future__ import annotations

from collections.abc import Sequence

from services.common.bus import connect_bus
from services.common.bus.port import ConsumedEvent
from services.common.config import Settings
from services.common.doorbell import SAFETY_WAIT_S
from services.common.worker import consume_overlapped, run_worker

from .bootstrap import bootstrap
from .service_layer.recording import TOPICS, record_batch

# Events per transaction and checkpoint: a batch's fixed cost (about ten database round trips, signing)
# over 2,000 entries instead of 500 (the Kafka consumer's max_poll_records); a checkpoint then follows
# its entries by a fraction of a second at thousands of entries a second.
BATCH = 2000


def follow(ctx, bus, stop, batch: int = BATCH, group: str = "ledger", topics: Sequence[str] = TOPICS) -> None:
    """`group`: LEDGER_CONSUMER_GROUP (Settings.group); replicas share it, a new one replays.
    Each poll is recorded while the next is read; its offsets are committed once its entries are durable."""
    bus.ensure_topics(list(topics))
    with bus.consumer(group, list(topics)) as consumer:
        consume_overlapped(consumer, lambda polled: record_polled(ctx, polled), stop, batch, SAFETY_WAIT_S)


def record_polled(ctx, polled: list[ConsumedEvent]) -> int:
    """Entries for a poll's events, in one transaction, then a checkpoint signed (`record_batch`)."""
    return record_batch(ctx, [consumed.event for consumed in polled])


def main() -> None:
    settings = Settings.from_env("ledger")
    ctx = bootstrap(settings)
    run_worker(
        "ledger-worker",
        settings,
        lambda stop: follow(ctx, connect_bus(settings.event_bus_url), stop, group=settings.group),
    )


if __name__ == "__main__":
    main()
