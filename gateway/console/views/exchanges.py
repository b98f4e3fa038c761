"""Exchanges: the pipeline by state for park managers, admins and enterprises; proposing from an offer
and a want; an exchange's page with its deliveries, evidence and what they replaced; and the parties'
actions (accept, decline, cancel, record a delivery, complete), each a POST form that redirects.

Every rule is the API's: a refused action comes back as its problem, shown beside the fields."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from gateway.console import enterprises
from gateway.console import exchange_forms as forms
from gateway.console.api_client import ApiProblem
from gateway.console.auth import api, login_required, park_in_view
from gateway.console.i18n import current_language
from services.common.identity import Role

bp = Blueprint("console_exchanges", __name__, url_prefix="/exchanges")

PER_COLUMN = 12  # cards per column on the board; a state's own page lists them all
PAGE_SIZE = 24

COLUMN_NAMES = {
    "proposed": _l("Proposed"),
    "accepted": _l("Accepted"),
    "delivering": _l("Delivering"),
    "completed": _l("Completed"),
    "closed": _l("Declined or cancelled"),
}
ROLE_NAMES = {"supplier": _l("You supply"), "receiver": _l("You receive")}
EVIDENCE_NAMES = {
    "weighbridge_ticket": _l("Weighbridge ticket"),
    "manifest_number": _l("Hazardous-waste transfer manifest number"),
    "meter_reading": _l("Meter reading"),
    "period": _l("Metering period"),
}
SUBSTITUTE_NAMES = {
    "virgin_material": _l("Virgin material"),
    "boiler_heat": _l("Heat from the receiver's own boiler"),
    "fresh_water": _l("Fresh water (self-supplied)"),
    "municipal_water": _l("Municipal tap water"),
}
FUEL_NAMES = {
    "coal": _l("Coal"),
    "natural_gas": _l("Natural gas"),
    "fuel_oil": _l("Fuel oil"),
    "diesel": _l("Diesel"),
    "electricity": _l("Electricity"),
}
MEDIUM_NAMES = {
    "steam": _l("Steam"),
    "hot_water": _l("Hot water"),
    "flue_gas": _l("Flue gas"),
    "thermal_oil": _l("Thermal oil"),
}
REUSE_NAMES = {
    "washing": _l("Washing"),
    "direct_cooling": _l("Direct cooling"),
    "circulating_cooling": _l("Circulating cooling"),
    "boiler_makeup": _l("Boiler make-up"),
    "process": _l("Process and product water"),
}
RECURRENCE_NAMES = {"one_off": _l("one-off"), "per_month": _l("per month"), "per_year": _l("per year")}
ACTION_DONE = {
    "accept": _l("You accepted the exchange. Either party may now record deliveries."),
    "decline": _l("You declined the proposal."),
    "cancel": _l("The exchange is cancelled."),
    "complete": _l("The exchange is completed. It goes to the ledger as evidence within moments."),
}
ACTIONS = tuple(ACTION_DONE)


def _name(table: dict):
    def lookup(code) -> str:
        return str(table.get(code, code)) if code else "—"

    return lookup


@bp.context_processor
def _helpers():
    language = current_language()
    return {
        "column_name": _name(COLUMN_NAMES),
        "party_role_name": _name(ROLE_NAMES),
        "evidence_name": _name(EVIDENCE_NAMES),
        "substitute_name": _name(SUBSTITUTE_NAMES),
        "fuel_name": _name(FUEL_NAMES),
        "medium_name": _name(MEDIUM_NAMES),
        "reuse_name": _name(REUSE_NAMES),
        "recurrence_name": _name(RECURRENCE_NAMES),
        "exact": lambda value: forms.exact_number(value, language),
        "when": forms.local_time,
        "short_id": forms.short_id,
        "enterprise_name": _enterprise_name,
    }


# --- reading --------------------------------------------------------------------------------------


def _enterprise_name(enterprise_id: str | None) -> str:
    return enterprises.name(enterprise_id) if enterprise_id else _("an administrator")


def _park_listing(park_id: str | None) -> dict | None:
    """A park's enterprises are read in one list call; without a park, one by one."""
    return {"park_id": park_id} if park_id else None


