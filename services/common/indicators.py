"""What one completed exchange contributes to the park's circular-economy indicators.

`contributions(payload, coefficients)` turns an ExchangeCompleted payload into a `Contribution`:
per delivery, the indicators the 1004号 notice asks parks to report, each with its value (a
Decimal, or `Unknown(reason)` - never a zero standing in for "don't know"), the coefficient
ids/versions it used, the arithmetic written out, and the assumptions made. An indicator that
does not apply to a kind (water saved by a steam delivery) is simply absent.

Heat replacing the receiver's own boiler: fuel energy displaced = heat / boiler efficiency
(default 0.9, recorded). Energy saved is that fuel energy in standard coal: 1 kgce = 29 307 kJ
(GB/T 2589), so tce = MJ / 29 307. GB/T 2589's heat coefficient 0.03412 kgce/MJ is the same
ratio rounded; dividing by 29 307 avoids compounding that rounding. CO2 = fuel energy (TJ) x the
IPCC default factor of the fuel (tCO2/TJ). An electric boiler displaces kWh = MJ / 3.6, counted
at 0.1229 kgce/kWh (equivalent value) and at the grid factor of the delivery's year. Savings
are gross: pumping power and network losses on the supplier side are not deducted.

It lives in services/common because two services price exchanges with it: the ledger records
completed ones, and matching's planner values proposed ones (one unit delivered) the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation, localcontext
from enum import StrEnum
from functools import cache
from typing import Any, get_args

from services.common.coefficients import CoefficientNotFound, Coefficients, Selected
from services.common.contracts import DELIVERY_UNITS, ExchangeCompletedPayload, Fuel


class IndicatorName(StrEnum):
    """The indicators the 1004 notice asks parks to report, named once: contributions, ledger entries and
    the report key them by these values (a StrEnum member is its value: "energy_saved_tce")."""

    ENERGY_SAVED = "energy_saved_tce"
    WATER_SAVED = "water_saved_m3"
    CO2_REDUCED = "co2_reduced_t"
    SOLID_WASTE_UTILISED = "solid_waste_utilised_t"
    HAZARDOUS_WASTE_UTILISED = "hazardous_waste_utilised_t"
    WASTEWATER_AVOIDED = "wastewater_avoided_m3"


UNITS: dict[IndicatorName, str] = {
    IndicatorName.ENERGY_SAVED: "tce",
    IndicatorName.WATER_SAVED: "m3",
    IndicatorName.CO2_REDUCED: "t",
    IndicatorName.SOLID_WASTE_UTILISED: "t",
    IndicatorName.HAZARDOUS_WASTE_UTILISED: "t",
    IndicatorName.WASTEWATER_AVOIDED: "m3",
}
assert set(UNITS) == set(IndicatorName)


class RateName(StrEnum):
    """The rates the annual report computes from the park's baseline (report.py), named once."""

    SOLID_WASTE_UTILISATION = "solid_waste_utilisation_rate_pct"
    ENERGY_PER_GDP = "energy_per_gdp_tce_per_10k_cny"
    WATER_PER_GDP = "water_per_gdp_m3_per_10k_cny"


RATE_UNITS: dict[RateName, str] = {
    RateName.SOLID_WASTE_UTILISATION: "%",
    RateName.ENERGY_PER_GDP: "tce/10k CNY",
    RateName.WATER_PER_GDP: "m3/10k CNY",
}
assert set(RATE_UNITS) == set(RateName)
DEFAULT_BOILER_EFFICIENCY = Decimal("0.9")
GJ_PER_MWH, MJ_PER_KWH = Decimal("3.6"), Decimal("3.6")
PRECISION = 34
FUELS = get_args(Fuel)
FUEL_READING = {
    "coal": "coal taken as IPCC 'other bituminous coal'",
    "fuel_oil": "fuel oil taken as IPCC 'residual fuel oil'",
}


class InvalidPayload(ValueError):
    """The payload breaks the ExchangeCompleted contract; `field` names where."""

    def __init__(self, field_path: str, message: str) -> None:
        super().__init__(f"{field_path}: {message}")
        self.field = field_path


@dataclass(frozen=True)
class Unknown:
    reason: str


Value = Decimal | Unknown


@dataclass(frozen=True)
class CoefficientUse:
    id: str
    version: int
    value: Decimal
    unit: str
    source: str
    fallback: str | None = None

    @classmethod
    def of(cls, selected: Selected) -> CoefficientUse:
        c = selected.coefficient
        return cls(c.id, c.version, c.value, c.unit, f"{c.source}, {c.reference}", selected.fallback)


