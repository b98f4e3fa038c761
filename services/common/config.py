"""Settings from the environment. Only bootstraps read this; nothing connects at import time."""
from __future__ import annotations

import os
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path

SERVICES = ("listings", "matching", "ledger")
DEFAULT_PORTS = {"gateway": 8080, "listings": 8081, "matching": 8082, "ledger": 8083}


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
class Settings:
    """What one service needs to start: its database, the bus, and how to trust the gateway."""

    service: str
    data_dir: Path
    database_url: str
    event_bus_url: str
    internal_secret: str
    search_url: str | None = None
    migrate_on_start: bool = True  # off when a deployment migrates once before starting replicas

    @classmethod
    def from_env(cls, service: str) -> "Settings":
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
        )


def service_url(service: str) -> str:
    """Where the gateway reaches a service (LISTINGS_URL, …), defaulting to the local port."""
    return os.environ.get(f"{service.upper()}_URL") or f"http://127.0.0.1:{DEFAULT_PORTS[service]}"