def _me() -> str | None:
    return g.console_user.principal.enterprise_id if g.console_user.is_enterprise else None


def _visible_exchanges() -> tuple[list[dict], str | None, list[dict]]:
    """The exchanges this page shows, the park it shows (None for an enterprise: its own, in every
    park) and the parks an admin may pick from."""
    user = g.console_user
    if user.is_enterprise:
        return api().all_pages("exchanges"), None, []
    park_id = park_in_view()
    parks = api().get("parks")["items"] if user.is_admin else []
    exchanges = [e for e in api().all_pages("exchanges") if forms.party_in_park(e, park_id)]
    return exchanges, park_id, parks


def _listing(side: str, listing_id: str | None) -> tuple[dict | None, ApiProblem | None]:
    if not listing_id:
        return None, None
    try:
        return api().get(f"{side}s/{listing_id}"), None
    except ApiProblem as problem:
        if problem.status in (400, 403, 404, 422):
            return None, problem
        raise


@bp.get("")
@login_required()
def index():
    exchanges, park_id, parks = _visible_exchanges()
    state = request.args.get("state", "")
    if state not in forms.COLUMNS:
        state = ""
    kind = request.args.get("kind", "")
    if kind not in forms.UNITS:
        kind = ""
    shown = [e for e in exchanges if not kind or e["kind"] == kind]
    counts = forms.status_counts(shown)
    board = forms.pipeline(shown, per_column=PER_COLUMN)
    page = max(1, request.args.get("page", 1, type=int) or 1)
    column = next((c for c in forms.pipeline(shown) if c["state"] == state), None)
    listed = column["items"][(page - 1) * PAGE_SIZE : page * PAGE_SIZE] if column else []
    on_page = listed if column else [e for c in board for e in c["items"]]
    enterprises.look_up(
        {e[side]["enterprise_id"] for e in on_page for side in ("supplier", "receiver")}, _park_listing(park_id)
    )
    args = {k: v for k, v in {"state": state, "kind": kind, "park": request.args.get("park", "")}.items() if v}
    return render_template(
        "console/exchanges/index.html",
        board=board,
        column=column,
        listed=listed,
        state=state,
        kind=kind,
        counts=counts,
        total=len(shown),
        page=page,
        page_size=PAGE_SIZE,
        args=args,
        park_id=park_id,
        parks=parks,
        me=_me(),
        forms=forms,
    )


def _banner(problem: ApiProblem | None, message) -> ApiProblem | None:
    """The problem as a form shows it on top: when the API named fields, a sentence in the reader's
    language (each field's own message is beside it); otherwise the API's detail as it is."""
    if problem is None or not problem.errors:
        return problem
    return ApiProblem(problem.status, str(message), problem.errors)


# --- proposing ------------------------------------------------------------------------------------


def _proposal_page(values: dict, problem: ApiProblem | None = None, status: int = 200):
    offer, offer_problem = _listing("offer", values.get("offer_id"))
    want, want_problem = _listing("want", values.get("want_id"))
    errors = dict(problem.errors) if problem else {}
    for name, lookup in (("offer_id", offer_problem), ("want_id", want_problem)):
        if lookup and name not in errors:
            errors[name] = [lookup.detail]
    offer_summary, want_summary = forms.listing_summary(offer), forms.listing_summary(want)
    me = _me()
    enterprises.look_up([s["enterprise_id"] for s in (offer_summary, want_summary) if s] + [me])
    choices = {}
    if not (offer and want) and me:
        park = g.console_user.principal.park_id
        choices = {
            side: api().get(f"{side}s", status="active", park_id=park, page_size=200)["items"]
            for side in ("offer", "want")
        }
        enterprises.look_up(
            {listing["enterprise_id"] for side in choices.values() for listing in side}, _park_listing(park)
        )
    kind = (offer or want or {}).get("kind")
    units = forms.UNITS.get(kind, ())
    if "agreed_unit" not in values and units:
        values["agreed_unit"] = units[0]
    banner = _banner(problem, _("The proposal was not sent. Please see the messages marked below."))
    return render_template(
        "console/exchanges/new.html",
        values=values,
        offer=offer_summary,
        want=want_summary,
        errors=errors,
        problem=banner,
        units=units,
        choices=choices,
        me=me,
    ), status


