"""Wires the gateway: its key store, the admin key, and where the services are."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.exc import IntegrityError

from gateway.adapters.audit_log import AuditLog
from gateway.adapters.key_store import KeyStore
from gateway.adapters.session_store import SessionStore
from gateway.domain.keys import ApiKey, hash_key
from services.common.config import SERVICES, Settings, read_or_create_secret, service_url
from services.common.db import create_engine, migrate
from services.common.identity import Role

MIGRATIONS = Path(__file__).parent / "migrations"


@dataclass
class Gateway:
    settings: Settings
    keys: KeyStore
    service_urls: dict[str, str]
    configured_admin_key_id: str  # changed only in configuration, never revoked through the API
    sessions: SessionStore
    console: ConsoleSettings
    audit: AuditLog


@dataclass(frozen=True)
class ConsoleSettings:
    """The web console's own settings; every gateway replica must share the secret."""

    secret: str  # signs the session cookie
    session_hours: float
    secure_cookie: bool  # on behind HTTPS; off on plain http://127.0.0.1, where browsers would drop it
    tile_url: str | None  # a map tile server, where one is reachable; otherwise the map draws on coordinates

    @classmethod
    def from_settings(cls, settings: Settings) -> ConsoleSettings:
        own = settings.gateway
        return cls(
            secret=own.console_secret or read_or_create_secret(settings.data_dir / "console.secret"),
            session_hours=own.console_session_hours,
            secure_cookie=own.console_secure_cookie,
            tile_url=own.console_tile_url,
        )


def ensure_admin_key(keys: KeyStore, data_dir: Path, given: str | None = None) -> str:
    """`given` (PARKLOOP_ADMIN_KEY, Settings.gateway) when set; otherwise a key generated once into
    $PARKLOOP_DATA/admin.key. Returns its key id."""
    secret = given or read_or_create_secret(data_dir / "admin.key", make=lambda: ApiKey.issue(Role.ADMIN, "admin")[1])
    existing = keys.by_hash(hash_key(secret))
    if existing is not None:
        return existing.id
    key, _ = ApiKey.issue(Role.ADMIN, "admin (from configuration)", secret=secret)
    try:
        keys.add(key)
    except IntegrityError:  # another replica starting at the same moment stored it first
        return keys.by_hash(hash_key(secret)).id
    return key.id


def bootstrap(settings: Settings) -> Gateway:
    if settings.migrate_on_start:
        migrate(settings.database_url, MIGRATIONS)
    engine = create_engine(settings.database_url)
    keys = KeyStore(engine)
    admin_key_id = ensure_admin_key(keys, settings.data_dir, settings.gateway.admin_key)
    return Gateway(
        settings,
        keys,
        {name: service_url(name) for name in SERVICES},
        admin_key_id,
        SessionStore(engine),
        ConsoleSettings.from_settings(settings),
        AuditLog(engine),
    )
