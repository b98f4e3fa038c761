"""What is offered or wanted, per kind: materials, waste heat, reclaimed water.

Each spec checks its own rules and names the offending field relative to itself; the
listing prefixes it with the kind (`heat.temperature_c`).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from services.common.errors import FieldCollector
from services.common.measures import measure_key

from .reference.steam import check_steam_state
from .reference.water_reuse import ReuseCategory

MAX_PRESSURE_MPA = 100.0  # the upper limit of IAPWS-IF97, and far above any industrial steam main


class Side(StrEnum):
    OFFER = "offer"
    WANT = "want"


class Kind(StrEnum):
    MATERIAL = "material"
    HEAT = "heat"
    WATER = "water"


class QuantityUnit(StrEnum):
    TONNE = "t"
    KILOGRAM = "kg"
    CUBIC_METRE = "m3"


class Recurrence(StrEnum):
    ONE_OFF = "one_off"
    PER_MONTH = "per_month"
    PER_YEAR = "per_year"


class HeatMedium(StrEnum):
    STEAM = "steam"
    HOT_WATER = "hot_water"
    FLUE_GAS = "flue_gas"
    THERMAL_OIL = "thermal_oil"


@dataclass(frozen=True)
class Quantity:
    amount: float
    unit: QuantityUnit
    recurrence: Recurrence

    def __post_init__(self):
        if not self.amount > 0:
            raise ValueError("amount must be greater than 0")


@dataclass(frozen=True)
class Measured:
    """A quality property of what is offered: CaO 45 %, moisture 12 %, COD 30 mg/L."""

    name: str
    value: float
    unit: str


@dataclass(frozen=True)
class Bound:
    """What a want accepts for a property; either side may be open."""

    name: str
    unit: str
    min: float | None = None
    max: float | None = None

    def check(self) -> str | None:
        if self.min is None and self.max is None:
            return "give min, max or both"
        if self.min is not None and self.max is not None and self.min > self.max:
            return "min must not exceed max"
        return None


def _check_measures(errors: FieldCollector, field: str, measures, bounds, side: Side) -> None:
    keys = [measure_key(m.name, m.unit) for m in (measures if side is Side.OFFER else bounds)]
    errors.require(field, len(keys) == len(set(keys)), "each property (name and unit) may appear only once")
    for i, bound in enumerate(bounds):
        problem = bound.check()
        errors.require(f"{field}.{i}", problem is None, problem or "")


@dataclass(frozen=True)
class MaterialSpec:
    """A by-product or solid waste. An offer names one code; a want may accept several."""

    waste_codes: tuple[str, ...]
    hazardous: bool
    quantity: Quantity
    properties: tuple[Measured, ...] = ()
    property_bounds: tuple[Bound, ...] = ()
    price_cny_per_t: float | None = None  # negative: the giver pays a gate fee

    @classmethod
    def build(cls, side: Side, waste_codes, quantity, properties, property_bounds, price_cny_per_t, catalogue):
        errors = FieldCollector()
        code_field = "waste_code" if side is Side.OFFER else "waste_codes"
        errors.require(code_field, len(waste_codes) >= 1, "name at least one waste code")
        errors.require(code_field, side is Side.WANT or len(waste_codes) <= 1, "an offer names exactly one code")
        classified = []
        for i, code in enumerate(waste_codes):
            name = code_field if side is Side.OFFER else f"{code_field}.{i}"
            waste = errors.check(name, catalogue.classify, code)
            if waste is not None:
                classified.append(waste)
        _check_measures(
            errors, "properties" if side is Side.OFFER else "property_bounds", properties, property_bounds, side
        )
        errors.raise_if_any()
        return cls(
            tuple(w.code for w in classified),
            any(w.category == "hazardous" for w in classified),
            quantity,
            tuple(properties),
            tuple(property_bounds),
            price_cny_per_t,
        )


@dataclass(frozen=True)
class HeatSpec:
    """Waste heat on offer (supply temperature) or wanted (required temperature)."""

    medium: HeatMedium
    temperature_c: float
    thermal_power_mw: float
    hours_per_day: float
    days_per_year: int
    pressure_mpa: float | None = None  # absolute; steam offers must state it
    price_cny_per_gj: float | None = None

    @classmethod
    def build(cls, side: Side, **values) -> HeatSpec:
        spec = cls(**values)
        errors = FieldCollector()
        errors.require("temperature_c", 0 < spec.temperature_c <= 1600, "must be above 0 and at most 1600 °C")
        errors.require("thermal_power_mw", spec.thermal_power_mw > 0, "must be greater than 0")
        errors.require("hours_per_day", 0 < spec.hours_per_day <= 24, "must be above 0 and at most 24")
        errors.require("days_per_year", 1 <= spec.days_per_year <= 366, "must be between 1 and 366")
        errors.require(
            "pressure_mpa",
            spec.pressure_mpa is None or 0 < spec.pressure_mpa <= MAX_PRESSURE_MPA,
            f"must be above 0 and at most {MAX_PRESSURE_MPA:g} MPa (absolute)",
        )
        if spec.medium is HeatMedium.STEAM:
            errors.require(
                "pressure_mpa",
                side is Side.WANT or spec.pressure_mpa is not None,
                "steam on offer must state its absolute pressure",
            )
            if spec.pressure_mpa is not None and not errors.errors:
                errors.check("temperature_c", check_steam_state, spec.temperature_c, spec.pressure_mpa)
        errors.raise_if_any()
        return spec


@dataclass(frozen=True)
class WaterSpec:
    """Reclaimed water by GB/T 19923 reuse category; a want lists parameter bounds."""

    reuse_category: ReuseCategory
    flow_m3_per_day: float
    parameters: tuple[Measured, ...] = ()
    parameter_bounds: tuple[Bound, ...] = ()
    price_cny_per_m3: float | None = None

    @classmethod
    def build(cls, side: Side, **values) -> WaterSpec:
        spec = cls(**values)
        errors = FieldCollector()
        errors.require("flow_m3_per_day", spec.flow_m3_per_day > 0, "must be greater than 0")
        _check_measures(
            errors,
            "parameters" if side is Side.OFFER else "parameter_bounds",
            spec.parameters,
            spec.parameter_bounds,
            side,
        )
        errors.raise_if_any()
        return spec
