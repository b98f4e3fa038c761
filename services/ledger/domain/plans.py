"""A park's implementation plan (实施方案): its period, the expected result (预期成效) for each indicator the
1004 notice names, and its main projects.

Each target is stated in the indicator's own unit (the unit the ledger measures it in), so a value and
its target are always compared like for like. An amount (energy saved, water saved, CO2 reduced,
wastes utilised, wastewater avoided, air pollutants reduced) is targeted as the total for the whole
period, and optionally per year; a level (the utilisation rate, energy and water per unit GDP) as the
level to reach by the period's end, and optionally per year.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

from services.common.errors import FieldCollector
from services.common.indicators import RATE_UNITS, UNITS, IndicatorName, RateName

MAX_PERIOD_YEARS = 10


class Measure(StrEnum):
    AMOUNT = "amount"  # added up over the years of a period
    LEVEL = "level"  # a year's level; never added up


class Direction(StrEnum):
    HIGHER = "higher"  # more is better
    LOWER = "lower"  # less is better (energy and water per unit GDP)


@dataclass(frozen=True)
class TargetIndicator:
    unit: str
    measure: Measure
    direction: Direction = Direction.HIGHER
    measured: bool = True  # False: the ledger has no figure for it (the plan may still set a target)


AIR_POLLUTANTS_REDUCED = "main_air_pollutants_reduced_t"
NOT_MEASURED = "ParkLoop does not measure this indicator: the ledger records no air pollutant reductions"

# Every indicator a plan may target: the ledger's indicators and rates, and the main air pollutants.
TARGET_INDICATORS: dict[str, TargetIndicator] = {
    **{name.value: TargetIndicator(UNITS[name], Measure.AMOUNT) for name in IndicatorName},
    AIR_POLLUTANTS_REDUCED: TargetIndicator("t", Measure.AMOUNT, measured=False),
    RateName.SOLID_WASTE_UTILISATION.value: TargetIndicator(
        RATE_UNITS[RateName.SOLID_WASTE_UTILISATION], Measure.LEVEL
    ),
    RateName.ENERGY_PER_GDP.value: TargetIndicator(RATE_UNITS[RateName.ENERGY_PER_GDP], Measure.LEVEL, Direction.LOWER),
    RateName.WATER_PER_GDP.value: TargetIndicator(RATE_UNITS[RateName.WATER_PER_GDP], Measure.LEVEL, Direction.LOWER),
}


class ProjectStatus(StrEnum):
    PLANNED = "planned"
    UNDER_CONSTRUCTION = "under_construction"
    IN_OPERATION = "in_operation"
    SUSPENDED = "suspended"


@dataclass(frozen=True)
class Target:
    indicator: str
    unit: str
    baseline_year: int
    target: Decimal  # amounts: the period's total; levels: the level at the period's end
    baseline_value: Decimal | None = None  # levels: where the park started (progress is measured from it)
    yearly: dict[int, Decimal] = field(default_factory=dict)  # optional per-year targets

    @property
    def kind(self) -> TargetIndicator:
        return TARGET_INDICATORS[self.indicator]

    def to_dict(self) -> dict[str, Any]:
        return {
            "indicator": self.indicator,
            "unit": self.unit,
            "baseline_year": self.baseline_year,
            "baseline_value": self.baseline_value,
            "target": self.target,
            "yearly": [{"year": y, "target": v} for y, v in sorted(self.yearly.items())],
            "measure": self.kind.measure.value,
            "direction": self.kind.direction.value,
        }


@dataclass(frozen=True)
class Project:
    name: str
    content: str
    investment_10k_cny: Decimal | None  # 万元
    contributes_to: tuple[str, ...]
    status: ProjectStatus

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "content": self.content,
            "investment_10k_cny": self.investment_10k_cny,
            "contributes_to": list(self.contributes_to),
            "status": self.status.value,
        }


@dataclass(frozen=True)
class Plan:
    park_id: str
    start_year: int
    end_year: int
    targets: tuple[Target, ...]
    projects: tuple[Project, ...]

    @property
    def period(self) -> str:
        return f"{self.start_year}-{self.end_year}"

    def covers(self, year: int) -> bool:
        return self.start_year <= year <= self.end_year

    def elapsed(self, year: int) -> Decimal:
        """The share of the period over by the end of `year` (0 before it starts, 1 after it ends)."""
        years = self.end_year - self.start_year + 1
        return Decimal(min(max(year - self.start_year + 1, 0), years)) / Decimal(years)

    def to_dict(self) -> dict[str, Any]:
        return {
            "park_id": self.park_id,
            "period": self.period,
            "start_year": self.start_year,
            "end_year": self.end_year,
            "targets": [t.to_dict() for t in self.targets],
            "projects": [p.to_dict() for p in self.projects],
        }

    @classmethod
    def of(cls, park_id: str, period: str, data: Mapping[str, Any]) -> Plan:
        """A plan from the API's (already typed) fields, every broken rule named by its field."""
        errors = FieldCollector()
        start, end = parse_period(period, errors)
        targets = tuple(_target(errors, f"targets.{i}", t, start, end) for i, t in enumerate(data.get("targets", [])))
        named = [t.indicator for t in targets]
        errors.require("targets", len(named) == len(set(named)), "each indicator may have only one target")
        projects = tuple(_project(errors, f"projects.{i}", p) for i, p in enumerate(data.get("projects", [])))
        errors.raise_if_any()
        return cls(park_id, start, end, targets, projects)

    @classmethod
    def restore(cls, doc: Mapping[str, Any]) -> Plan:
        """A plan as stored (its to_dict, decimals as strings)."""
        return cls.of(doc["park_id"], doc["period"], doc)


