"""Signing in and out, the language switch, the home page, and read-only API access for page scripts."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from gateway.console.auth import api, login_required, sign_in, sign_out
from gateway.console.i18n import LANGUAGES

bp = Blueprint(
    "console_auth",
    __name__,
    static_folder="../static",
    static_url_path="/console/static",
    template_folder="../templates",
)

HOME = {
    "admin": "console_admin.parks",
    "park_manager": "console_park.overview",
    "enterprise": "console_listings.index",
    "province": "console_province.index",
}
PASSED_THROUGH = ("Content-Type", "Content-Disposition")


def _safe_next(target: str | None) -> str | None:
    """Only a path on this site: never an open redirect to another origin."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.get("/")
def home():
    user = g.get("console_user")
    if user is None:
        return redirect(url_for("console_auth.login"))
    return redirect(url_for(HOME[user.role.value]))


@bp.route("/login", methods=["GET", "POST"])
def login():
    error = None
    if request.method == "POST":
        if sign_in(request.form.get("api_key", "")):
            return redirect(_safe_next(request.args.get("next")) or url_for("console_auth.home"))
        error = _("This key is not valid or has been revoked.")
    return render_template("console/login.html", error=error), 401 if error else 200


@bp.post("/logout")
def logout():
    sign_out()
    flash(_("You have signed out."))
    return redirect(url_for("console_auth.login"))


@bp.post("/language")
def language():
    chosen = request.form.get("lang")
    if chosen in LANGUAGES:
        session["lang"] = chosen
    return redirect(_safe_next(request.form.get("next")) or url_for("console_auth.home"))


@bp.get("/console/api/v1/<path:path>")
@login_required()
def read_api(path: str):
    """GETs for the console's own scripts (charts, in-browser ledger checks), as the signed-in key."""
    upstream = api().raw("GET", path, params=request.args)
    if upstream.status_code == 401:
        abort(401)
    headers = {name: upstream.headers[name] for name in PASSED_THROUGH if name in upstream.headers}
    return Response(upstream.content, status=upstream.status_code, headers=headers)
