"""Park manager pages: overview, material flows, map, annual report."""
from __future__ import annotations

from flask import Blueprint, render_template

from gateway.console.auth import login_required
from services.common.identity import Role

bp = Blueprint("console_park", __name__, url_prefix="/park")


@bp.get("/overview")
@login_required(Role.PARK_MANAGER)
def overview():
    return render_template("console/placeholder.html")


@bp.get("/flows")
@login_required(Role.PARK_MANAGER)
def flows():
    return render_template("console/placeholder.html")


@bp.get("/map")
@login_required(Role.PARK_MANAGER)
def map():
    return render_template("console/placeholder.html")


@bp.get("/report")
@login_required(Role.PARK_MANAGER)
def report():
    return render_template("console/placeholder.html")
