"""Exchanges: the pipeline for park managers; accept, decline, deliveries and completion for enterprises."""
from __future__ import annotations

from flask import Blueprint, render_template

from gateway.console.auth import login_required

bp = Blueprint("console_exchanges", __name__, url_prefix="/exchanges")


@bp.get("")
@login_required()
def index():
    return render_template("console/placeholder.html")