@dataclass(frozen=True)
class Indicator:
    name: IndicatorName
    value: Value
    basis: str
    coefficients: tuple[CoefficientUse, ...] = ()
    assumptions: tuple[str, ...] = ()

    @property
    def unit(self) -> str:
        return UNITS[self.name]

    @property
    def known(self) -> bool:
        return isinstance(self.value, Decimal)


@dataclass(frozen=True)
class DeliveryContribution:
    delivery_id: str
    delivered_on: str
    indicators: tuple[Indicator, ...]

    def get(self, name: IndicatorName) -> Indicator | None:
        return next((i for i in self.indicators if i.name == name), None)


@dataclass(frozen=True)
class Contribution:
    exchange_id: str
    kind: str
    hazardous: bool
    deliveries: tuple[DeliveryContribution, ...] = field(default_factory=tuple)

    @property
    def totals(self) -> dict[IndicatorName, Indicator]:
        """Each indicator summed over the deliveries; Unknown if any delivery's value is unknown."""
        return {
            name: combine(name, [i for d in self.deliveries if (i := d.get(name)) is not None])
            for name in UNITS
            if any(d.get(name) for d in self.deliveries)
        }

    def coefficient_versions(self) -> dict[str, int]:
        return {u.id: u.version for d in self.deliveries for i in d.indicators for u in i.coefficients}


def combine(name: IndicatorName, parts: list[Indicator]) -> Indicator:
    uses = tuple(dict.fromkeys(u for p in parts for u in p.coefficients))
    assumptions = tuple(dict.fromkeys(a for p in parts for a in p.assumptions))
    unknown = [p.value.reason for p in parts if isinstance(p.value, Unknown)]
    if unknown:
        reasons = "; ".join(dict.fromkeys(unknown))
        value: Value = Unknown(f"{len(unknown)} of {len(parts)} deliveries unknown: {reasons}")
    else:
        with localcontext() as ctx:
            ctx.prec = PRECISION
            value = sum((p.value for p in parts if isinstance(p.value, Decimal)), Decimal(0))  # none unknown
    return Indicator(name, value, f"sum of {len(parts)} deliveries", uses, assumptions)


def contributions(
    payload: ExchangeCompletedPayload, coefficients: Coefficients, region: str | None = None
) -> Contribution:
    """The exchange's contribution. `region` (GB/T 2260 province code of the receiving park)
    selects regional grid factors where shipped; otherwise the national one, recorded."""
    kind = payload["kind"]
    if kind not in DELIVERY_UNITS:
        raise InvalidPayload("kind", f"unknown kind {kind!r}")
    with localcontext() as ctx:
        ctx.prec = PRECISION
        deliveries = tuple(_delivery(payload, i, coefficients, region) for i in range(len(payload["deliveries"])))
    return Contribution(payload["exchange_id"], kind, bool(payload.get("hazardous")), deliveries)


def _delivery(payload: Mapping[str, Any], i: int, coefficients: Coefficients, region: str | None):
    delivery = payload["deliveries"][i]
    where = f"deliveries[{i}]"
    amount = _decimal(delivery.get("amount"), f"{where}.amount")
    unit = delivery.get("unit")
    if unit not in DELIVERY_UNITS[payload["kind"]]:
        raise InvalidPayload(f"{where}.unit", f"{unit!r} is not one of {DELIVERY_UNITS[payload['kind']]}")
    try:
        on = date.fromisoformat(delivery["delivered_on"])
    except (KeyError, TypeError, ValueError):
        raise InvalidPayload(f"{where}.delivered_on", "not a YYYY-MM-DD date") from None
    substitution = delivery.get("substitution") or {}
    try:
        if payload["kind"] == "heat":
            indicators = _heat(amount, unit, substitution, on.year, coefficients, region, where)
        elif payload["kind"] == "water":
            indicators = _water(amount, substitution)
        else:
            indicators = _material(amount, bool(payload.get("hazardous")), substitution)
    except ArithmeticError as exc:  # e.g. "1E+40" GJ: beyond 34 digits; a retry would fail the same way
        raise InvalidPayload(
            where, f"its figures cannot be computed to {PRECISION} significant digits ({type(exc).__name__})"
        ) from None
    return DeliveryContribution(delivery["id"], on.isoformat(), tuple(indicators))


def _decimal(raw: Any, where: str) -> Decimal:
    if not isinstance(raw, str):
        raise InvalidPayload(where, "amounts are decimal strings")
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise InvalidPayload(where, f"{raw!r} is not a decimal number") from None
    if not value.is_finite() or value < 0:
        raise InvalidPayload(where, f"{raw!r} must be a finite, non-negative number")
    return value


