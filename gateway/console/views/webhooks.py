"""An enterprise's webhook subscriptions: create (secret shown once), rotate, deliveries, redeliver."""
from __future__ import annotations

from flask import Blueprint, render_template

from gateway.console.auth import login_required
from services.common.identity import Role

bp = Blueprint("console_webhooks", __name__, url_prefix="/webhooks")


@bp.get("")
@login_required(Role.ENTERPRISE)
def index():
    return render_template("console/placeholder.html")
