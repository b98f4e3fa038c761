"""Wires the ledger: its store, the checkpoint signing key, the coefficients."""

from __future__ import annotations

from pathlib import Path

from services.common.bus import connect_bus
from services.common.coefficients import default_coefficients
from services.common.config import LedgerSettings, Settings, read_or_create_secret
from services.common.db import create_engine, migrate
from services.common.indicators import contributions, to_dict
from services.common.operations import Gauge, Operations, age_s, consumer_lag_gauge, database_check, single
from services.ledger.adapters.store import LedgerStore
from services.ledger.domain.note_keys import SigningKey
from services.ledger.service_layer.recording import TOPICS, LedgerContext

MIGRATIONS = Path(__file__).parent / "migrations"
DEFAULT_ORIGIN = LedgerSettings.origin


def signing_key(settings: Settings, origin: str) -> SigningKey:
    """LEDGER_SIGNING_KEY (a signed-note `PRIVATE+KEY+…` string), else one generated on first start."""
    text = settings.ledger.signing_key or read_or_create_secret(
        settings.data_dir / "ledger-signing.key", make=lambda: SigningKey.generate(origin).text()
    )
    return SigningKey.from_text(text)


def operations(settings: Settings) -> Operations:
    """Readiness: the database and the bus. Gauges: the consumer group's lag, the ledger's size,
    and how far its last signed checkpoint lags behind it."""
    engine = create_engine(settings.database_url)
    bus = connect_bus(settings.event_bus_url)
    store = LedgerStore(engine)

    def checkpoint() -> tuple[int, float]:
        last = store.last_checkpoint_signed()
        return (last[0], age_s(last[1])) if last else (0, 0.0)

    return Operations(
        "ledger",
        {"database": database_check(engine), "bus": bus.ping},
        [
            consumer_lag_gauge(bus, settings.group, list(TOPICS)),
            Gauge("parkloop_ledger_entries", "Entries in the ledger", single(store.size)),
            Gauge(
                "parkloop_ledger_checkpoint_entries",
                "Entries the last signed checkpoint covers",
                single(lambda: checkpoint()[0]),
            ),
            Gauge(
                "parkloop_ledger_last_checkpoint_age_seconds",
                "Age of the last signed checkpoint (0: none yet)",
                single(lambda: checkpoint()[1]),
            ),
        ],
    )


def bootstrap(settings: Settings) -> LedgerContext:
    if settings.migrate_on_start:
        migrate(settings.database_url, MIGRATIONS)
    origin = settings.ledger.origin
    coefficients = default_coefficients()
    return LedgerContext(
        LedgerStore(create_engine(settings.database_url)),
        signing_key(settings, origin),
        origin,
        contribute=lambda payload: to_dict(contributions(payload, coefficients)),
    )