def _plain(value: Decimal) -> str:
    """A Decimal in a basis text: every digit, in plain notation. Wherever str() wrote plain notation
    (exponent <= 0 and adjusted exponent >= -6) this is byte for byte what str() wrote, so the texts of
    entries like those recorded before are unchanged; only what str() wrote in exponent form ("1.000E+4
    TJ" for 9,000,000 GJ, "5.55...E-7 TJ" for 0.0005 GJ) now reads in plain notation."""
    return format(value, "f")


def show(value: Decimal, places: int = 4) -> str:
    """A Decimal rounded for people to read (values themselves are never rounded)."""
    return f"{value.quantize(_quantum(places)):,}"


@cache
def _quantum(places: int) -> Decimal:
    return Decimal(1).scaleb(-places)


def _heat(amount, unit, substitution, year, coefficients, region, where) -> list[Indicator]:
    gj = amount * GJ_PER_MWH if unit == "MWh" else amount
    heat_text = f"{_plain(amount)} MWh x 3.6 GJ/MWh = {_plain(gj)} GJ" if unit == "MWh" else f"{_plain(gj)} GJ"
    efficiency, assumptions = _efficiency(substitution, where)
    fuel = substitution.get("fuel")
    if fuel is not None and fuel not in FUELS:
        raise InvalidPayload(f"{where}.substitution.fuel", f"{fuel!r} is not one of {FUELS}")
    if substitution.get("substitutes") != "boiler_heat" or not fuel:
        why = Unknown("the delivery does not say which boiler fuel it replaces (substitutes=boiler_heat, fuel)")
        return [
            Indicator(IndicatorName.ENERGY_SAVED, why, heat_text),
            Indicator(IndicatorName.CO2_REDUCED, why, heat_text),
        ]
    mj = gj * 1000 / efficiency
    displaced = f"{heat_text} / efficiency {_plain(efficiency)} = {show(mj, 3)} MJ of {fuel} energy displaced"
    if fuel == "electricity":
        return _electric(mj, displaced, year, coefficients, region, assumptions)
    return _fuel_boiler(mj, displaced, fuel, coefficients, assumptions)


def _efficiency(substitution: Mapping[str, Any], where: str) -> tuple[Decimal, tuple[str, ...]]:
    if substitution.get("boiler_efficiency") is None:
        return DEFAULT_BOILER_EFFICIENCY, ("boiler efficiency not stated; assumed 0.9",)
    efficiency = _decimal(substitution["boiler_efficiency"], f"{where}.substitution.boiler_efficiency")
    if not 0 < efficiency <= 1:
        raise InvalidPayload(f"{where}.substitution.boiler_efficiency", "must be in (0, 1]")
    return efficiency, ()


def _fuel_boiler(mj, displaced, fuel, coefficients, assumptions) -> list[Indicator]:
    kgce = CoefficientUse.of(coefficients.latest("kgce_lhv"))
    tce = mj * 1000 / kgce.value / 1000
    energy = Indicator(
        IndicatorName.ENERGY_SAVED,
        tce,
        f"{displaced}; x 1000 kJ/MJ / {_plain(kgce.value)} kJ/kgce / 1000 kg/t = {show(tce)} tce",
        (kgce,),
        assumptions,
    )
    co2_assumptions = assumptions + ((FUEL_READING[fuel],) if fuel in FUEL_READING else ())
    try:
        ef = CoefficientUse.of(coefficients.latest(f"fuel_co2.{fuel}"))
    except CoefficientNotFound as missing:
        return [energy, Indicator(IndicatorName.CO2_REDUCED, Unknown(str(missing)), displaced, (), co2_assumptions)]
    tj = mj / 1_000_000
    co2 = Indicator(
        IndicatorName.CO2_REDUCED,
        tj * ef.value,
        f"{displaced} = {_plain(tj)} TJ; x {_plain(ef.value)} tCO2/TJ = {show(tj * ef.value, 3)} t CO2",
        (ef,),
        co2_assumptions,
    )
    return [energy, co2]


