"""The audit trail page: who changed what, for admins (every record) and park managers (their park's
keys' calls), with the API's filters and a CSV download. The trail is the gateway's own, so the page
reads it through the same use cases as GET /api/v1/audit (gateway/service_layer/audit.py)."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from flask import Blueprint, Response, g, render_template, request, stream_with_context
from flask_babel import lazy_gettext as _l

from gateway.api.audit import csv_lines
from gateway.console.auth import gateway, login_required
from gateway.console.formatting import CHINA
from gateway.domain.audit import MAX_PATH, WRITE_METHODS, AuditQuery
from gateway.service_layer import audit
from services.common.identity import Role

bp = Blueprint("console_audit", __name__, url_prefix="/audit")

PAGE_SIZE = 50
OUTCOMES = {"failed": _l("Refused or failed (4xx, 5xx)"), "succeeded": _l("Succeeded")}
CHANNELS = {"api": _l("API"), "console": _l("Console")}
FILTERS = ("since", "until", "method", "path_prefix", "outcome", "key_id")
_CONTROL = re.compile(r"[\x00-\x1f]")


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def read_filters(args) -> tuple[AuditQuery, dict[str, str], dict[str, list[str]]]:
    """The query the form asks for (days in China time; `until` includes its day), the filters as given,
    and each filter that was ignored with why."""
    given = {name: (args.get(name) or "").strip() for name in FILTERS}
    errors: dict[str, list[str]] = {}
    moments: dict[str, datetime] = {}
    for name, shift in (("since", 0), ("until", 1)):
        if given[name]:
            day = _day(given[name])
            if day is None:
                errors[name] = [str(_l("Enter a date as YYYY-MM-DD."))]
            else:
                moments[name] = datetime.combine(day + timedelta(days=shift), datetime.min.time(), CHINA)
    for name in ("path_prefix", "key_id"):
        if _CONTROL.search(given[name]) or len(given[name]) > MAX_PATH:
            errors[name] = [str(_l("This value cannot be searched for."))]
    usable = {name: given[name] or None for name in ("path_prefix", "key_id") if name not in errors}
    query = AuditQuery(
        since=moments.get("since"),
        until=moments.get("until"),
        method=given["method"] if given["method"] in WRITE_METHODS else None,
        failed={"failed": True, "succeeded": False}.get(given["outcome"]),
        **usable,
    )
    return query, {k: v for k, v in given.items() if v}, errors


@bp.get("")
@login_required(Role.PARK_MANAGER)
def index():
    query, filters, errors = read_filters(request.args)
    page = max(1, request.args.get("page", 1, type=int) or 1)
    records, total = audit.read_trail(gateway(), g.console_user.principal, query, (page - 1) * PAGE_SIZE, PAGE_SIZE)
    return render_template(
        "console/audit/index.html",
        records=records,
        total=total,
        page=page,
        page_size=PAGE_SIZE,
        filters=filters,
        errors=errors,
        methods=sorted(WRITE_METHODS),
        outcomes=OUTCOMES,
        channels=CHANNELS,
        china=CHINA,
    )


@bp.get("/export.csv")
@login_required(Role.PARK_MANAGER)
def download():
    query, _filters, _errors = read_filters(request.args)
    records = audit.export_trail(gateway(), g.console_user.principal, query)
    return Response(
        stream_with_context(csv_lines(records)),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="parkloop-audit.csv"'},
    )
