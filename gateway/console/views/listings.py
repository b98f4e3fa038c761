"""An enterprise's offers and wants: create, edit, pause, resume, withdraw; their matches.

A key of role `enterprise` that is not yet bound to an enterprise (an enrolment key, just
issued) first registers its enterprise here. Admins may open every page, naming the
enterprise with `?enterprise=ID`. Forms post to the console, which builds the API's JSON
(listing_forms.py) and shows the API's per-field errors beside the inputs of the same name.
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from gateway.console import enterprises
from gateway.console import listing_forms as forms
from gateway.console.api_client import ApiProblem
from gateway.console.auth import api, gateway, login_required
from gateway.service_layer.keys import bind_registered_enterprise
from services.common.identity import Role

bp = Blueprint("console_listings", __name__, url_prefix="/listings")

MATCHES_PER_PAGE = 20
ACTIONS = ("pause", "resume", "withdraw")

MEDIA = {
    "steam": _l("Steam"),
    "hot_water": _l("Hot water"),
    "flue_gas": _l("Flue gas"),
    "thermal_oil": _l("Thermal oil"),
}
REUSE_CATEGORIES = {  # GB/T 19923-2005 columns, least to most demanding
    "washing": _l("Washing water"),
    "direct_cooling": _l("Direct-flow cooling water"),
    "circulating_cooling": _l("Circulating cooling make-up water"),
    "boiler_makeup": _l("Boiler make-up water"),
    "process": _l("Process and product water"),
}
QUANTITY_UNITS = {"t": _l("t (tonnes)"), "kg": _l("kg"), "m3": _l("m³")}
RECURRENCES = {"per_month": _l("every month"), "per_year": _l("every year"), "one_off": _l("one time")}
COMPONENTS = {
    "distance": _l("Distance"),
    "quantity": _l("Quantity fit"),
    "temperature": _l("Temperature margin"),
    "category": _l("Reuse-category fit"),
}
COMPONENT_HELP = {
    "distance": _l("Closer scores higher (great-circle distance)."),
    "quantity": _l("The smaller quantity divided by the larger: 1 when both are the same size."),
    "temperature": _l(
        "Margin of the supply above the required temperature plus the heat-exchanger approach; full from 50 K."
    ),
    "category": _l("1 when the water is of exactly the wanted GB/T 19923 category; over-qualified water scores less."),
}
# The API's generic (marshmallow) messages, as people here read them; rule messages stay as the API words them.
GENERIC_MESSAGES = {
    "Missing data for required field.": _l("Required."),
    "Field may not be null.": _l("Required."),
    "Not a valid number.": _l("Not a valid number."),
    "Not a valid integer.": _l("Not a valid whole number."),
    "Not a valid date.": _l("Not a valid date (YYYY-MM-DD)."),
    "Not a valid email address.": _l("Not a valid email address."),
}
MATCH_THRESHOLDS = ("", "0.3", "0.5", "0.7", "0.9")


@bp.context_processor
def _labels():
    def lookup(table):
        return lambda code: str(table.get(code, code)) if code is not None else ""

    return {
        "medium_name": lookup(MEDIA),
        "reuse_name": lookup(REUSE_CATEGORIES),
        "unit_name": lookup(QUANTITY_UNITS),
        "recurrence_name": lookup(RECURRENCES),
        "component_name": lookup(COMPONENTS),
        "component_help": lookup(COMPONENT_HELP),
        "MEDIA": MEDIA,
        "REUSE_CATEGORIES": REUSE_CATEGORIES,
        "QUANTITY_UNITS": QUANTITY_UNITS,
        "RECURRENCES": RECURRENCES,
        "LICENCE_ROWS": forms.ENTERPRISE_FORM.rows[0],
    }


def _readable(errors: dict[str, list[str]]) -> dict[str, list[str]]:
    return {name: [str(GENERIC_MESSAGES.get(m, m)) for m in messages] for name, messages in errors.items()}


def _side(side: str) -> str:
    if side not in forms.SIDES:
        abort(404)
    return side


def _own_enterprise_id() -> str | None:
    """The enterprise whose listings this page shows: the key's own (as GET /api/v1/keys/me says:
    the key is re-read on every request), or for an admin the one named by `?enterprise=`."""
    user = g.console_user
    if user.is_admin:
        return request.values.get("enterprise") or None
    return user.principal.enterprise_id


def _owns(listing: dict) -> bool:
    user = g.console_user
    return user.is_admin or listing["enterprise_id"] == user.principal.enterprise_id


def _own_listing(side: str, listing_id: str) -> dict:
    """A listing this user may change and see the matches of (another's active listing is readable,
    but its edit form and matches are not this user's to open)."""
    listing = api().get(f"{_side(side)}s/{listing_id}")
    if not _owns(listing):
        abort(403)
    return listing


def _needs_registration() -> bool:
    user = g.console_user
    return user.is_enterprise and user.principal.enterprise_id is None


def _index_url(enterprise_id: str | None = None) -> str:
    admin_args = {"enterprise": enterprise_id} if g.console_user.is_admin and enterprise_id else {}
    return url_for("console_listings.index", **admin_args)


# --- the enterprise -------------------------------------------------------------------------


def _enterprise_form(template: str, values: dict, problem: ApiProblem | None = None, status: int = 200, **context):
    spec = forms.ENTERPRISE_FORM
    rows_shown = {rows.name: forms.row_count(values, rows) + 1 for rows in spec.rows}
    beside, elsewhere = forms.place_errors(
        _readable(problem.errors) if problem else {}, forms.shown_names(spec, values, rows_shown)
    )
    return render_template(
        template, values=values, errors=beside, problem=_summary(problem, elsewhere), rows_shown=rows_shown, **context
    ), status


def _summary(problem: ApiProblem | None, elsewhere: dict[str, list[str]]) -> ApiProblem | None:
    """What the box above the form says: the API's own words when no field was named, else a short
    sentence and the errors of fields the form does not show."""
    if problem is None:
        return None
    if not problem.errors:
        return problem
    return ApiProblem(problem.status, _("Nothing was saved. Please correct the fields marked below."), elsewhere)


def _park(park_id: str | None) -> dict | None:
    if not park_id:
        return None
    try:
        return api().get(f"parks/{park_id}")
    except ApiProblem:
        return None


@bp.post("/register")
@login_required(Role.ENTERPRISE)
def register():
    """Register the enterprise of an enrolment key (POST /api/v1/enterprises); the key is then bound to it."""
    if not _needs_registration():
        return redirect(_index_url())
    values = forms.read_form(request.form, forms.ENTERPRISE_FORM)
    try:
        created = api().post("enterprises", forms.to_api(values, forms.ENTERPRISE_FORM))
    except ApiProblem as problem:
        if problem.status not in (409, 422):
            raise
        return _enterprise_form(
            "console/listings/register.html", values, problem, 422, park=_park(g.console_user.principal.park_id)
        )
    # The console calls the service directly, so it binds the enrolment key as the gateway's proxy does.
    bind_registered_enterprise(gateway(), g.console_user.principal, created["id"])
    flash(_("%(name)s is registered. You can now publish offers and wants.", name=created["name"]))
    return redirect(url_for("console_listings.index"))


@bp.route("/enterprise", methods=["GET", "POST"])
@login_required(Role.ENTERPRISE)
def profile():
    """Edit the enterprise: name, codes, location, contact and hazardous-waste licences (PATCH)."""
    enterprise_id = _own_enterprise_id()
    if not enterprise_id:
        return redirect(_index_url())
    enterprise = api().get(f"enterprises/{enterprise_id}")
    if request.method == "GET":
        return _enterprise_form(
            "console/listings/profile.html", forms.from_api(enterprise, forms.ENTERPRISE_FORM), enterprise=enterprise
        )
    values = forms.read_form(request.form, forms.ENTERPRISE_FORM)
    try:
        api().patch(f"enterprises/{enterprise_id}", forms.to_api(values, forms.ENTERPRISE_FORM, partial=True))
    except ApiProblem as problem:
        if problem.status not in (409, 422):
            raise
        return _enterprise_form("console/listings/profile.html", values, problem, 422, enterprise=enterprise)
    flash(_("The enterprise profile is saved."))
    return redirect(_index_url(enterprise_id))


# --- the listings ---------------------------------------------------------------------------


@bp.get("")
@login_required(Role.ENTERPRISE)
def index():
    if _needs_registration():
        return _enterprise_form("console/listings/register.html", {}, park=_park(g.console_user.principal.park_id))
    enterprise_id = _own_enterprise_id()
    if not enterprise_id:  # an admin: pick the enterprise first
        return render_template(
            "console/listings/pick.html",
            enterprises=api().all_pages("enterprises"),
            parks={p["id"]: p["name"] for p in api().get("parks")["items"]},
        )
    enterprise = api().get(f"enterprises/{enterprise_id}")
    show_all = request.args.get("show") == "all"
    lists = {}
    hidden = 0
    for side in forms.SIDES:
        items = api().all_pages(f"{side}s", enterprise_id=enterprise_id)
        visible = [item for item in items if show_all or item["status"] != "withdrawn"]
        hidden += len(items) - len(visible)
        lists[side] = sorted(visible, key=lambda item: (item["status"] != "active", item["kind"], item["title"]))
    return render_template(
        "console/listings/index.html", enterprise=enterprise, lists=lists, show_all=show_all, hidden=hidden
    )


def _listing_form(
    side: str,
    kind: str,
    values: dict,
    *,
    enterprise: dict,
    listing: dict | None = None,
    problem: ApiProblem | None = None,
    status: int = 200,
):
    spec = forms.listing_form(side, kind)
    rows_shown = {rows.name: max(forms.row_count(values, rows) + 1, 2) for rows in spec.rows}
    beside, elsewhere = forms.place_errors(
        _readable(problem.errors) if problem else {}, forms.shown_names(spec, values, rows_shown)
    )
    return render_template(
        "console/listings/form.html",
        side=side,
        kind=kind,
        spec=spec,
        values=values,
        errors=beside,
        problem=_summary(problem, elsewhere),
        rows_shown=rows_shown,
        enterprise=enterprise,
        listing=listing,
    ), status


@bp.route("/new", methods=["GET", "POST"])
@login_required(Role.ENTERPRISE)
def new():
    """`/listings/new?side=offer` chooses the kind; `…&kind=heat` is that kind's form."""
    if _needs_registration():
        return redirect(url_for("console_listings.index"))
    enterprise_id = _own_enterprise_id()
    if not enterprise_id:
        return redirect(_index_url())
    side, kind = request.args.get("side"), request.args.get("kind")
    if side not in forms.SIDES or kind not in forms.KINDS:
        return render_template(
            "console/listings/choose.html", side=side if side in forms.SIDES else None, enterprise_id=enterprise_id
        )
    enterprise = api().get(f"enterprises/{enterprise_id}")
    if request.method == "GET":
        return _listing_form(side, kind, dict(forms.LISTING_DEFAULTS), enterprise=enterprise)
    spec = forms.listing_form(side, kind)
    values = forms.read_form(request.form, spec)
    body = {"kind": kind, **forms.to_api(values, spec)}
    if g.console_user.is_admin:
        body["enterprise_id"] = enterprise_id
    try:
        created = api().post(f"{side}s", body)
    except ApiProblem as problem:
        if problem.status not in (403, 409, 422):
            raise
        return _listing_form(side, kind, values, enterprise=enterprise, problem=problem, status=422)
    flash(_("Published. Matching ranks its counterparts within a few seconds."))
    return redirect(url_for("console_listings.detail", side=side, listing_id=created["id"]))


@bp.get("/<side>/<listing_id>")
@login_required(Role.ENTERPRISE)
def detail(side: str, listing_id: str):
    listing = api().get(f"{_side(side)}s/{listing_id}")
    enterprise = api().get(f"enterprises/{listing['enterprise_id']}")
    return render_template(
        "console/listings/detail.html", side=side, listing=listing, enterprise=enterprise, owns=_owns(listing)
    )


@bp.route("/<side>/<listing_id>/edit", methods=["GET", "POST"])
@login_required(Role.ENTERPRISE)
def edit(side: str, listing_id: str):
    listing = _own_listing(side, listing_id)
    enterprise = api().get(f"enterprises/{listing['enterprise_id']}")
    spec = forms.listing_form(side, listing["kind"])
    if request.method == "GET":
        return _listing_form(
            side, listing["kind"], forms.from_api(listing, spec), enterprise=enterprise, listing=listing
        )
    values = forms.read_form(request.form, spec)
    try:
        api().patch(f"{side}s/{listing_id}", forms.to_api(values, spec, partial=True))
    except ApiProblem as problem:
        if problem.status not in (403, 409, 422):
            raise
        return _listing_form(
            side, listing["kind"], values, enterprise=enterprise, listing=listing, problem=problem, status=422
        )
    flash(_("Your changes are saved."))
    return redirect(url_for("console_listings.detail", side=side, listing_id=listing_id))


@bp.post("/<side>/<listing_id>/<action>")
@login_required(Role.ENTERPRISE)
def change_status(side: str, listing_id: str, action: str):
    if action not in ACTIONS:
        abort(404)
    try:
        changed = api().post(f"{_side(side)}s/{listing_id}/{action}")
        done = {
            "pause": _("“%(title)s” is paused: it is not matched until you resume it.", title=changed["title"]),
            "resume": _("“%(title)s” is active again and is matched.", title=changed["title"]),
            "withdraw": _("“%(title)s” is withdrawn. A withdrawn listing cannot be resumed.", title=changed["title"]),
        }
        flash(done[action])
    except ApiProblem as problem:
        if problem.status not in (403, 409):
            raise
        flash(problem.detail, "error")
    if request.form.get("back") == "index":
        return redirect(_index_url(request.form.get("enterprise")))
    return redirect(url_for("console_listings.detail", side=side, listing_id=listing_id))


# --- matches --------------------------------------------------------------------------------


@bp.get("/<side>/<listing_id>/matches")
@login_required(Role.ENTERPRISE)
def matches(side: str, listing_id: str):
    listing = _own_listing(side, listing_id)
    typed, query = forms.match_query(request.args)
    items, errors, pending = [], {}, False
    try:
        answer = api().get(f"{side}s/{listing_id}/matches", page_size=MATCHES_PER_PAGE, **query)
        items = answer["items"]
    except ApiProblem as problem:
        if problem.status == 422:
            errors = _readable(problem.errors)
        elif problem.status == 404:  # the matching service has not indexed this listing yet
            pending = True
        else:
            raise
    enterprises.look_up({m["listing"]["enterprise_id"] for m in items}, {"park_id": listing["park_id"]})
    other = "want" if side == "offer" else "offer"
    for rank, match in enumerate(items, start=(query["page"] - 1) * MATCHES_PER_PAGE + 1):
        match["rank"] = rank
        match["enterprise_name"] = (enterprises.known().get(match["listing"]["enterprise_id"]) or {}).get("name")
        ids = {f"{side}_id": listing_id, f"{other}_id": match["listing"]["id"]}
        # The exchanges area's form, by its path (its endpoint is not ours to name).
        match["propose_url"] = "/exchanges/new?" + urlencode({"offer_id": ids["offer_id"], "want_id": ids["want_id"]})
    # Newest first; a pairing several plans suggested is shown once.
    latest: dict[tuple[str, str], dict] = {}
    for s in api().all_pages("plan-suggestions"):
        if listing_id in (s["offer"]["id"], s["want"]["id"]):
            latest.setdefault((s["offer"]["id"], s["want"]["id"]), s)
    suggestions = list(latest.values())
    enterprises.look_up({s[other]["enterprise_id"] for s in suggestions}, {"park_id": listing["park_id"]})
    for suggestion in suggestions:  # the park's plan pairs this listing with that counterpart
        suggestion["counterpart"] = suggestion[other]
        suggestion["counterpart_name"] = enterprises.name(suggestion[other]["enterprise_id"])
        ids = {"offer_id": suggestion["offer"]["id"], "want_id": suggestion["want"]["id"]}
        suggestion["propose_url"] = "/exchanges/new?" + urlencode(ids)
    return render_template(
        "console/listings/matches.html",
        suggestions=suggestions,
        side=side,
        other=other,
        listing=listing,
        items=items,
        typed=typed,
        page=query["page"],
        errors=errors,
        pending=pending,
        has_next=len(items) == MATCHES_PER_PAGE,
        thresholds=MATCH_THRESHOLDS,
    )
