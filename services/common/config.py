"""Settings from the environment. Only bootstraps and workers read this; nothing connects at import
time. Every service setting is read here, in `Settings.from_env`, and nowhere else; a secret that is
not configured is generated into the data directory by the bootstrap that needs it."""

from __future__ import annotations

import os
import re
import secrets
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

SERVICES = ("listings", "matching", "ledger")
DEFAULT_PORTS = {"gateway": 8080, "listings": 8081, "matching": 8082, "ledger": 8083}
DATABASE_URL_VARIABLES = tuple(f"{name.upper()}_DATABASE_URL" for name in DEFAULT_PORTS)
# What each service connects to, as its start-up log line names them.
CONNECTIONS = {
    "gateway": ("database",),
    "listings": ("database", "event_bus"),
    "matching": ("database", "event_bus", "search"),
    "ledger": ("database", "event_bus"),
}
_PASSWORD = re.compile(r"(://[^/@:]*):[^/@]*@")
_SECRET_QUERY = re.compile(r"([?&][^=&]*(?:pass|secret|token|key)[^=&]*=)[^&]*", re.IGNORECASE)


def mask_url(url: str) -> str:
    """The URL with its password and any secret-looking query value replaced by ***."""
    return _SECRET_QUERY.sub(r"\1***", _PASSWORD.sub(r"\1:***@", url))


def data_dir() -> Path:
    path = Path(os.environ.get("PARKLOOP_DATA", "./var")).resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def read_or_create_secret(path: Path, make=lambda: secrets.token_urlsafe(32)) -> str:
    """A secret kept in the data directory, created with owner-only permissions on first use.

    Several processes start at once (a service and its worker both need the ledger key): the
    secret is written whole to a private temporary file and linked into place, so exactly one
    creator wins and every other process reads the complete winner's secret."""
    if path.exists():
        return path.read_text().strip()
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")  # mode 0600
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write(make() + "\n")
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass  # another process created it first: use theirs
    finally:
        os.unlink(tmp)
    return path.read_text().strip()


@dataclass(frozen=True)
class MatchingSettings:
    """The matching service's own settings (README, "Configuration")."""

    index_alias: str = "parkloop-listings"  # MATCHING_INDEX_ALIAS
    delta_t_min_k: float = 10.0  # MATCHING_DELTA_T_MIN_K: heat-exchanger approach ΔTmin
    webhook_allow_private_targets: bool = False  # WEBHOOK_ALLOW_PRIVATE_TARGETS=1
    webhook_retry_schedule: tuple[float, ...] | None = None  # WEBHOOK_RETRY_SCHEDULE; None: the default policy
    webhook_timeout_s: float = 10.0  # WEBHOOK_TIMEOUT_S
    webhook_secret_key: str | None = None  # PARKLOOP_SECRET_KEY; None: generated into the data directory

    @classmethod
    def from_env(cls) -> MatchingSettings:
        schedule = os.environ.get("WEBHOOK_RETRY_SCHEDULE")
        return cls(
            index_alias=os.environ.get("MATCHING_INDEX_ALIAS", cls.index_alias),
            delta_t_min_k=float(os.environ.get("MATCHING_DELTA_T_MIN_K", cls.delta_t_min_k)),
            webhook_allow_private_targets=os.environ.get("WEBHOOK_ALLOW_PRIVATE_TARGETS", "0") == "1",
            webhook_retry_schedule=tuple(float(s) for s in schedule.split(",")) if schedule else None,
            webhook_timeout_s=float(os.environ.get("WEBHOOK_TIMEOUT_S", cls.webhook_timeout_s)),
            webhook_secret_key=os.environ.get("PARKLOOP_SECRET_KEY") or None,
        )


@dataclass(frozen=True)
class LedgerSettings:
    """The ledger's own settings."""

    signing_key: str | None = None  # LEDGER_SIGNING_KEY (PRIVATE+KEY+…); None: generated into the data directory
    origin: str = "parkloop.local/ledger"  # LEDGER_ORIGIN: the checkpoints' origin line

    @classmethod
    def from_env(cls) -> LedgerSettings:
        return cls(
            signing_key=os.environ.get("LEDGER_SIGNING_KEY") or None, origin=os.environ.get("LEDGER_ORIGIN", cls.origin)
        )


