"""The park's annual submission to the province: the park manager's editor (save a draft, submit, every
version), a printable page in Chinese for each version, and its downloads (JSON, CSV, Word). A province
reviewer opens the same printable page and downloads from the provincial roll-up.

Everything is the API's (/parks/{id}/submissions/{year}/…): this module turns the form into its body,
maps its field errors back onto the form, and passes its files through."""

from __future__ import annotations

import re

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from gateway.console.api_client import ApiProblem
from gateway.console.auth import api, login_required, park_in_view
from gateway.console.formatting import in_china
from gateway.console.listing_forms import place_errors
from gateway.console.views.park import chosen_year, problem_of, this_year
from services.common.identity import Role

bp = Blueprint("console_submissions", __name__, url_prefix="/park/submission")

SECTIONS = ("progress", "results", "experience", "difficulties")
FIGURE_PARTS = ("name", "value", "unit", "note")
BLANK_FIGURE_ROWS = 2
MIMETYPES = {
    "json": "application/json",
    "csv": "text/csv",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def version_to_write(versions: list[dict]) -> tuple[int, dict | None]:
    """The version the editor writes (the draft in place, or one past the latest submitted) and the
    version whose text it starts from."""
    latest = versions[0] if versions else None
    if latest is None:
        return 1, None
    return (latest["version"], latest) if latest["status"] == "draft" else (latest["version"] + 1, latest)


def submission_body(form) -> tuple[dict, list[int]]:
    """The API's body from the form, and which form rows the attached figures came from."""
    figures, rows = [], []
    for row in range(int(form.get("figure_rows") or 0)):
        name = (form.get(f"attached_figures.{row}.name") or "").strip()
        if not name:
            continue
        figure = {
            "name": name,
            "value": (form.get(f"attached_figures.{row}.value") or "").strip(),
            "unit": (form.get(f"attached_figures.{row}.unit") or "").strip(),
        }
        note = (form.get(f"attached_figures.{row}.note") or "").strip()
        if note:
            figure["note"] = note
        figures.append(figure)
        rows.append(row)
    sections = {name: form.get(f"sections.{name}") or "" for name in SECTIONS}
    return {"sections": sections, "attached_figures": figures}, rows


def figure_values(form) -> list[dict]:
    """The attached-figure rows as typed, each in its own place (blank rows at the end left off), so an
    error found for a row is shown beside that row again."""
    figures = [
        {part: form.get(f"attached_figures.{row}.{part}") or "" for part in FIGURE_PARTS}
        for row in range(int(form.get("figure_rows") or 0))
    ]
    while figures and not any(figures[-1].values()):
        figures.pop()
    return figures


def shown_fields(figure_rows: int) -> set[str]:
    """Every name the editor shows errors beside (see the template)."""
    names = {f"sections.{name}" for name in SECTIONS}
    return names | {f"attached_figures.{row}.{part}" for row in range(figure_rows) for part in FIGURE_PARTS}


def form_errors(errors: dict[str, list[str]], rows: list[int]) -> dict[str, list[str]]:
    named: dict[str, list[str]] = {}
    for field, messages in errors.items():
        parts = field.split(".")
        if parts[0] == "attached_figures" and len(parts) > 1 and parts[1].isdigit() and int(parts[1]) < len(rows):
            parts[1] = str(rows[int(parts[1])])
        named.setdefault(".".join(parts), []).extend(messages)
    return named


def _keep(park_id: str) -> dict:
    return {"park": park_id} if not g.console_user.is_manager else {}


def _editor(park_id: str, year: int, values: dict | None = None, errors=None, problem=None, status=200):
    client = api()
    listed = client.get(f"parks/{park_id}/submissions/{year}")
    number, start = version_to_write(listed["versions"])
    if values is None:
        values = {
            "sections": (start or {}).get("sections", {}),
            "attached_figures": (start or {}).get("attached_figures", []),
        }
    report = client.get(f"parks/{park_id}/reports/{year}")
    return render_template(
        "console/submissions/index.html",
        park=client.get(f"parks/{park_id}"),
        park_id=park_id,
        keep=_keep(park_id),
        year=year,
        years=sorted({this_year(), this_year() - 1, year}, reverse=True),
        listed=listed,
        number=number,
        frozen=start if start and start["status"] != "draft" else None,
        values=values,
        figure_rows=len(values["attached_figures"]) + BLANK_FIGURE_ROWS,
        progress=report.get("progress"),
        errors=errors or {},
        problem=problem,
        in_china=in_china,
    ), status


@bp.get("")
@login_required(Role.PARK_MANAGER)
def index():
    return _editor(park_in_view(), chosen_year(request.args.get("year"), this_year()))


@bp.post("")
@login_required(Role.PARK_MANAGER)
def save():
    park_id = park_in_view()
    year = chosen_year(request.form.get("year"), this_year())
    number = int(request.form.get("version") or 1)
    body, rows = submission_body(request.form)
    path = f"parks/{park_id}/submissions/{year}/{number}"
    try:
        api().put(path, body)
        if request.form.get("action") == "submit":
            api().post(f"{path}/submit")
    except ApiProblem as problem:
        if problem.status not in (400, 409, 422):
            raise
        values = {"sections": body["sections"], "attached_figures": figure_values(request.form)}
        beside, elsewhere = place_errors(
            form_errors(problem.errors, rows), shown_fields(len(values["attached_figures"]) + BLANK_FIGURE_ROWS)
        )
        if problem.errors:
            problem = ApiProblem(
                problem.status, _("Nothing was saved. Please correct the fields marked below."), elsewhere
            )
        return _editor(park_id, year, values, beside, problem, problem.status)
    if request.form.get("action") == "submit":
        flash(_("Version %(n)s of the %(year)s submission is submitted to the province.", n=number, year=year))
    else:
        flash(_("Draft version %(n)s is saved.", n=number))
    return redirect(url_for("console_submissions.index", year=year, **_keep(park_id)))


def _park_to_read() -> str:
    """A park manager reads their own park; a province reviewer or an admin names one (`?park=`)."""
    if g.console_user.is_manager or g.console_user.is_admin:
        return park_in_view()
    park_id = request.args.get("park")
    if not park_id:
        abort(404)
    return park_id


def _version_args() -> tuple[int, int]:
    year = chosen_year(request.args.get("year"), this_year())
    try:
        version = int(request.args.get("version") or 0)
    except ValueError:
        abort(404)
    if version < 1:
        abort(404)
    return year, version


@bp.get("/view")
@login_required(Role.PARK_MANAGER, Role.PROVINCE)
def view():
    park_id = _park_to_read()
    year, version = _version_args()
    client = api()
    submission = client.get(f"parks/{park_id}/submissions/{year}/{version}")
    return render_template(
        "console/submissions/view.html",
        park=client.get(f"parks/{park_id}"),
        park_id=park_id,
        s=submission,
        sections=SECTIONS,
        keep={"park": park_id, "year": year, "version": version},
        in_china=in_china,
    )


@bp.get("/download.<any(json, csv, docx):fmt>")
@login_required(Role.PARK_MANAGER, Role.PROVINCE)
def download(fmt: str):
    park_id = _park_to_read()
    year, version = _version_args()
    upstream = api().raw("GET", f"parks/{park_id}/submissions/{year}/{version}", params={"format": fmt})
    if upstream.status_code >= 400:
        raise problem_of(upstream)
    safe = re.sub(r"[^A-Za-z0-9_-]", "", park_id) or "park"
    name = f"parkloop-submission-{safe}-{year}-v{version}.{fmt}"
    return Response(
        upstream.content,
        mimetype=MIMETYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
