"""Admin pages: parks and their yearly baselines, enterprises, API keys.

Parks and enterprises go through the API as the signed-in admin (`auth.api()`). API keys are the
gateway's own: the console holds only the admin's key id, never their secret, so it calls the same
use cases the /api/v1/keys endpoints call (gateway/service_layer/keys.py).
"""

from __future__ import annotations

import math
import re
import secrets
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from types import SimpleNamespace

import marshmallow as ma
import requests
from flask import Blueprint, abort, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from gateway.api.keys import KeyCreateSchema
from gateway.console.api_client import ApiProblem
from gateway.console.auth import api, gateway, login_required
from gateway.console.formatting import CHINA, in_china
from gateway.console.labels import PROVINCE_NAMES
from gateway.service_layer import keys as key_use_cases
from gateway.service_layer.audit import record_call
from services.common.errors import DomainError
from services.common.identity import Role
from services.common.provinces import PROVINCES
from services.listings.domain.parks import ParkLevel, ParkType
from services.listings.domain.reference.industry_codes import divisions

bp = Blueprint("console_admin", __name__, url_prefix="/admin")

PAGE_SIZE = 50
ISSUE_NONCE = "admin_key_issue_nonce"  # one issue form, one key: a resent form issues nothing
ISSUED = "admin_key_issued"  # (nonce, key id) of the last key issued from this session

LEVEL_NAMES = {ParkLevel.NATIONAL.value: _l("National"), ParkLevel.PROVINCIAL.value: _l("Provincial")}
TYPE_NAMES = {
    ParkType.ECONOMIC_DEVELOPMENT_ZONE.value: _l("Economic and technological development zone"),
    ParkType.HIGH_TECH_ZONE.value: _l("High-tech industrial development zone"),
    ParkType.EXPORT_PROCESSING_ZONE.value: _l("Export processing zone"),
    ParkType.CHEMICAL_PARK.value: _l("Chemical park"),
    ParkType.INDUSTRIAL_PARK.value: _l("Industrial park"),
}
ROLE_CHOICES = (Role.PARK_MANAGER.value, Role.ENTERPRISE.value, Role.PROVINCE.value, Role.ADMIN.value)
BASELINE_FIELDS = ("gdp_10k_cny", "energy_tce", "water_m3", "solid_waste_generated_t")
SEPARATORS = str.maketrans("", "", ",，_ \u00a0\u202f")
INTEGER = re.compile(r"[+-]?\d+")


# --- plain helpers (unit-tested) ---------------------------------------------------------


def form_number(text):
    """A number typed by a person ("1,234.5", " 12 ") as the API takes it; blank → None; anything else
    is passed on as typed, so the API names the field that is not a number."""
    if text is None:
        return None
    cleaned = str(text).strip().translate(SEPARATORS)
    if not cleaned:
        return None
    if INTEGER.fullmatch(cleaned):
        return int(cleaned)
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        return str(text).strip()
    value = float(number) if number.is_finite() else math.inf
    return value if math.isfinite(value) else str(text).strip()