@bp.get("/new")
@login_required(Role.ENTERPRISE)
def new():
    values = {k: request.args.get(k, "").strip() for k in ("offer_id", "want_id") if request.args.get(k, "").strip()}
    return _proposal_page(values)


@bp.post("/new")
@login_required(Role.ENTERPRISE)
def propose():
    body = forms.proposal_payload(request.form)
    try:
        exchange = api().post("exchanges", body)
    except ApiProblem as problem:
        if problem.status >= 500:
            raise
        return _proposal_page(dict(request.form), problem, 422 if problem.status == 400 else problem.status)
    flash(_("Your proposal is sent. The other enterprise sees it among its exchanges and may accept or decline it."))
    return redirect(url_for(".detail", exchange_id=exchange["id"]))


# --- one exchange ---------------------------------------------------------------------------------


def _detail_page(exchange_id: str, values: dict | None = None, problem: ApiProblem | None = None, status: int = 200):
    exchange = api().get(f"exchanges/{exchange_id}")
    deliveries = api().all_pages(f"exchanges/{exchange_id}/deliveries")
    offer, _offer_problem = _listing("offer", exchange["offer_id"])
    want, _want_problem = _listing("want", exchange["want_id"])
    me = _me()
    enterprises.look_up(
        {
            exchange["supplier"]["enterprise_id"],
            exchange["receiver"]["enterprise_id"],
            exchange["proposed_by"],
            *(d["recorded_by"] for d in deliveries),
        }
    )
    actions = forms.actions_for(exchange, me)
    form_values = values if values is not None else forms.delivery_defaults(exchange, deliveries, date.today())
    return render_template(
        "console/exchanges/detail.html",
        exchange=exchange,
        deliveries=deliveries,
        offer=forms.listing_summary(offer),
        want=forms.listing_summary(want),
        me=me,
        my_role=forms.role_of(exchange, me),
        actions=actions,
        values=form_values,
        errors=problem.errors if problem else {},
        problem=_banner(problem, _("The delivery was not recorded. Please correct the fields marked below.")),
        today=date.today().isoformat(),
        substitutes=forms.SUBSTITUTES.get(exchange["kind"], ()),
        fuels=forms.FUELS,
        units=forms.UNITS.get(exchange["kind"], ()),
        evidence_fields=forms.EVIDENCE.get(exchange["kind"], ()),
        waiting=forms.waiting_for_counterparty(exchange, me),
    ), status


@bp.get("/<exchange_id>")
@login_required()
def detail(exchange_id: str):
    return _detail_page(exchange_id)


def _back(exchange_id: str) -> str:
    target = request.form.get("next", "")
    if target.startswith("/exchanges") and not target.startswith("//"):
        return target
    return url_for(".detail", exchange_id=exchange_id)


@bp.post("/<exchange_id>/<action>")
@login_required(Role.ENTERPRISE)
def change(exchange_id: str, action: str):
    if action not in ACTIONS:
        abort(404)
    try:
        api().post(f"exchanges/{exchange_id}/{action}")
    except ApiProblem as problem:
        if problem.status >= 500 or problem.status == 404:
            raise
        flash(problem.detail, "error")
    else:
        flash(str(ACTION_DONE[action]))
    return redirect(_back(exchange_id))


@bp.post("/<exchange_id>/deliveries")
@login_required(Role.ENTERPRISE)
def record_delivery(exchange_id: str):
    exchange = api().get(f"exchanges/{exchange_id}")
    body = forms.delivery_payload(request.form, exchange["kind"])
    try:
        api().post(f"exchanges/{exchange_id}/deliveries", body)
    except ApiProblem as problem:
        if problem.status >= 500 or problem.status == 404:
            raise
        return _detail_page(exchange_id, dict(request.form), problem, 422 if problem.status == 400 else problem.status)
    flash(_("The delivery is recorded with its evidence."))
    return redirect(url_for(".detail", exchange_id=exchange_id) + "#deliveries")
