"""The provincial reviewer's pages: the roll-up of a province's parks for a year (a table with progress
bars, drill-down into each park's submission) and the period summary. The figures are the API's
(GET /provinces/{code}/reports/{year} and /periods/{period}); a province key sees only its province,
an admin chooses one (`?province=`)."""

from __future__ import annotations

from flask import Blueprint, g, render_template, request

from gateway.console.auth import api, login_required
from gateway.console.formatting import in_china
from gateway.console.labels import PROVINCE_NAMES
from gateway.console.views.park import chosen_year, this_year
from gateway.console.views.targets import five_year_period
from services.common.identity import Role
from services.common.provinces import PROVINCES

bp = Blueprint("console_province", __name__, url_prefix="/province")

AMOUNTS = (
    "energy_saved_tce",
    "water_saved_m3",
    "co2_reduced_t",
    "solid_waste_utilised_t",
    "hazardous_waste_utilised_t",
    "wastewater_avoided_m3",
)


def _province() -> str:
    """The reviewer's own province; for an admin the one asked for, else the first park's."""
    user = g.console_user
    if not user.is_admin:
        return user.principal.province
    chosen = request.args.get("province")
    if chosen in PROVINCES:
        return chosen
    parks = api().get("parks")["items"]
    return parks[0]["province"] if parks else PROVINCES[0]


def _choices() -> list[tuple[str, str]]:
    return [(code, str(PROVINCE_NAMES[code])) for code in PROVINCES] if g.console_user.is_admin else []


def mean_progress(park: dict) -> dict:
    """How many of a park's targets are on track, lagging or unknown (for the row's summary)."""
    rows = (park.get("progress") or {}).get("rows", [])
    return {
        "on_track": sum(1 for r in rows if r["on_track"] is True),
        "lagging": sum(1 for r in rows if r["on_track"] is False),
        "unknown": sum(1 for r in rows if r["on_track"] is None),
    }


@bp.get("")
@login_required(Role.PROVINCE)
def index():
    province = _province()
    year = chosen_year(request.args.get("year"), this_year())
    rollup = api().get(f"provinces/{province}/reports/{year}")
    return render_template(
        "console/province/index.html",
        province=province,
        provinces=_choices(),
        year=year,
        years=sorted({this_year(), this_year() - 1, year}, reverse=True),
        rollup=rollup,
        amounts=AMOUNTS,
        counts={p["park_id"]: mean_progress(p) for p in rollup["parks"]},
        in_china=in_china,
    )


@bp.get("/period")
@login_required(Role.PROVINCE)
def period():
    province = _province()
    chosen = request.args.get("period") or ""
    start, _, end = chosen.partition("-")
    period_ = chosen if start.isdigit() and end.isdigit() else five_year_period(this_year() - 1)
    summary = api().get(f"provinces/{province}/periods/{period_}")
    periods = sorted({five_year_period(this_year() - 1), five_year_period(this_year()), period_})
    return render_template(
        "console/province/period.html",
        province=province,
        provinces=_choices(),
        period=period_,
        periods=periods,
        summary=summary,
        amounts=AMOUNTS,
    )
