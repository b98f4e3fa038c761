"""The park planner's pages for a park manager: ask for a plan, and read one — its flows as a Sankey
beside the year's actual flows from the ledger, its expected gains beside the ledger's figures for the
year, the proposed pairings with a "suggest to both enterprises" button, and every unpaired listing
with its reason. Everything comes from the API as the signed-in key: the plan from matching
(/parks/{id}/plans), the year's figures and entries from the ledger. The helpers at the top are plain
Python over the API's answers (tests/unit/gateway/test_console_plans.py)."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from gateway.console import enterprises
from gateway.console.api_client import ApiProblem
from gateway.console.auth import api, login_required, park_in_view
from gateway.console.formatting import human_number, in_china
from gateway.console.i18n import current_language
from gateway.console.views.park import INDICATORS, counted_entries, flow_links, sankey_data, unit_name
from services.common.identity import Role

bp = Blueprint("console_plans", __name__, url_prefix="/park/plans")

PRIORITIES = {
    "co2_then_waste": ["co2_reduced_t", "hazardous_waste_utilised_t", "solid_waste_utilised_t", "water_saved_m3"],
    "waste_first": ["hazardous_waste_utilised_t", "solid_waste_utilised_t", "co2_reduced_t", "water_saved_m3"],
}
OBJECTIVES = [
    ("co2_then_waste", _l("CO₂ first, then hazardous and general waste utilised, then water saved")),
    ("waste_first", _l("Waste utilised first (hazardous, then general), then CO₂, then water")),
    ("co2", _l("CO₂ reduced only (weighted sum)")),
]
FUELS = [
    ("coal", _l("Coal")),
    ("natural_gas", _l("Natural gas")),
    ("fuel_oil", _l("Fuel oil")),
    ("diesel", _l("Diesel")),
    ("electricity", _l("Electricity")),
]
REASONS = {
    "legality": _l("Hazardous-waste legality: no licence or 点对点 approval covers it"),
    "no_counterpart": _l("No compatible counterpart within distance"),
    "no_gain": _l("No gain under this objective"),
    "quantity_used_elsewhere": _l("Quantity taken by better uses"),
}
GAIN_ORDER = [key for section, key, _label in INDICATORS if section == "indicators"]
SIDE_NAMES = {"offer": _l("Offer"), "want": _l("Want")}
PLANS_SHOWN = 20
UNIT_ORDER = ("t", "GJ", "m3")
DEFAULTS = {
    "objective": "co2_then_waste",
    "heat_pipeline_max_km": "15",
    "heat_hours_per_year": "8000",
    "heat_fuel": "coal",
    "material_lot": "",
}


# --- helpers over the API's answers ------------------------------------------------------------


def plan_request(form) -> dict:
    """The API body for the form: the chosen objective's weights or priorities, and the settings typed."""
    choice = form.get("objective", DEFAULTS["objective"])
    body: dict = {"priorities": PRIORITIES[choice]} if choice in PRIORITIES else {"weights": {"co2_reduced_t": 1}}
    for name in ("heat_pipeline_max_km", "heat_hours_per_year"):
        if form.get(name, "").strip():
            body[name] = form[name].strip()
    body["heat_fuel"] = form.get("heat_fuel") or DEFAULTS["heat_fuel"]
    if form.get("material_lot", "").strip():
        body["lots"] = {"material": form["material_lot"].strip()}
    return body


def form_errors(errors: dict[str, list[str]]) -> dict[str, list[str]]:
    """The API's field names as the form's: `lots.material` is the material lot field."""
    return {("material_lot" if name.startswith("lots") else name): messages for name, messages in errors.items()}


def plan_links(plan: dict) -> dict[str, list[dict]]:
    """The plan's pairings a year, per unit (t, GJ, m3), one link per supplier → receiver pair, in the
    shape park.flow_links gives the ledger's (so one Sankey and one table draw both)."""
    pairs: dict[str, dict[tuple[str, str], dict]] = defaultdict(dict)
    for pairing in plan["pairings"]:
        unit = pairing["per_year"]["unit"]
        key = (pairing["offer"]["enterprise_id"], pairing["want"]["enterprise_id"])
        link = pairs[unit].setdefault(
            key,
            {
                "source": key[0],
                "target": key[1],
                "amount": Decimal(0),
                "kinds": [],
                "codes": [],
                "exchanges": [],
                "indexes": [],
            },
        )
        link["amount"] += Decimal(str(pairing["per_year"]["amount"]))
        if pairing["kind"] not in link["kinds"]:
            link["kinds"].append(pairing["kind"])
        link["exchanges"].append((pairing["offer"]["id"], pairing["want"]["id"]))
    return {u: sorted(pairs[u].values(), key=lambda link: -link["amount"]) for u in UNIT_ORDER if u in pairs}


def comparison(plan: dict, report: dict) -> list[dict]:
    """Per indicator: the plan's expected gain a year, the greedy baseline's, and the ledger's figure for
    the year (None when the report has none)."""
    rows = []
    for section, key, label in INDICATORS:
        if section != "indicators":
            continue
        ledger = (report.get("indicators") or {}).get(key) or {}
        rows.append(
            {
                "key": key,
                "label": str(label),
                "unit": ledger.get("unit") or "",
                "plan": plan["totals"].get(key, 0.0),
                "greedy": plan["greedy"]["totals"].get(key, 0.0),
                "ledger": ledger.get("value"),
            }
        )
    return rows


