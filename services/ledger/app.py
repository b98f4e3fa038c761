"""`create_app()` for gunicorn: `gunicorn 'services.ledger.app:create_app()'`."""

from __future__ import annotations

from flask import Flask

from services.common.config import Settings
from services.common.web import create_service_app

from .api.reports import blp as reports_blp
from .api.views import blp as ledger_blp
from .bootstrap import bootstrap, operations


def create_app(settings: Settings | None = None) -> Flask:
    settings = settings or Settings.from_env("ledger")
    app = create_service_app("ledger", settings, [ledger_blp, reports_blp], "ParkLoop ledger", operations(settings))
    app.extensions["parkloop.ledger"] = bootstrap(settings)
    return app
