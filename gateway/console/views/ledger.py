"""Ledger audit: entries with filters and downloads; one entry with its in-browser verification."""
from __future__ import annotations

from flask import Blueprint, render_template

from gateway.console.auth import login_required

bp = Blueprint("console_ledger", __name__, url_prefix="/ledger")


@bp.get("")
@login_required()
def entries():
    return render_template("console/placeholder.html")
