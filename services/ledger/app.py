"""`create_app()` for gunicorn. The evidence ledger arrives with the exchanges-and-ledger issue;
until then the service answers health checks and an empty API so the gateway's routes exist."""
from __future__ import annotations

from flask import Flask

from services.common.config import Settings
from services.common.web import create_service_app


def create_app(settings: Settings | None = None) -> Flask:
    return create_service_app("ledger", settings or Settings.from_env("ledger"), [], "ParkLoop ledger")
