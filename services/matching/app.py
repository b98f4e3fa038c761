"""`create_app()` for gunicorn. Ranking and webhook alerts arrive with the matching issue;
until then the service answers health checks and an empty API so the gateway's routes exist."""
from __future__ import annotations

from flask import Flask

from services.common.config import Settings
from services.common.web import create_service_app


def create_app(settings: Settings | None = None) -> Flask:
    return create_service_app("matching", settings or Settings.from_env("matching"), [], "ParkLoop matching")
