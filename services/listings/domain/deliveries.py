"""A delivery on an exchange, and the value rules an exchange and its deliveries share.

Quantities and prices are exact decimals (never floats) because the ledger turns them into
evidence: `exact_decimal` admits them, `decimal_str` writes them, `convert` moves heat between
MWh and GJ. A delivery carries the evidence a regulator asks for and names what it replaced;
`checked_evidence` and `checked_substitution` hold those rules per kind, with the substitutes
and fuels that services/common/contracts.py allows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import get_args

from services.common.contracts import Fuel, Substitute
from services.common.errors import FieldCollector

MAX_PLACES = 6  # a gram of a tonne, a litre of a cubic metre, a kWh-thousandth of a MWh
MAX_AMOUNT = Decimal(10) ** 12
GJ_PER_MWH = Decimal("3.6")
FUELS: tuple[str, ...] = get_args(Fuel)
SUBSTITUTES: dict[str, tuple[str, ...]] = {
    "material": ("virgin_material",),
    "heat": ("boiler_heat",),
    "water": ("fresh_water", "municipal_water"),
}
EVIDENCE: dict[str, tuple[str, ...]] = {
    "material": ("weighbridge_ticket", "manifest_number"),
    "heat": ("meter_reading", "period"),
    "water": ("meter_reading", "period"),
}
assert {s for subs in SUBSTITUTES.values() for s in subs} == set(get_args(Substitute))


def exact_decimal(value, positive: bool = True) -> Decimal:
    """A quantity or price as an exact, canonical decimal: finite, at most MAX_PLACES places,
    below MAX_AMOUNT in size and, when `positive`, above 0. Raises ValueError."""
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValueError('must be a decimal number, e.g. "12.5"') from None
    if not amount.is_finite():
        raise ValueError("must be a finite decimal number")
    if len(amount.as_tuple().digits) > 24:  # normalize() would round beyond 28 digits
        raise ValueError("has too many digits")
    if positive and amount <= 0:
        raise ValueError("must be greater than 0")
    if abs(amount) >= MAX_AMOUNT:
        raise ValueError(f"must be below {MAX_AMOUNT:,}")
    amount = amount.normalize() if amount else Decimal(0)  # "12.50" → 12.5; "-0" → 0
    exponent = amount.as_tuple().exponent  # an int: the amount is finite
    if isinstance(exponent, int) and exponent < -MAX_PLACES:
        raise ValueError(f"must have at most {MAX_PLACES} decimal places")
    return amount


def decimal_str(amount: Decimal) -> str:
    """Plain notation, never exponents: 1E+2 → "100"."""
    return format(amount, "f")


def shown(amount: Decimal) -> Decimal:
    """A sum converted between GJ and MWh can run to 28 digits; show it to MAX_PLACES."""
    return amount.quantize(Decimal(1).scaleb(-MAX_PLACES)).normalize() if amount else Decimal(0)


def convert(amount: Decimal, unit: str, to: str) -> Decimal:
    """Between the units one kind allows (only heat has two: 1 MWh = 3.6 GJ)."""
    if unit == to:
        return amount
    return amount * GJ_PER_MWH if (unit, to) == ("MWh", "GJ") else amount / GJ_PER_MWH


@dataclass(frozen=True)
class Delivery:
    """One delivery, with the evidence a regulator asks for and what it replaced."""

    id: str
    delivered_on: date
    amount: Decimal
    unit: str
    evidence: dict[str, str]
    substitution: dict[str, str]
    recorded_by: str | None  # the party's enterprise id; None when an admin recorded it
    recorded_at: datetime

    def to_dict(self) -> dict:
        """The API's form (events build their own: events.py)."""
        return {
            "id": self.id,
            "delivered_on": self.delivered_on.isoformat(),
            "amount": decimal_str(self.amount),
            "unit": self.unit,
            "evidence": dict(self.evidence),
            "substitution": dict(self.substitution),
            "recorded_by": self.recorded_by,
            "recorded_at": self.recorded_at.isoformat(),
        }


def checked_evidence(errors: FieldCollector, kind: str, hazardous: bool, given: dict) -> dict[str, str]:
    """The evidence given, blanks dropped; what a `kind` delivery lacks, or carries but may not,
    goes to `errors`."""
    evidence = {k: str(v).strip() for k, v in (given or {}).items() if v is not None and str(v).strip()}
    for key in evidence:
        errors.require(f"evidence.{key}", key in EVIDENCE[kind], f"is not evidence of a {kind} delivery")
    if kind == "material":
        errors.require(
            "evidence.weighbridge_ticket",
            "weighbridge_ticket" in evidence,
            "a material delivery needs its weighbridge ticket",
        )
        errors.require(
            "evidence.manifest_number",
            not hazardous or "manifest_number" in evidence,
            "a hazardous-waste transfer needs its transfer manifest number (危险废物转移联单)",
        )
    else:
        errors.require(
            "evidence",
            "meter_reading" in evidence or "period" in evidence,
            f"a {kind} delivery needs a meter_reading or a metering period",
        )
    return evidence


def checked_substitution(errors: FieldCollector, kind: str, given: dict) -> dict[str, str]:
    """What the delivery replaced, in canonical form; what does not fit a `kind` delivery goes to
    `errors`."""
    sub = {k: v for k, v in (given or {}).items() if v is not None}
    substitutes = sub.get("substitutes")
    errors.require(
        "substitution.substitutes",
        substitutes in SUBSTITUTES[kind],
        f"a {kind} delivery substitutes one of: {', '.join(SUBSTITUTES[kind])}",
    )
    errors.require(
        "substitution.fuel",
        kind != "heat" or sub.get("fuel") in FUELS,
        f"boiler heat names the fuel it replaces: one of {', '.join(FUELS)}",
    )
    for key, only in (("fuel", "heat"), ("boiler_efficiency", "heat"), ("material", "material")):
        errors.require(f"substitution.{key}", key not in sub or kind == only, f"belongs only on a {only} delivery")
    if kind == "heat" and "boiler_efficiency" in sub:
        efficiency = errors.check("substitution.boiler_efficiency", exact_decimal, sub["boiler_efficiency"])
        if efficiency is not None:
            errors.require("substitution.boiler_efficiency", efficiency <= 1, "must be above 0 and at most 1")
            sub["boiler_efficiency"] = decimal_str(efficiency)
    if "material" in sub:
        sub["material"] = str(sub["material"]).strip()
        errors.require("substitution.material", bool(sub["material"]), "must not be blank")
    return {k: sub[k] for k in ("substitutes", "fuel", "boiler_efficiency", "material") if k in sub}
