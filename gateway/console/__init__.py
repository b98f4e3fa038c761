"""The park console: server-rendered pages for park managers, enterprises and admins, at `/`.

Chinese first (Flask-Babel catalogs, English by a switch); a server-side session behind a
signed cookie; CSRF tokens on every form; a strict Content-Security-Policy. Pages call the
/api/v1 endpoints as the signed-in key (see api_client.py), so the API's rules are the only rules.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Flask, g, request
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFProtect

from gateway.console import formatting
from gateway.console.api_text import api_text
from gateway.console.auth import load_user
from gateway.console.i18n import LANGUAGES, ConsoleBabel, babel_config, current_language
from gateway.console.labels import TEMPLATE_HELPERS
from gateway.console.navigation import nav_for
from gateway.console.security import add_security_headers, is_console_path
from gateway.console.views import BLUEPRINTS
from gateway.console.views.errors import register_error_pages

csrf = CSRFProtect()


class ConsoleSessions(SecureCookieSessionInterface):
    """The signed session cookie is the console's: an API call (authenticated by its bearer key)
    gets an empty, read-only session instead of having a cookie looked for and verified."""

    def open_session(self, app, request):
        if not is_console_path(request.path):
            return self.make_null_session(app)
        return super().open_session(app, request)


def init_console(app: Flask, gw, api_error_handler) -> None:
    app.secret_key = gw.console.secret
    app.session_interface = ConsoleSessions()
    app.config.update(
        SESSION_COOKIE_NAME="parkloop_console",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
        SESSION_COOKIE_SECURE=gw.console.secure_cookie,
        PERMANENT_SESSION_LIFETIME=timedelta(hours=gw.console.session_hours),
        WTF_CSRF_CHECK_DEFAULT=False,  # the API authenticates by bearer key; only console forms need tokens
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session, which expires on its own
        **babel_config(),
    )
    ConsoleBabel(app, locale_selector=current_language)
    csrf.init_app(app)
    app.jinja_env.filters.update(
        num=formatting_filter(), qty=quantity_filter(), unit=formatting.unit_label, api_text=api_text
    )
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    register_error_pages(app, api_error_handler)

    @app.before_request
    def _console_user():
        # Scripts, styles and charts are public files: no session look-up (two queries) for each of them.
        if is_console_path(request.path) and request.endpoint != "console_auth.static":
            g.console_user = load_user()
            if request.method not in ("GET", "HEAD", "OPTIONS"):
                csrf.protect()

    @app.context_processor
    def _console_context():
        user = g.get("console_user")
        return {
            **TEMPLATE_HELPERS,
            "user": user,
            "nav": nav_for(user) if user else [],
            "languages": LANGUAGES,
            "language": current_language(),
            "tile_url": gw.console.tile_url,
        }

    app.after_request(add_security_headers(gw.console.tile_url))


def formatting_filter():
    def num(value):
        return formatting.human_number(value, current_language())

    return num


def quantity_filter():
    def qty(value, unit=None):
        return formatting.human_quantity(value, unit, current_language())

    return qty