def plain_number(value) -> str:
    """A stored number as a form shows it for editing: exact, no exponent, no trailing `.0`."""
    if value is None or value == "":
        return ""
    number = Decimal(str(value))
    text = format(number, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def _compact(fields: dict) -> dict:
    return {name: value for name, value in fields.items() if value not in (None, "")}


def park_payload(form) -> dict:
    """POST /api/v1/parks from the new-park form."""
    centroid = _compact({"lat": form_number(form.get("centroid.lat")), "lon": form_number(form.get("centroid.lon"))})
    return _compact(
        {
            "name": (form.get("name") or "").strip(),
            "province": form.get("province"),
            "level": form.get("level"),
            "park_type": form.get("park_type"),
            "centroid": centroid,
        }
    )


def baseline_payload(form) -> dict:
    """PUT /api/v1/parks/{id}/baselines from the baseline form: one year, which it sets or replaces."""
    return _compact(
        {"year": form_number(form.get("year")), **{name: form_number(form.get(name)) for name in BASELINE_FIELDS}}
    )


def key_payload(form) -> dict:
    """The key use case's input from the issue form: only what the chosen role may name."""
    role = form.get("role") or ""
    data = {"role": role, "label": (form.get("label") or "").strip()}
    if role in (Role.PARK_MANAGER.value, Role.ENTERPRISE.value):
        data["park_id"] = form.get("park_id") or None
    if role == Role.ENTERPRISE.value:
        data["enterprise_id"] = form.get("enterprise_id") or None
    if role == Role.PROVINCE.value:
        data["province"] = form.get("province") or None
    return {name: value for name, value in data.items() if value is not None}


def industry_label(code: str | None) -> str:
    """`C2614` → `C2614 化学原料和化学制品制造业` (its GB/T 4754-2017 division); the code alone if unknown."""
    if not code:
        return ""
    digits = "".join(ch for ch in code if ch.isdigit())
    found = divisions().get(digits[:2])
    return f"{code} {found[1]}" if found else code


def validity(valid_from: str, valid_until: str, today: date | None = None) -> str:
    """`valid`, `expired` or `not_yet` on `today` (ISO dates, both days included)."""
    today = today or datetime.now(CHINA).date()
    if today < date.fromisoformat(valid_from):
        return "not_yet"
    if today > date.fromisoformat(valid_until):
        return "expired"
    return "valid"


def default_baseline_year(years_entered, today: date | None = None) -> int | str:
    """The year a new baseline is most likely for: last year, else this year, unless already entered."""
    this_year = (today or datetime.now(CHINA).date()).year
    return next((year for year in (this_year - 1, this_year) if year not in years_entered), "")


def beijing_time(moment: datetime | None) -> str:
    """A stored UTC moment as people in China read it: `2026-03-01 14:05` (UTC+8)."""
    moment = in_china(moment)
    return moment.strftime("%Y-%m-%d %H:%M") if moment else ""


def _for_form(problem: ApiProblem) -> ApiProblem:
    """A refusal naming fields is shown beside them, under one summary line (not the API's run-on detail)."""
    if problem.errors:
        return ApiProblem(problem.status, _("Some fields need attention."), problem.errors)
    return problem


def _problem(error: DomainError) -> ApiProblem:
    return _for_form(ApiProblem(error.status, error.detail, getattr(error, "errors", {}) or {}))


def _name(table: dict, code) -> str:
    return str(table.get(code, code))


@bp.context_processor
def _admin_helpers() -> dict:
    """Names and formats for the admin templates, as `admin.province(code)` etc."""
    return {
        "admin": SimpleNamespace(
            province=lambda code: _name(PROVINCE_NAMES, code),
            level=lambda code: _name(LEVEL_NAMES, code),
            park_type=lambda code: _name(TYPE_NAMES, code),
            industry=industry_label,
            time=beijing_time,
            plain=plain_number,
        )
    }


def _parks() -> list[dict]:
    return api().get("parks")["items"]


def _park_or_404(park_id: str) -> dict:
    return api().get(f"parks/{park_id}")


# --- parks -------------------------------------------------------------------------------


@bp.get("/parks")
@login_required(Role.ADMIN)
def parks():
    items = _parks()
    counts = {park["id"]: api().get("enterprises", park_id=park["id"], page_size=1)["total"] for park in items}
    return render_template("console/admin/parks.html", parks=items, counts=counts)


def _park_form(values=None, problem=None, status=200):
    return render_template(
        "console/admin/park_new.html",
        values=values or {},
        problem=problem,
        provinces=[(code, PROVINCE_NAMES[code]) for code in PROVINCES],
        levels=list(LEVEL_NAMES.items()),
        types=list(TYPE_NAMES.items()),
    ), status


@bp.get("/parks/new")
@login_required(Role.ADMIN)
def new_park():
    return _park_form({"level": ParkLevel.PROVINCIAL.value, "park_type": ParkType.CHEMICAL_PARK.value})


@bp.post("/parks/new")
@login_required(Role.ADMIN)
def create_park():
    try:
        park = api().post("parks", park_payload(request.form))
    except ApiProblem as problem:
        if problem.status >= 500:
            raise
        return _park_form(request.form, _for_form(problem), 422)
    flash(_("Park “%(name)s” created. Enter its yearly baseline below.", name=park["name"]))
    return redirect(url_for("console_admin.park", park_id=park["id"]))


def _park_page(park_id: str, values=None, problem=None, status=200):
    park = _park_or_404(park_id)
    baselines = sorted(park.get("baselines") or [], key=lambda b: b["year"], reverse=True)
    if values is None:
        chosen = request.args.get("year", type=int)
        existing = next((b for b in baselines if b["year"] == chosen), None)
        if existing:
            values = {name: plain_number(existing[name]) for name in ("year", *BASELINE_FIELDS)}
        else:
            values = {"year": chosen or default_baseline_year([b["year"] for b in baselines])}
    enterprises = api().all_pages("enterprises", park_id=park_id)
    return render_template(
        "console/admin/park.html",
        park=park,
        baselines=baselines,
        values=values,
        editing=any(b["year"] == form_number(values.get("year")) for b in baselines),
        problem=problem,
        enterprises=sorted(enterprises, key=lambda e: e["name"]),
    ), status


@bp.get("/parks/<park_id>")
@login_required(Role.ADMIN)
def park(park_id):
    return _park_page(park_id)


@bp.post("/parks/<park_id>/baselines")
@login_required(Role.ADMIN)
def set_baseline(park_id):
    data = baseline_payload(request.form)
    try:
        api().put(f"parks/{park_id}/baselines", data)
    except ApiProblem as problem:
        if problem.status not in (400, 422):
            raise
        return _park_page(park_id, request.form, _for_form(problem), 422)
    flash(_("Baseline for %(year)s saved.", year=data["year"]))
    return redirect(url_for("console_admin.park", park_id=park_id) + "#baselines")


# --- enterprises -------------------------------------------------------------------------


@bp.get("/enterprises")
@login_required(Role.ADMIN)
def enterprises():
    park_id = request.args.get("park") or None
    page = max(1, request.args.get("page", 1, type=int))
    found = api().get("enterprises", park_id=park_id, page=page, page_size=PAGE_SIZE)
    park_names = {p["id"]: p["name"] for p in _parks()}
    if park_id and park_id not in park_names:
        abort(404)
    return render_template(
        "console/admin/enterprises.html",
        enterprises=found["items"],
        total=found["total"],
        page=page,
        page_size=PAGE_SIZE,
        park_id=park_id,
        park_names=park_names,
    )


@bp.get("/enterprises/<enterprise_id>")
@login_required(Role.ADMIN)
def enterprise(enterprise_id):
    found = api().get(f"enterprises/{enterprise_id}")
    park = api().get(f"parks/{found['park_id']}")
    suppliers = {}
    for approval in found.get("approvals") or []:
        supplier_id = approval["supplier_enterprise_id"]
        if supplier_id not in suppliers:
            try:
                suppliers[supplier_id] = api().get(f"enterprises/{supplier_id}")["name"]
            except ApiProblem as problem:
                if problem.status != 404:
                    raise
                suppliers[supplier_id] = None
    return render_template(
        "console/admin/enterprise.html", enterprise=found, park=park, suppliers=suppliers, validity=validity
    )


# --- API keys ----------------------------------------------------------------------------


@bp.get("/keys")
@login_required(Role.ADMIN)
def keys():
    page = max(1, request.args.get("page", 1, type=int))
    principal = g.console_user.principal
    found, total = _newest_keys_first(principal, page)
    park_names = {p["id"]: p["name"] for p in _parks()}
    enterprise_names = (
        {e["id"]: e["name"] for e in api().all_pages("enterprises")} if any(k.enterprise_id for k in found) else {}
    )
    rows = [{"key": k, "why_not": key_use_cases.why_not_revocable(gateway(), principal, k)} for k in found]
    return render_template(
        "console/admin/keys.html",
        rows=rows,
        total=total,
        page=page,
        page_size=PAGE_SIZE,
        park_names=park_names,
        enterprise_names=enterprise_names,
        own_key_id=principal.key_id,
        configured_key_id=gateway().configured_admin_key_id,
    )


def _newest_keys_first(principal, page: int):
    """Page `page` of the keys, newest first: a key just issued (or revoked from the list) is on page 1,
    however many keys there are. The store lists them in the order issued, so read from its end."""
    _, total = key_use_cases.list_keys(gateway(), principal, 0, 0)
    end = max(0, total - (page - 1) * PAGE_SIZE)
    start = max(0, end - PAGE_SIZE)
    found, total = key_use_cases.list_keys(gateway(), principal, start, end - start)
    return list(reversed(found)), total


def _key_form(values, problem=None, status=200):
    parks_ = sorted(_parks(), key=lambda p: p["name"])
    if len(parks_) == 1 and not values.get("park_id"):
        values = {**values, "park_id": parks_[0]["id"]}
    enterprises_ = sorted(api().all_pages("enterprises"), key=lambda e: e["name"])
    session[ISSUE_NONCE] = secrets.token_urlsafe(16)
    return render_template(
        "console/admin/key_new.html",
        values=values,
        problem=problem,
        parks=parks_,
        enterprises=enterprises_,
        roles=ROLE_CHOICES,
        provinces=[(code, PROVINCE_NAMES[code]) for code in PROVINCES],
        nonce=session[ISSUE_NONCE],
    ), status


@bp.get("/keys/new")
@login_required(Role.ADMIN)
def new_key():
    return _key_form(
        {
            "role": request.args.get("role") or Role.PARK_MANAGER.value,
            "park_id": request.args.get("park", ""),
            "enterprise_id": request.args.get("enterprise", ""),
        }
    )


def _audit_key_call(method: str, path: str, status: int, created_key_id: str | None = None) -> None:
    """Keys are managed here without an HTTP call: recorded as the same call to /api/v1/keys."""
    record_call(gateway(), g.console_user.principal, method, path, status, "console", lambda: {"id": created_key_id})


@bp.post("/keys/new")
@login_required(Role.ADMIN)
def issue_key():
    nonce = request.form.get("nonce", "")
    issued = session.get(ISSUED)
    if issued and issued[0] == nonce:  # the result page reloaded or the form resent: never a second key
        flash(_("That key was already issued. Its secret was shown once and is not shown again."), "error")
        return redirect(url_for("console_admin.keys", _anchor=f"key-{issued[1]}"))
    if not nonce or session.pop(ISSUE_NONCE, None) != nonce:
        flash(_("This form was already used or has expired. Fill it in again."), "error")
        return redirect(url_for("console_admin.new_key"))
    try:
        data = KeyCreateSchema().load(key_payload(request.form))  # the API's own checks of the request
        key, secret = key_use_cases.issue_key(gateway(), g.console_user.principal, data)
    except ma.ValidationError as error:
        _audit_key_call("POST", "/api/v1/keys", 422)
        return _key_form(
            request.form, ApiProblem(422, _("Some fields need attention."), error.normalized_messages()), 422
        )
    except DomainError as error:
        _audit_key_call("POST", "/api/v1/keys", error.status)
        return _key_form(request.form, _problem(error), error.status)
    except requests.RequestException:
        _audit_key_call("POST", "/api/v1/keys", 503)
        return _key_form(
            request.form,
            ApiProblem(
                503,
                _(
                    "The listings service is not reachable, so the park "
                    "and enterprise cannot be checked. Try again shortly."
                ),
            ),
            503,
        )
    _audit_key_call("POST", "/api/v1/keys", 201, key.id)
    session[ISSUED] = (nonce, key.id)
    park_name = api().get(f"parks/{key.park_id}")["name"] if key.park_id else None
    enterprise_name = api().get(f"enterprises/{key.enterprise_id}")["name"] if key.enterprise_id else None
    return render_template(
        "console/admin/key_issued.html", key=key, secret=secret, park_name=park_name, enterprise_name=enterprise_name
    )


@bp.post("/keys/<key_id>/revoke")
@login_required(Role.ADMIN)
def revoke_key(key_id):
    try:
        key_use_cases.revoke_key(gateway(), g.console_user.principal, key_id)
    except DomainError as error:
        _audit_key_call("DELETE", f"/api/v1/keys/{key_id}", error.status)
        flash(_("The key was not revoked: %(reason)s", reason=error.detail), "error")
    else:
        _audit_key_call("DELETE", f"/api/v1/keys/{key_id}", 204)
        flash(_("Key revoked. It no longer works, and its console sessions have ended."))
    return redirect(url_for("console_admin.keys", page=request.form.get("page") or None, _anchor=f"key-{key_id}"))