def parse_period(period: str, errors: FieldCollector) -> tuple[int, int]:
    """`2021-2025` → (2021, 2025)."""
    start_text, _, end_text = period.partition("-")
    if not (start_text.isdigit() and end_text.isdigit() and len(start_text) == len(end_text) == 4):
        errors.require("period", False, "must be two years, e.g. 2021-2025")
        return 0, 0
    start, end = int(start_text), int(end_text)
    errors.require("period", 2000 <= start <= end <= 2100, "must run forwards, between 2000 and 2100")
    errors.require("period", end - start < MAX_PERIOD_YEARS, f"must span at most {MAX_PERIOD_YEARS} years")
    return start, end


def _decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _target(errors: FieldCollector, at: str, raw: Mapping[str, Any], start: int, end: int) -> Target:
    indicator = raw["indicator"]
    kind = TARGET_INDICATORS.get(indicator)
    errors.require(f"{at}.indicator", kind is not None, f"must be one of {', '.join(TARGET_INDICATORS)}")
    if kind is not None:
        errors.require(f"{at}.unit", raw["unit"] == kind.unit, f"{indicator} is measured in {kind.unit}")
    errors.require(f"{at}.baseline_year", raw["baseline_year"] <= start, "must not be after the period starts")
    target = Decimal(str(raw["target"]))
    errors.require(f"{at}.target", target >= 0, "must not be negative")
    baseline = _decimal(raw.get("baseline_value"))
    errors.require(f"{at}.baseline_value", baseline is None or baseline >= 0, "must not be negative")
    yearly: dict[int, Decimal] = {}
    for j, item in enumerate(raw.get("yearly") or []):
        year, value = item["year"], Decimal(str(item["target"]))
        errors.require(f"{at}.yearly.{j}.year", start <= year <= end, "must lie within the plan's period")
        errors.require(f"{at}.yearly.{j}.year", year not in yearly, "each year may appear only once")
        errors.require(f"{at}.yearly.{j}.target", value >= 0, "must not be negative")
        yearly[year] = value
    return Target(indicator, raw["unit"], raw["baseline_year"], target, baseline, yearly)


def _project(errors: FieldCollector, at: str, raw: Mapping[str, Any]) -> Project:
    contributes = tuple(raw.get("contributes_to") or ())
    unknown = [name for name in contributes if name not in TARGET_INDICATORS]
    errors.require(f"{at}.contributes_to", not unknown, f"unknown indicators: {', '.join(unknown)}")
    investment = _decimal(raw.get("investment_10k_cny"))
    errors.require(f"{at}.investment_10k_cny", investment is None or investment >= 0, "must not be negative")
    return Project(raw["name"], raw.get("content") or "", investment, contributes, ProjectStatus(raw["status"]))
