"""Wires the ledger: its store, the checkpoint signing key, the coefficients."""

from __future__ import annotations

from pathlib import Path

from services.common.coefficients import default_coefficients
from services.common.config import LedgerSettings, Settings, read_or_create_secret
from services.common.db import create_engine, migrate
from services.common.indicators import contributions, to_dict
from services.ledger.adapters.store import LedgerStore
from services.ledger.domain.note_keys import SigningKey
from services.ledger.service_layer.recording import LedgerContext

MIGRATIONS = Path(__file__).parent / "migrations"
DEFAULT_ORIGIN = LedgerSettings.origin


def signing_key(settings: Settings, origin: str) -> SigningKey:
    """LEDGER_SIGNING_KEY (a signed-note `PRIVATE+KEY+…` string), else one generated on first start."""
    text = settings.ledger.signing_key or read_or_create_secret(
        settings.data_dir / "ledger-signing.key", make=lambda: SigningKey.generate(origin).text()
    )
    return SigningKey.from_text(text)


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
