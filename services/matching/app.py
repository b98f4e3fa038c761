"""`create_app()` for gunicorn: `gunicorn 'services.matching.app:create_app()'`."""

from __future__ import annotations

from flask import Flask

from services.common.config import Settings
from services.common.web import create_service_app

from .api.views import BLUEPRINTS
from .bootstrap import bootstrap, operations


def create_app(settings: Settings | None = None) -> Flask:
    settings = settings or Settings.from_env("matching")
    app = create_service_app("matching", settings, BLUEPRINTS, "ParkLoop matching", operations(settings))
    matching = bootstrap(settings)
    app.extensions["parkloop.matching"] = matching.matches
    app.extensions["parkloop.webhooks"] = matching.webhooks
    app.extensions["parkloop.plans"] = matching.plans
    return app
