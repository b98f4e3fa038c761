"""The matching worker: follows listing events into the store and the search index.

An offset is committed only after the event's effects are durable in the store and the
index, so a crash redelivers it and the projection (idempotent by event id) catches up.
"""
from __future__ import annotations

import logging
import signal
import time

from services.common.bus import connect_bus
from services.common.config import Settings
from services.common.events import LISTINGS_TOPIC

from .bootstrap import bootstrap
from .service_layer.projection import apply_event

GROUP = "matching"
log = logging.getLogger("matching-worker")


def follow_listings(ctx, bus, stop) -> None:
    bus.ensure_topics([LISTINGS_TOPIC])
    with bus.consumer(GROUP, [LISTINGS_TOPIC]) as consumer:
        while not stop():
            for delivery in consumer.poll(max_records=200, timeout_s=0.5):
                changed = apply_event(ctx.store, delivery.event)
                if changed:
                    ctx.search.upsert(changed)
                consumer.commit(delivery)


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s matching-worker %(levelname)s %(message)s")
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    signal.signal(signal.SIGINT, lambda *_: stopping.append(True))
    settings = Settings.from_env("matching")
    ctx = bootstrap(settings)
    while not stopping:
        try:
            follow_listings(ctx, connect_bus(settings.event_bus_url), lambda: bool(stopping))
        except Exception:  # the bus or the index is down: start again from the last commit
            log.exception("following listings failed; retrying")
            time.sleep(2)


if __name__ == "__main__":
    main()
