"""The listings worker: relays the outbox to the event bus until stopped.

It imports the outbox table and the bus, not the service (its domain, reference tables and web
app): a relay that loaded all of listings held about 125 MiB, this one about 50.
"""

from __future__ import annotations

from services.common.bus import connect_bus
from services.common.config import Settings
from services.common.db import create_engine
from services.common.events import EXCHANGES_TOPIC, LISTINGS_TOPIC
from services.common.outbox import OutboxRelay
from services.common.worker import run_worker

from .adapters.tables import outbox


def outbox_relay(settings: Settings) -> OutboxRelay:
    return OutboxRelay(
        create_engine(settings.database_url),
        outbox,
        connect_bus(settings.event_bus_url),
        [LISTINGS_TOPIC, EXCHANGES_TOPIC],
    )


def main() -> None:
    settings = Settings.from_env("listings")
    run_worker("listings-relay", settings, outbox_relay(settings).run)


if __name__ == "__main__":
    main()
