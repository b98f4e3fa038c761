"""A Flask app with the console's languages, for helpers that translate outside a real console page."""

from __future__ import annotations

import pytest
from flask import Flask

from gateway.console.i18n import ConsoleBabel, babel_config, current_language


@pytest.fixture
def console_app() -> Flask:
    """Chinese by default, as the console is; `session["lang"] = "en"` inside a request switches."""
    app = Flask(__name__)
    app.secret_key = "test"
    app.config.update(babel_config())
    ConsoleBabel(app, locale_selector=current_language)
    return app
