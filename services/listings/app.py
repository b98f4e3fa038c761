"""`create_app()` for gunicorn: `gunicorn 'services.listings.app:create_app()'`."""

from __future__ import annotations

from flask import Flask

from services.common.config import Settings
from services.common.web import create_service_app

from .api.views import BLUEPRINTS
from .bootstrap import bootstrap, operations


def create_app(settings: Settings | None = None) -> Flask:
    settings = settings or Settings.from_env("listings")
    app = create_service_app("listings", settings, BLUEPRINTS, "ParkLoop listings", operations(settings))
    app.extensions["parkloop.listings"] = bootstrap(settings)
    return app
