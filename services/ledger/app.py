"""`create_app()` for gunicorn: `gunicorn 'services.ledger.app:create_app()'`."""

from __future__ import annotations

from flask import Flask

from services.common.config import Settings
from services.common.web import create_service_app

from .api.plans import blp as plans_blp
from .api.provinces import blp as provinces_blp
from .api.reports import blp as reports_blp
from .api.submissions import blp as submissions_blp
from .api.views import blp as ledger_blp
from .bootstrap import bootstrap, operations


def create_app(settings: Settings | None = None) -> Flask:
    settings = settings or Settings.from_env("ledger")
    blueprints = [ledger_blp, reports_blp, plans_blp, submissions_blp, provinces_blp]
    app = create_service_app("ledger", settings, blueprints, "ParkLoop ledger", operations(settings))
    app.extensions["parkloop.ledger"] = bootstrap(settings)
    return app
