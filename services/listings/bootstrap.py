"""Wires the listings service from settings: database, migrations, code tables, bus, relay."""

from __future__ import annotations

from pathlib import Path

from services.common.bus import connect_bus
from services.common.config import Settings
from services.common.db import create_engine, migrate
from services.common.operations import Gauge, Operations, age_s, database_check, single
from services.common.outbox import outbox_backlog
from services.listings.adapters.repositories import ListingsUnitOfWork
from services.listings.adapters.tables import outbox
from services.listings.domain.reference.waste_codes import WasteCatalogue
from services.listings.service_layer.handlers import ListingsContext

MIGRATIONS = Path(__file__).parent / "migrations"


def official_table_path(settings: Settings) -> Path:
    """Where `parkloop codes import` puts an operator's official waste-code table."""
    return settings.data_dir / "reference" / "hazardous_waste_codes.csv"


def bootstrap(settings: Settings) -> ListingsContext:
    if settings.migrate_on_start:
        migrate(settings.database_url, MIGRATIONS)
    engine = create_engine(settings.database_url)
    catalogue = WasteCatalogue.shipped(official_table_path(settings))
    return ListingsContext(uow=lambda: ListingsUnitOfWork(engine, outbox), catalogue=catalogue)


def operations(settings: Settings) -> Operations:
    """Readiness: the database and the bus the relay publishes to. Gauges: the outbox's backlog."""
    engine = create_engine(settings.database_url)
    bus = connect_bus(settings.event_bus_url)

    def backlog():
        count, oldest = outbox_backlog(engine, outbox)
        return count, age_s(oldest)

    return Operations(
        "listings",
        {"database": database_check(engine), "bus": bus.ping},
        [
            Gauge(
                "parkloop_outbox_backlog_events", "Events written but not yet published", single(lambda: backlog()[0])
            ),
            Gauge(
                "parkloop_outbox_oldest_unpublished_age_seconds",
                "Age of the oldest unpublished event (0: none waits)",
                single(lambda: backlog()[1]),
            ),
        ],
    )
