"""The ledger worker: completed exchanges (and park baselines) from the bus into entries.

The offset is committed only after the entry is durable; a redelivered event finds its id
already recorded and adds nothing. A checkpoint is signed after every batch.
"""
from __future__ import annotations

import logging
import os
import signal
import time

from services.common.bus import connect_bus
from services.common.config import Settings
from services.common.events import EXCHANGES_TOPIC, LISTINGS_TOPIC

from .bootstrap import bootstrap
from .service_layer.recording import apply_event, sign_latest

GROUP = os.environ.get("LEDGER_CONSUMER_GROUP", "ledger")  # replicas share it; a new one replays
log = logging.getLogger("ledger-worker")


def follow(ctx, bus, stop, batch: int = 500) -> None:
    bus.ensure_topics([LISTINGS_TOPIC, EXCHANGES_TOPIC])
    with bus.consumer(GROUP, [LISTINGS_TOPIC, EXCHANGES_TOPIC]) as consumer:
        while not stop():
            deliveries = consumer.poll(max_records=batch, timeout_s=0.5)
            added = sum(apply_event(ctx, delivery.event) for delivery in deliveries)
            if added:
                sign_latest(ctx)
            consumer.commit_all(deliveries)  # every entry of the batch is durable by now


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s ledger-worker %(levelname)s %(message)s")
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    signal.signal(signal.SIGINT, lambda *_: stopping.append(True))
    settings = Settings.from_env("ledger")
    ctx = bootstrap(settings)
    while not stopping:
        try:
            follow(ctx, connect_bus(settings.event_bus_url), lambda: bool(stopping))
        except Exception:  # the bus or the database is down: resume from the last commit
            log.exception("following the bus failed; retrying")
            time.sleep(2)


if __name__ == "__main__":
    main()
