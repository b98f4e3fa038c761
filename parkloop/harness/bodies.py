"""Request bodies: a steam offer and a heat want that it matches, and a metered steam delivery."""

from __future__ import annotations

from datetime import date

HERE = {"lat": 34.6, "lon": 119.6}


def steam_offer(**overrides) -> dict:
    """Extraction steam, 20 MW around the clock; the enterprise's location unless one is given."""
    body = {
        "kind": "heat",
        "title": "Extraction steam",
        "max_distance_km": 15,
        "heat": {
            "medium": "steam",
            "temperature_c": 250,
            "pressure_mpa": 1.6,
            "thermal_power_mw": 20,
            "hours_per_day": 24,
            "days_per_year": 330,
        },
    }
    return {**body, **overrides}


def heat_want(**overrides) -> dict:
    """A dye works' process heat (120 °C hot water, 4 MW): the steam offer nearby matches it."""
    body = {
        "kind": "heat",
        "title": "Dyeing heat",
        "max_distance_km": 10,
        "heat": {
            "medium": "hot_water",
            "temperature_c": 120,
            "thermal_power_mw": 4,
            "hours_per_day": 16,
            "days_per_year": 300,
        },
    }
    return {**body, **overrides}


def steam_delivery(amount_gj: str) -> dict:
    """`amount_gj` GJ of steam delivered today by meter, replacing a natural-gas boiler (η = 0.9)."""
    return {
        "delivered_on": date.today().isoformat(),
        "amount": amount_gj,
        "unit": "GJ",
        "evidence": {"meter_reading": "FT-301 0001000 GJ"},
        "substitution": {"substitutes": "boiler_heat", "fuel": "natural_gas", "boiler_efficiency": "0.9"},
    }