def reason_text(unpaired: dict, language: str) -> str:
    """The reason's detail in the reader's language, from the figures the API gives beside it."""
    reason, facts = unpaired["reason"], unpaired.get("facts") or {}
    if reason == "legality":
        return _(
            "%(code)s is hazardous: no licence or 点对点 approval covers it for the receiver today",
            code=facts.get("code", ""),
        )
    if reason == "no_counterpart" and "nearest_km" in facts:
        km = human_number(facts["nearest_km"], language)
        return _("The nearest compatible counterpart is %(km)s km away, beyond the distance limits", km=km)
    if reason == "no_counterpart":
        return _("No listing in the plan passes matching's hard rules with it")
    if reason == "no_gain":
        return _(
            "%(n)s compatible counterparts, but no pairing with them raises the objective",
            n=facts.get("counterparts", 0),
        )
    return _(
        "%(n)s compatible counterparts; their quantities serve pairings that gain more", n=facts.get("counterparts", 0)
    )


def main_gains(gains: dict[str, float]) -> list[tuple[str, float]]:
    return [(key, gains[key]) for key in GAIN_ORDER if gains.get(key)]


# --- pages -------------------------------------------------------------------------------------


def _keep(park_id: str) -> dict:
    return {"park": park_id} if g.console_user.is_admin else {}


@bp.get("")
@login_required(Role.PARK_MANAGER)
def index(values: dict | None = None, errors: dict | None = None, status: int = 200):
    park_id = park_in_view()
    park = api().get(f"parks/{park_id}")
    plans = api().get(f"parks/{park_id}/plans", page_size=PLANS_SHOWN)
    return (
        render_template(
            "console/plans/index.html",
            park=park,
            park_id=park_id,
            plans=plans,
            values=values or DEFAULTS,
            errors=errors or {},
            objectives=OBJECTIVES,
            fuels=FUELS,
            keep=_keep(park_id),
        ),
        status,
    )


@bp.post("")
@login_required(Role.PARK_MANAGER)
def create():
    park_id = park_in_view()
    try:
        plan = api().post(f"parks/{park_id}/plans", plan_request(request.form))
    except ApiProblem as problem:
        if problem.status != 422:
            raise
        return index(dict(request.form), form_errors(problem.errors), 422)
    flash(_("Plan computed: %(n)s pairings.", n=len(plan["pairings"])), "success")
    return redirect(url_for("console_plans.detail", plan_id=plan["id"], **_keep(park_id)))


@bp.get("/<plan_id>")
@login_required(Role.PARK_MANAGER)
def detail(plan_id: str):
    park_id = park_in_view()
    plan = api().get(f"parks/{park_id}/plans/{plan_id}")
    report_path = plan["ledger_report"].removeprefix("/api/v1/")
    year = int(report_path.rsplit("/", 1)[1])
    report = api().get(report_path)
    entries = [item["entry"] for item in api().all_pages("ledger/entries", park_id=park_id, year=year)]
    counted, _left_out = counted_entries(entries)
    actual = flow_links(counted)
    planned = plan_links(plan)
    parties = {
        link[end] for links in (*actual.values(), *planned.values()) for link in links for end in ("source", "target")
    }
    parties |= {u["listing"]["enterprise_id"] for u in plan["unpaired"]}
    enterprises.look_up(parties, {"park_id": park_id})
    names = {e: enterprises.name(e) for e in parties}
    language = current_language()
    units = [u for u in UNIT_ORDER if u in planned or u in actual]
    diagrams = [
        {
            "unit": unit,
            "unit_name": unit_name(unit),
            "planned": sankey_data(unit, planned.get(unit, []), names, language),
            "actual": sankey_data(unit, actual.get(unit, []), names, language),
        }
        for unit in units
    ]
    suggested = {
        (s["offer"]["id"], s["want"]["id"]) for s in api().all_pages("plan-suggestions") if s["plan_id"] == plan_id
    }
    return render_template(
        "console/plans/detail.html",
        plan=plan,
        park_id=park_id,
        year=year,
        created=in_china(plan["created_at"]),
        rows=comparison(plan, report),
        diagrams=diagrams,
        names=names,
        suggested=suggested,
        reasons=REASONS,
        reason_text=lambda u: reason_text(u, language),
        side_names=SIDE_NAMES,
        main_gains=main_gains,
        unit_name=unit_name,
        keep=_keep(park_id),
    )


@bp.post("/<plan_id>/suggest")
@login_required(Role.PARK_MANAGER)
def suggest(plan_id: str):
    park_id = park_in_view()
    pairing = {"offer_id": request.form.get("offer_id", ""), "want_id": request.form.get("want_id", "")}
    api().post(f"parks/{park_id}/plans/{plan_id}/suggestions", pairing)
    flash(_("Suggested to both enterprises; they decide and propose the exchange themselves."), "success")
    return redirect(url_for("console_plans.detail", plan_id=plan_id, **_keep(park_id)) + "#pairings")
