"""Request bodies the load benchmark's setup and its locust scenario share."""

from __future__ import annotations

HERE = {"lat": 34.6, "lon": 119.6}
STEAM_OFFER = {
    "kind": "heat",
    "title": "Load-test steam",
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
HEAT_WANT = {
    "kind": "heat",
    "title": "Load-test dyeing heat",
    "max_distance_km": 10,
    "location": HERE,
    "heat": {
        "medium": "hot_water",
        "temperature_c": 120,
        "thermal_power_mw": 4,
        "hours_per_day": 16,
        "days_per_year": 300,
    },
}
DELIVERY = {
    "amount": "12",
    "unit": "GJ",
    "evidence": {"meter_reading": "FT-301 0001000 GJ"},
    "substitution": {"substitutes": "boiler_heat", "fuel": "natural_gas", "boiler_efficiency": "0.9"},
}