def _electric(mj, displaced, year, coefficients, region, assumptions) -> list[Indicator]:
    kwh = mj / MJ_PER_KWH
    text = f"{displaced}; / 3.6 MJ/kWh = {show(kwh, 3)} kWh"
    kgce = CoefficientUse.of(coefficients.latest("electricity_kgce"))
    energy = Indicator(
        IndicatorName.ENERGY_SAVED,
        kwh * kgce.value / 1000,
        f"{text}; x {_plain(kgce.value)} kgce/kWh / 1000 = {show(kwh * kgce.value / 1000)} tce",
        (kgce,),
        assumptions,
    )
    try:
        grid = CoefficientUse.of(coefficients.latest("grid_co2", year, region))
    except CoefficientNotFound as missing:
        return [energy, Indicator(IndicatorName.CO2_REDUCED, Unknown(str(missing)), text, (), assumptions)]
    notes = assumptions + ((grid.fallback,) if grid.fallback else ())
    co2 = Indicator(
        IndicatorName.CO2_REDUCED,
        kwh * grid.value / 1000,
        f"{text}; x {_plain(grid.value)} kgCO2/kWh ({year} grid) / 1000 = {show(kwh * grid.value / 1000, 3)} t CO2",
        (grid,),
        notes,
    )
    return [energy, co2]


def _water(amount: Decimal, substitution: Mapping[str, Any]) -> list[Indicator]:
    replaces = substitution.get("substitutes")
    if replaces in ("fresh_water", "municipal_water"):
        saved = Indicator(
            IndicatorName.WATER_SAVED, amount, f"{_plain(amount)} m3 metered, replacing {replaces.replace('_', ' ')}"
        )
    else:
        saved = Indicator(
            IndicatorName.WATER_SAVED,
            Unknown("the delivery does not say it replaces fresh or municipal water"),
            f"{_plain(amount)} m3 metered",
        )
    avoided = Indicator(
        IndicatorName.WASTEWATER_AVOIDED,
        amount,
        f"{_plain(amount)} m3 metered",
        assumptions=("reclaimed water that the supplier would otherwise have discharged",),
    )
    return [saved, avoided]


def _material(amount: Decimal, hazardous: bool, substitution: Mapping[str, Any]) -> list[Indicator]:
    name = IndicatorName.HAZARDOUS_WASTE_UTILISED if hazardous else IndicatorName.SOLID_WASTE_UTILISED
    what = (
        "hazardous waste (reported apart from the general-waste utilisation rate)"
        if hazardous
        else "general industrial solid waste"
    )
    replaced = substitution.get("material") or "virgin material"
    no_factor = Unknown(f"no verified factor for substituting {replaced}; not computed")
    return [
        Indicator(name, amount, f"{_plain(amount)} t weighed, {what}, utilised by the receiver"),
        Indicator(IndicatorName.ENERGY_SAVED, no_factor, f"{_plain(amount)} t replacing {replaced}"),
        Indicator(IndicatorName.CO2_REDUCED, no_factor, f"{_plain(amount)} t replacing {replaced}"),
    ]


def to_dict(contribution: Contribution) -> dict[str, Any]:
    """Plain JSON (decimal strings, no floats) for a ledger entry."""
    return {
        "exchange_id": contribution.exchange_id,
        "kind": contribution.kind,
        "hazardous": contribution.hazardous,
        "deliveries": [
            {
                "delivery_id": d.delivery_id,
                "delivered_on": d.delivered_on,
                "indicators": [_indicator_dict(i) for i in d.indicators],
            }
            for d in contribution.deliveries
        ],
    }


def _indicator_dict(i: Indicator) -> dict[str, Any]:
    value = i.value
    return {
        "name": i.name.value,
        "unit": i.unit,
        "value": format(value, "f") if isinstance(value, Decimal) else None,
        "unknown": value.reason if isinstance(value, Unknown) else None,
        "basis": i.basis,
        "assumptions": list(i.assumptions),
        "coefficients": [
            {
                "id": u.id,
                "version": u.version,
                "value": format(u.value, "f"),
                "unit": u.unit,
                "source": u.source,
                "fallback": u.fallback,
            }
            for u in i.coefficients
        ],
    }


def from_dict(data: Mapping[str, Any]) -> Contribution:
    def indicator(raw: Mapping[str, Any]) -> Indicator:
        value: Value = Decimal(raw["value"]) if raw.get("value") is not None else Unknown(raw["unknown"])
        uses = tuple(
            CoefficientUse(u["id"], int(u["version"]), Decimal(u["value"]), u["unit"], u["source"], u.get("fallback"))
            for u in raw.get("coefficients", ())
        )
        return Indicator(
            IndicatorName(raw["name"]), value, raw.get("basis", ""), uses, tuple(raw.get("assumptions", ()))
        )

    return Contribution(
        data["exchange_id"],
        data["kind"],
        bool(data.get("hazardous")),
        tuple(
            DeliveryContribution(d["delivery_id"], d["delivered_on"], tuple(indicator(i) for i in d["indicators"]))
            for d in data["deliveries"]
        ),
    )
