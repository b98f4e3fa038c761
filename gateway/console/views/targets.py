"""Park manager pages: the implementation plan (实施方案), its targets and main projects, and this year's
progress against them. The plan is the API's (PUT /parks/{id}/implementation-plans/{period}); this page only turns the
form into its body and the API's field errors back into the form's field names."""

from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from gateway.console.api_client import ApiProblem
from gateway.console.auth import api, login_required, park_in_view
from gateway.console.labels import INDICATOR_NAMES, PROJECT_STATUSES
from gateway.console.listing_forms import place_errors
from gateway.console.views.park import this_year
from services.common.identity import Role
from services.ledger.domain.plans import TARGET_INDICATORS

bp = Blueprint("console_targets", __name__, url_prefix="/park/targets")

FIRST_PERIOD_START = 2021  # the 14th Five-Year period, 2021-2025, which the 1004 notice covers
BLANK_PROJECT_ROWS = 2


def five_year_period(year: int) -> str:
    """The Five-Year period a year falls in: 2026 → `2026-2030`."""
    start = FIRST_PERIOD_START + 5 * ((year - FIRST_PERIOD_START) // 5)
    return f"{start}-{start + 4}"


def period_years(period: str) -> list[int]:
    """`2026-2030` → [2026, …, 2030]; nothing for a period that is not two years."""
    start, _, end = period.partition("-")
    return list(range(int(start), int(end) + 1)) if start.isdigit() and end.isdigit() else []


def plan_body(form) -> tuple[dict, list[tuple[str, list[int]]], list[int]]:
    """The API's plan body from the form, with the form's target indicators (and each one's per-year
    targets) and project rows in the order the body lists them, so the API's `targets.N`,
    `targets.N.yearly.J` and `projects.N` errors find their field."""
    targets, order = [], []
    years = period_years(form.get("period") or "")
    for indicator, kind in TARGET_INDICATORS.items():
        field = f"targets.{indicator}"
        target = (form.get(f"{field}.target") or "").strip()
        if not target:
            continue
        item = {
            "indicator": indicator,
            "unit": kind.unit,
            "baseline_year": (form.get(f"{field}.baseline_year") or "").strip(),
            "target": target,
        }
        baseline_value = (form.get(f"{field}.baseline_value") or "").strip()
        if baseline_value:
            item["baseline_value"] = baseline_value
        yearly = [(year, (form.get(f"{field}.yearly.{year}") or "").strip()) for year in years]
        yearly = [(year, value) for year, value in yearly if value]
        if yearly:
            item["yearly"] = [{"year": year, "target": value} for year, value in yearly]
        targets.append(item)
        order.append((indicator, [year for year, _ in yearly]))
    projects, rows = [], []
    for row in range(int(form.get("project_rows") or 0)):
        field = f"projects.{row}"
        name = (form.get(f"{field}.name") or "").strip()
        if not name:
            continue
        investment = (form.get(f"{field}.investment_10k_cny") or "").strip()
        projects.append(
            {
                "name": name,
                "content": (form.get(f"{field}.content") or "").strip(),
                "investment_10k_cny": investment or None,
                "contributes_to": form.getlist(f"{field}.contributes_to"),
                "status": form.get(f"{field}.status") or "planned",
            }
        )
        rows.append(row)
    return {"targets": targets, "projects": projects}, order, rows


def form_errors(
    errors: dict[str, list[str]], order: list[tuple[str, list[int]]], rows: list[int]
) -> dict[str, list[str]]:
    """The API's `targets.0.unit` as the form's `targets.energy_saved_tce.unit`, `targets.0.yearly.1.target`
    as `targets.energy_saved_tce.yearly.2027`, `projects.1.name` as the form row's name."""
    named: dict[str, list[str]] = {}
    for field, messages in errors.items():
        parts = field.split(".")
        if len(parts) > 1 and parts[1].isdigit() and parts[0] == "targets" and int(parts[1]) < len(order):
            indicator, years = order[int(parts[1])]
            parts[1] = indicator
            if len(parts) > 3 and parts[2] == "yearly" and parts[3].isdigit() and int(parts[3]) < len(years):
                parts[3:] = [str(years[int(parts[3])])]
        elif len(parts) > 1 and parts[1].isdigit() and parts[0] == "projects" and int(parts[1]) < len(rows):
            parts[1] = str(rows[int(parts[1])])
        named.setdefault(".".join(parts), []).extend(messages)
    return named


def plan_values(plan: dict | None) -> dict:
    """The form's values from a recorded plan."""
    if plan is None:
        return {"targets": {}, "projects": []}
    targets = {t["indicator"]: {**t, "yearly": {y["year"]: y["target"] for y in t["yearly"]}} for t in plan["targets"]}
    return {"targets": targets, "projects": plan["projects"]}


def form_values(form) -> dict:
    """The form's values as submitted, to show them again beside the API's errors."""
    targets = {
        indicator: {
            "target": form.get(f"targets.{indicator}.target"),
            "baseline_year": form.get(f"targets.{indicator}.baseline_year"),
            "baseline_value": form.get(f"targets.{indicator}.baseline_value"),
            "yearly": {
                year: form.get(f"targets.{indicator}.yearly.{year}") for year in period_years(form.get("period") or "")
            },
        }
        for indicator in TARGET_INDICATORS
    }
    projects = [
        {
            "name": form.get(f"projects.{row}.name"),
            "content": form.get(f"projects.{row}.content"),
            "investment_10k_cny": form.get(f"projects.{row}.investment_10k_cny"),
            "contributes_to": form.getlist(f"projects.{row}.contributes_to"),
            "status": form.get(f"projects.{row}.status"),
        }
        for row in range(int(form.get("project_rows") or 0))
    ]
    while projects and not projects[-1]["name"]:
        projects.pop()  # blank rows at the end are offered again; earlier ones keep their place and errors
    return {"targets": targets, "projects": projects}


def shown_fields(period: str, project_rows: int) -> set[str]:
    """Every name the plan form shows errors beside (see the template)."""
    names = {"targets", "period"}
    for indicator in TARGET_INDICATORS:
        field = f"targets.{indicator}"
        names |= {f"{field}.{part}" for part in ("target", "unit", "baseline_year", "baseline_value", "yearly")}
        names |= {f"{field}.yearly.{year}" for year in period_years(period)}
    for row in range(project_rows):
        names |= {f"projects.{row}.{part}" for part in ("name", "content", "investment_10k_cny", "contributes_to")}
    return names


def _page(park_id: str, period: str, values: dict, errors=None, problem=None, status=200):
    client = api()
    plans = client.get(f"parks/{park_id}/implementation-plans")["items"]
    year = this_year()
    periods = sorted({p["period"] for p in plans} | {five_year_period(year), period})
    plan = next((p for p in plans if p["period"] == period), None)
    years = period_years(period)
    progress = client.get(f"parks/{park_id}/reports/{year}")["progress"] if plan and year in years else None
    return render_template(
        "console/targets/index.html",
        park=client.get(f"parks/{park_id}"),
        park_id=park_id,
        keep_park=park_id if g.console_user.is_admin else None,
        period=period,
        periods=periods,
        years=years,
        plan=plan,
        year=year,
        progress=progress,
        values=values,
        project_rows=len(values["projects"]) + BLANK_PROJECT_ROWS,
        indicators=TARGET_INDICATORS,
        indicator_names=INDICATOR_NAMES,
        statuses=PROJECT_STATUSES,
        errors=errors or {},
        problem=problem,
    ), status


def _chosen_period(park_id: str) -> str:
    chosen = request.args.get("period") or ""
    start, _, end = chosen.partition("-")
    if start.isdigit() and end.isdigit():
        return chosen
    plans = api().get(f"parks/{park_id}/implementation-plans")["items"]
    year = this_year()
    covering = next((p["period"] for p in plans if p["start_year"] <= year <= p["end_year"]), None)
    return covering or five_year_period(year)


@bp.get("")
@login_required(Role.PARK_MANAGER)
def index():
    park_id = park_in_view()
    period = _chosen_period(park_id)
    plans = api().get(f"parks/{park_id}/implementation-plans")["items"]
    return _page(park_id, period, plan_values(next((p for p in plans if p["period"] == period), None)))


@bp.post("")
@login_required(Role.PARK_MANAGER)
def save():
    park_id = park_in_view()
    period = request.form.get("period") or five_year_period(this_year())
    body, order, rows = plan_body(request.form)
    try:
        api().put(f"parks/{park_id}/implementation-plans/{period}", body)
    except ApiProblem as problem:
        if problem.status not in (400, 409, 422):
            raise
        values = form_values(request.form)
        beside, elsewhere = place_errors(
            form_errors(problem.errors, order, rows),
            shown_fields(period, len(values["projects"]) + BLANK_PROJECT_ROWS),
        )
        if problem.errors:
            problem = ApiProblem(
                problem.status, _("Nothing was saved. Please correct the fields marked below."), elsewhere
            )
        return _page(park_id, period, values, beside, problem, problem.status)
    flash(_("The plan for %(period)s is saved.", period=period))
    keep = {"park": park_id} if g.console_user.is_admin else {}
    return redirect(url_for("console_targets.index", period=period, **keep))
