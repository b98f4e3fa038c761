"""An enterprise's offers and wants: create, edit, pause, resume, withdraw; their matches."""
from __future__ import annotations

from flask import Blueprint, render_template

from gateway.console.auth import login_required
from services.common.identity import Role

bp = Blueprint("console_listings", __name__, url_prefix="/listings")


@bp.get("")
@login_required(Role.ENTERPRISE)
def index():
    return render_template("console/placeholder.html")
