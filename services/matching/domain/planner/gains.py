"""What one unit of flow on an arc gains a year, priced by the ledger's own rules: the contribution
the ledger would record for one year's delivery of that unit (services/common/indicators.py), so the
planner and the ledger can never disagree on a coefficient.

Units of flow (matching's basis, documents.py): materials t/a, heat MW, water m³/d. A year of one
unit is 1 t of material; `heat_hours` h × 3.6 GJ/MWh of heat; 365 m³ of water.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from services.common.coefficients import Coefficients
from services.common.indicators import IndicatorName, contributions

DAYS_PER_YEAR = 365
GJ_PER_MWH = Decimal("3.6")
YEAR_UNITS = {"material": "t", "heat": "GJ", "water": "m3"}  # a year's amount, in the ledger's delivery units


@dataclass(frozen=True)
class GainAssumptions:
    """What a listing does not say but the price of a flow needs."""

    heat_hours_per_year: float = 8000.0  # operating hours of a heat pairing (matching holds MW, not schedules)
    heat_fuel: str = "coal"  # the receiver's own boiler fuel that supplied heat displaces
    water_replaces: str = "fresh_water"

    def a_year(self, kind: str) -> Decimal:
        """A year of one unit of flow, in YEAR_UNITS[kind]."""
        if kind == "heat":
            return Decimal(str(self.heat_hours_per_year)) * GJ_PER_MWH
        return Decimal(DAYS_PER_YEAR) if kind == "water" else Decimal(1)

    def texts(self) -> list[str]:
        return [
            f"heat runs {self.heat_hours_per_year:g} h a year and displaces a {self.heat_fuel} boiler "
            "(efficiency as the ledger assumes when none is stated)",
            f"reclaimed water replaces {self.water_replaces.replace('_', ' ')}",
            "materials count as waste utilised; their CO2 and energy stay unknown (no verified substitution "
            "factor), so they count as zero",
        ]


def unit_gains(
    coefficients: Coefficients, assumptions: GainAssumptions, on: date
) -> dict[tuple[str, bool], dict[str, float]]:
    """(kind, hazardous) → indicator → gain a year per unit of flow. Unknown values count as zero."""
    keys = (("heat", False), ("water", False), ("material", False), ("material", True))
    substitution = {
        "heat": {"substitutes": "boiler_heat", "fuel": assumptions.heat_fuel},
        "water": {"substitutes": assumptions.water_replaces},
        "material": {"substitutes": "virgin_material"},
    }
    gains = {}
    for kind, hazardous in keys:
        payload = {
            "exchange_id": "planned",
            "kind": kind,
            "hazardous": hazardous,
            "deliveries": [
                {
                    "id": "a-year",
                    "delivered_on": on.isoformat(),
                    "amount": str(assumptions.a_year(kind)),
                    "unit": YEAR_UNITS[kind],
                    "substitution": substitution[kind],
                }
            ],
        }
        totals = contributions(payload, coefficients).totals  # type: ignore[arg-type]
        gains[(kind, hazardous)] = {
            str(name): float(i.value) for name, i in totals.items() if isinstance(i.value, Decimal)
        }
    return gains


INDICATORS = tuple(str(name) for name in IndicatorName)
