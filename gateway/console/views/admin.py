"""Admin pages: parks and their yearly baselines, enterprises, API keys."""
from __future__ import annotations

from flask import Blueprint, render_template

from gateway.console.auth import login_required
from services.common.identity import Role

bp = Blueprint("console_admin", __name__, url_prefix="/admin")


@bp.get("/parks")
@login_required(Role.ADMIN)
def parks():
    return render_template("console/placeholder.html")


@bp.get("/enterprises")
@login_required(Role.ADMIN)
def enterprises():
    return render_template("console/placeholder.html")


@bp.get("/keys")
@login_required(Role.ADMIN)
def keys():
    return render_template("console/placeholder.html")