@dataclass(frozen=True)
class GatewaySettings:
    """The gateway's own settings, its console's included."""

    admin_key: str | None = None  # PARKLOOP_ADMIN_KEY; None: generated into $PARKLOOP_DATA/admin.key
    console_secret: str | None = None  # PARKLOOP_CONSOLE_SECRET; None: generated into the data directory
    console_session_hours: float = 8.0  # CONSOLE_SESSION_HOURS
    console_secure_cookie: bool = False  # CONSOLE_SECURE_COOKIE=1
    console_tile_url: str | None = None  # CONSOLE_TILE_URL
    throttling: bool = True  # PARKLOOP_RATE_LIMITS=0 turns every limit below off
    auth_failure_limit: str = "10 per minute"  # AUTH_FAILURE_LIMIT: failed authentications per client address
    key_rate_limit: str | None = None  # KEY_RATE_LIMIT, e.g. "50 per second;2000 per minute"; None: no limit
    rate_limit_storage: str = "memory://"  # RATELIMIT_STORAGE_URI: memory:// counts in each process
    proxy_hops: int = 0  # PARKLOOP_PROXY_HOPS: proxies in front whose X-Forwarded-For names the client

    @classmethod
    def from_env(cls) -> GatewaySettings:
        return cls(
            admin_key=os.environ.get("PARKLOOP_ADMIN_KEY") or None,
            console_secret=os.environ.get("PARKLOOP_CONSOLE_SECRET") or None,
            console_session_hours=float(os.environ.get("CONSOLE_SESSION_HOURS", "8")),
            console_secure_cookie=os.environ.get("CONSOLE_SECURE_COOKIE", "0") == "1",
            console_tile_url=os.environ.get("CONSOLE_TILE_URL") or None,
            throttling=os.environ.get("PARKLOOP_RATE_LIMITS", "1") != "0",
            auth_failure_limit=os.environ.get("AUTH_FAILURE_LIMIT") or cls.auth_failure_limit,
            key_rate_limit=os.environ.get("KEY_RATE_LIMIT") or None,
            rate_limit_storage=os.environ.get("RATELIMIT_STORAGE_URI") or cls.rate_limit_storage,
            proxy_hops=int(os.environ.get("PARKLOOP_PROXY_HOPS", "0")),
        )


@dataclass(frozen=True)
class Settings:
    """What one service needs to start: its database, the bus, and how to trust the gateway; and the
    settings of its own (`matching`, `ledger`, `gateway`), defaults unless read from the environment."""

    service: str
    data_dir: Path
    database_url: str
    event_bus_url: str
    internal_secret: str
    search_url: str | None = None
    migrate_on_start: bool = True  # off when a deployment migrates once before starting replicas
    consumer_group: str | None = None  # LEDGER_CONSUMER_GROUP, MATCHING_CONSUMER_GROUP; None: the service's name
    matching: MatchingSettings = field(default_factory=MatchingSettings)
    ledger: LedgerSettings = field(default_factory=LedgerSettings)
    gateway: GatewaySettings = field(default_factory=GatewaySettings)
    unread_variables: tuple[str, ...] = ()  # set *_DATABASE_URL that no service reads: misspelt?

    def connections(self) -> dict[str, str]:
        """What this service uses (database, event bus, search engine), secrets masked."""
        uses = {
            "database": mask_url(self.database_url),
            "event_bus": mask_url(self.event_bus_url),
            "search": mask_url(self.search_url) if self.search_url else "embedded matcher",
        }
        return {name: uses[name] for name in CONNECTIONS[self.service]}

    @property
    def group(self) -> str:
        """The consumer group the service's workers share (a new one replays the topics)."""
        return self.consumer_group or self.service

    @classmethod
    def from_env(cls, service: str) -> Settings:
        base = data_dir()
        env_name = f"{service.upper()}_DATABASE_URL"
        secret = os.environ.get("PARKLOOP_INTERNAL_SECRET") or read_or_create_secret(base / "internal.secret")
        return cls(
            service=service,
            data_dir=base,
            database_url=os.environ.get(env_name) or f"sqlite:///{base / (service + '.db')}",
            event_bus_url=os.environ.get("EVENT_BUS") or f"sqlite:///{base / 'events.db'}",
            internal_secret=secret,
            search_url=os.environ.get("SEARCH_URL"),
            migrate_on_start=os.environ.get("PARKLOOP_MIGRATE_ON_START", "1") != "0",
            consumer_group=os.environ.get(f"{service.upper()}_CONSUMER_GROUP") or None,
            matching=MatchingSettings.from_env(),
            ledger=LedgerSettings.from_env(),
            gateway=GatewaySettings.from_env(),
            unread_variables=tuple(
                sorted(n for n in os.environ if n.endswith("_DATABASE_URL") and n not in DATABASE_URL_VARIABLES)
            ),
        )


def service_url(service: str) -> str:
    """Where the gateway reaches a service (LISTINGS_URL, …), defaulting to the local port."""
    return os.environ.get(f"{service.upper()}_URL") or f"http://127.0.0.1:{DEFAULT_PORTS[service]}"
