"""Parks and the yearly baseline the 1004 notice's per-GDP indicators are measured against."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from enum import StrEnum

from services.common.errors import FieldCollector
from services.common.events import Event
from services.common.geo import Location
from services.common.provinces import PROVINCES

from .events import park_baseline_set, park_created


class ParkLevel(StrEnum):
    NATIONAL = "national"
    PROVINCIAL = "provincial"


class ParkType(StrEnum):
    """The park categories the notice names (经开区, 高新区, 出口加工区, 化工园区…)."""

    ECONOMIC_DEVELOPMENT_ZONE = "economic_development_zone"
    HIGH_TECH_ZONE = "high_tech_zone"
    EXPORT_PROCESSING_ZONE = "export_processing_zone"
    CHEMICAL_PARK = "chemical_park"
    INDUSTRIAL_PARK = "industrial_park"


@dataclass(frozen=True)
class YearlyBaseline:
    """The park's own totals for a year, entered by its managers; never guessed. Other services get it
    as contracts.BaselinePayload (ParkCreated, ParkBaselineSet); the ledger reads the same figures
    exactly, as Decimals (ledger/domain/report.py's YearlyBaseline)."""

    year: int
    gdp_10k_cny: float  # 万元, as Chinese statistics report GDP
    energy_tce: float
    water_m3: float
    solid_waste_generated_t: float

    def __post_init__(self):
        errors = FieldCollector()
        errors.require("year", 2000 <= self.year <= 2100, "must be between 2000 and 2100")
        for name in ("gdp_10k_cny", "energy_tce", "water_m3", "solid_waste_generated_t"):
            errors.require(name, getattr(self, name) >= 0, "must not be negative")
        errors.raise_if_any()


@dataclass
class Park:
    id: str
    name: str
    province: str
    level: ParkLevel
    park_type: ParkType
    centroid: Location
    baselines: list[YearlyBaseline] = field(default_factory=list)
    events: list[Event] = field(default_factory=list, repr=False, compare=False)

    @classmethod
    def create(cls, name, province, level, park_type, centroid, baselines=()) -> Park:
        errors = FieldCollector()
        errors.require("name", bool(name and name.strip()), "must not be blank")
        errors.require("province", province in PROVINCES, "must be one of China's 31 provincial-level divisions")
        years = [b.year for b in baselines]
        errors.require("baselines", len(years) == len(set(years)), "each year may appear only once")
        errors.raise_if_any()
        park = cls(
            str(uuid.uuid4()),
            name.strip(),
            province,
            ParkLevel(level),
            ParkType(park_type),
            centroid,
            sorted(baselines, key=lambda b: b.year),
        )
        park.events.append(park_created(park))
        return park

    def set_baseline(self, baseline: YearlyBaseline) -> None:
        self.baselines = sorted(
            [b for b in self.baselines if b.year != baseline.year] + [baseline], key=lambda b: b.year
        )
        self.events.append(park_baseline_set(self, baseline))

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "name": self.name,
            "province": self.province,
            "level": self.level.value,
            "park_type": self.park_type.value,
            "centroid": self.centroid.to_dict(),
            "baselines": [dict(b.__dict__) for b in self.baselines],
        }

    def public(self) -> Park:
        """What every key may see: a park's baseline is for its managers and admins."""
        return replace(self, baselines=[], events=[])
