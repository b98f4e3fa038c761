"""Plain-Python parts of the exchanges pages: the pipeline's grouping, which actions a party may
take, form fields to API bodies, listing summaries and exact numbers for people.

No strings for people live here (the exchanges catalog is extracted from the views and templates):
this module deals in the API's codes only. The API decides every rule; `actions_for` only chooses
which buttons to show so that a user is not offered what the API would refuse.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation

from babel.numbers import format_decimal

from gateway.console.formatting import in_china
from services.common.contracts import DELIVERY_UNITS

# The pipeline's columns, in the order an exchange moves through them; declined and cancelled
# exchanges share the last one.
COLUMNS: tuple[str, ...] = ("proposed", "accepted", "delivering", "completed", "closed")
STATUSES_OF: dict[str, tuple[str, ...]] = {
    "proposed": ("proposed",),
    "accepted": ("accepted",),
    "delivering": ("delivering",),
    "completed": ("completed",),
    "closed": ("declined", "cancelled"),
}
ALL_STATUSES: tuple[str, ...] = tuple(s for column in COLUMNS for s in STATUSES_OF[column])
OPEN_STATUSES = ("proposed", "accepted", "delivering")

UNITS: dict[str, tuple[str, ...]] = DELIVERY_UNITS
# What a delivery of each kind may replace and which evidence it carries (listings' deliveries.py
# holds the rules; a unit test keeps these lists equal to it).
SUBSTITUTES: dict[str, tuple[str, ...]] = {
    "material": ("virgin_material",),
    "heat": ("boiler_heat",),
    "water": ("fresh_water", "municipal_water"),
}
FUELS: tuple[str, ...] = ("coal", "natural_gas", "fuel_oil", "diesel", "electricity")
EVIDENCE: dict[str, tuple[str, ...]] = {
    "material": ("weighbridge_ticket", "manifest_number"),
    "heat": ("meter_reading", "period"),
    "water": ("meter_reading", "period"),
}
SUBSTITUTION_FIELDS: dict[str, tuple[str, ...]] = {
    "material": ("substitutes", "material"),
    "heat": ("substitutes", "fuel", "boiler_efficiency"),
    "water": ("substitutes",),
}


def column_of(status: str) -> str:
    return next((c for c in COLUMNS if status in STATUSES_OF[c]), "closed")


def party_in_park(exchange: Mapping, park_id: str | None) -> bool:
    """A park's exchanges are those with a party in it (as the API scopes a park manager's)."""
    return park_id is None or park_id in (exchange["supplier"]["park_id"], exchange["receiver"]["park_id"])


def status_counts(exchanges) -> dict[str, int]:
    counts = dict.fromkeys(ALL_STATUSES, 0)
    for exchange in exchanges:
        counts[exchange["status"]] = counts.get(exchange["status"], 0) + 1
    return counts


def pipeline(exchanges, per_column: int | None = None) -> list[dict]:
    """The columns in order: each with its statuses, its count and (up to `per_column`) its exchanges,
    most recently changed first."""
    ordered = sorted(exchanges, key=lambda e: e.get("updated_at") or "", reverse=True)
    columns = []
    for column in COLUMNS:
        items = [e for e in ordered if e["status"] in STATUSES_OF[column]]
        columns.append(
            {
                "state": column,
                "statuses": STATUSES_OF[column],
                "count": len(items),
                "items": items if per_column is None else items[:per_column],
                "more": 0 if per_column is None else max(0, len(items) - per_column),
            }
        )
    return columns


def role_of(exchange: Mapping, enterprise_id: str | None) -> str | None:
    """'supplier', 'receiver' or None (not a party)."""
    if enterprise_id and exchange["supplier"]["enterprise_id"] == enterprise_id:
        return "supplier"
    if enterprise_id and exchange["receiver"]["enterprise_id"] == enterprise_id:
        return "receiver"
    return None


def actions_for(exchange: Mapping, enterprise_id: str | None) -> list[str]:
    """What a party's enterprise may do now, in the order the page offers it: 'accept', 'decline'
    (the counterparty of a proposal), 'deliver' (record a delivery), 'complete', 'cancel'. Readers
    who are not a party (park managers, admins in the console) get none."""
    if role_of(exchange, enterprise_id) is None:
        return []
    status = exchange["status"]
    actions = []
    if status == "proposed" and exchange["proposed_by"] != enterprise_id:
        actions += ["accept", "decline"]
    if status in ("accepted", "delivering"):
        actions.append("deliver")
    if status == "delivering":
        actions.append("complete")
    if status in OPEN_STATUSES:
        actions.append("cancel")
    return actions


def waiting_for_counterparty(exchange: Mapping, enterprise_id: str | None) -> bool:
    """The signed-in party proposed, and the other side has not answered yet."""
    return exchange["status"] == "proposed" and exchange["proposed_by"] == enterprise_id


def _blank(value) -> bool:
    return value is None or str(value).strip() == ""


def proposal_payload(form: Mapping) -> dict:
    """The POST /exchanges body from the proposal form (blank optional fields left out)."""
    body = {
        "offer_id": (form.get("offer_id") or "").strip(),
        "want_id": (form.get("want_id") or "").strip(),
        "agreed_amount": (form.get("agreed_amount") or "").strip(),
        "agreed_unit": (form.get("agreed_unit") or "").strip(),
    }
    for optional in ("price_cny_per_unit", "note"):
        if not _blank(form.get(optional)):
            body[optional] = form.get(optional).strip()
    return body


def delivery_payload(form: Mapping, kind: str) -> dict:
    """The POST /exchanges/{id}/deliveries body from the delivery form, whose fields carry the API's
    dotted names (evidence.manifest_number, substitution.fuel…): blanks are left out, and only the
    fields that belong to `kind` are sent."""
    evidence = {
        name: form.get(f"evidence.{name}").strip()
        for name in EVIDENCE.get(kind, ())
        if not _blank(form.get(f"evidence.{name}"))
    }
    substitution = {
        name: form.get(f"substitution.{name}").strip()
        for name in SUBSTITUTION_FIELDS.get(kind, ())
        if not _blank(form.get(f"substitution.{name}"))
    }
    return {
        "delivered_on": (form.get("delivered_on") or "").strip(),
        "amount": (form.get("amount") or "").strip(),
        "unit": (form.get("unit") or "").strip(),
        "evidence": evidence,
        "substitution": substitution,
        "confirm_over_delivery": form.get("confirm_over_delivery") in ("1", "on", "true", "yes"),
    }


def remaining(exchange: Mapping) -> Decimal | None:
    """What is still to deliver in the agreed unit (None when nothing is left or it cannot be read)."""
    try:
        left = Decimal(exchange["agreed_amount"]) - Decimal(exchange.get("delivered_amount") or "0")
    except (InvalidOperation, KeyError, TypeError):
        return None
    return left.normalize() if left > 0 else None


def delivery_defaults(exchange: Mapping, deliveries: list[Mapping], today: date) -> dict:
    """The delivery form's first values: today, what is left in the agreed unit, and what the last
    delivery replaced (a receiver's boiler or virgin material rarely changes between deliveries)."""
    kind = exchange["kind"]
    values = {"delivered_on": today.isoformat(), "unit": exchange["agreed_unit"]}
    left = remaining(exchange)
    if left is not None:
        values["amount"] = format(left, "f")
    last = deliveries[-1]["substitution"] if deliveries else {}
    substitutes = SUBSTITUTES.get(kind, ())
    values["substitution.substitutes"] = last.get("substitutes") or (substitutes[0] if substitutes else "")
    for name in SUBSTITUTION_FIELDS.get(kind, ()):
        if name != "substitutes" and last.get(name):
            values[f"substitution.{name}"] = last[name]
    return values


def listing_summary(listing: Mapping | None) -> dict | None:
    """The facts a proposal needs from a listing, flattened from its kind's section."""
    if listing is None:
        return None
    kind = listing["kind"]
    spec = listing.get(kind) or {}
    summary = {
        "id": listing["id"],
        "title": listing["title"],
        "kind": kind,
        "status": listing["status"],
        "enterprise_id": listing["enterprise_id"],
        "park_id": listing["park_id"],
        "max_distance_km": listing.get("max_distance_km"),
        "available_from": listing.get("available_from"),
        "available_until": listing.get("available_until"),
    }
    if kind == "material":
        codes = spec.get("waste_codes") or ([spec["waste_code"]] if spec.get("waste_code") else [])
        quantity = spec.get("quantity") or {}
        summary.update(
            codes=codes,
            hazardous=bool(spec.get("hazardous")),
            amount=quantity.get("amount"),
            unit=quantity.get("unit"),
            recurrence=quantity.get("recurrence"),
            price=spec.get("price_cny_per_t"),
            price_unit="t",
        )
    elif kind == "heat":
        summary.update(
            medium=spec.get("medium"),
            temperature_c=spec.get("temperature_c"),
            pressure_mpa=spec.get("pressure_mpa"),
            thermal_power_mw=spec.get("thermal_power_mw"),
            hours_per_day=spec.get("hours_per_day"),
            days_per_year=spec.get("days_per_year"),
            price=spec.get("price_cny_per_gj"),
            price_unit="GJ",
        )
    elif kind == "water":
        summary.update(
            reuse_category=spec.get("reuse_category"),
            flow_m3_per_day=spec.get("flow_m3_per_day"),
            price=spec.get("price_cny_per_m3"),
            price_unit="m3",
        )
    return summary


def exact_number(value, locale: str = "zh_CN") -> str:
    """An exact decimal for people: thousands separators, every digit kept, never exponent form
    ("18450" → "18,450", "23.86" → "23.86", "1E+3" → "1,000"); "—" when it is not a number."""
    if _blank(value):
        return "—"
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return "—"
    if not number.is_finite():
        return "—"
    number = number.normalize() if number else Decimal(0)
    places = max(0, -number.as_tuple().exponent)
    pattern = "#,##0" + ("." + "0" * places if places else "")
    return format_decimal(number, format=pattern, locale=locale, decimal_quantization=False)


def local_time(value, seconds: bool = False) -> str:
    """An ISO timestamp as Beijing time (the parks' clock), "2026-11-30 04:51" (with `seconds`,
    "2026-11-30 04:51:07"); "—" for none."""
    if _blank(value):
        return "—"
    moment = in_china(value)
    return moment.strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M") if moment else str(value)


def short_id(value: str | None) -> str:
    return (value or "")[:8]
