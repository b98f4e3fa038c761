"""Fixtures shared by the unit tests: the shipped waste catalogue and small factories
that build a valid listing, enterprise or principal so each test states only what it varies."""

from __future__ import annotations

from datetime import date

import pytest

from services.common.geo import Location
from services.common.identity import Principal, Role
from services.listings.domain.reference import credit_code as gb32100
from services.listings.domain.reference.waste_codes import WasteCatalogue

HAZARDOUS_CODE = "900-249-08"  # in the shipped seed table (HW08, waste mineral oil)
GENERAL_CODE = "441-001-S02"  # format-valid industrial solid waste code, class S02
SUZHOU = Location(31.2989, 120.5853)


def credit_code(org_body: str = "MA1XK3QB", division: str = "320500") -> str:
    """A valid GB 32100-2015 code for an enterprise (registration 9, category 1)."""
    return gb32100.company_credit_code(division, org_body)


def offer_data(kind: str, **overrides) -> dict:
    """A valid offer spec dict per kind, as the API hands it to spec_from_dict."""
    base = {
        "material": {
            "waste_code": HAZARDOUS_CODE,
            "quantity": {"amount": 12.5, "unit": "t", "recurrence": "per_month"},
            "properties": [{"name": "oil", "value": 35.0, "unit": "%"}],
            "price_cny_per_t": -800.0,
        },
        "heat": {
            "medium": "steam",
            "temperature_c": 185.0,
            "pressure_mpa": 1.0,
            "thermal_power_mw": 4.0,
            "hours_per_day": 24.0,
            "days_per_year": 330,
            "price_cny_per_gj": 60.0,
        },
        "water": {
            "reuse_category": "circulating_cooling",
            "flow_m3_per_day": 800.0,
            "parameters": [{"name": "COD", "value": 30.0, "unit": "mg/L"}],
            "price_cny_per_m3": 2.5,
        },
    }[kind]
    return {**base, **overrides}


def want_data(kind: str, **overrides) -> dict:
    """A valid want spec dict per kind."""
    base = {
        "material": {
            "waste_codes": [HAZARDOUS_CODE, "900-218-08"],
            "quantity": {"amount": 100.0, "unit": "t", "recurrence": "per_year"},
            "property_bounds": [{"name": "oil", "unit": "%", "min": 20.0, "max": None}],
            "price_cny_per_t": None,
        },
        "heat": {
            "medium": "hot_water",
            "temperature_c": 90.0,
            "pressure_mpa": None,
            "thermal_power_mw": 2.0,
            "hours_per_day": 16.0,
            "days_per_year": 250,
            "price_cny_per_gj": None,
        },
        "water": {
            "reuse_category": "washing",
            "flow_m3_per_day": 300.0,
            "parameter_bounds": [{"name": "COD", "unit": "mg/L", "min": None, "max": 60.0}],
            "price_cny_per_m3": None,
        },
    }[kind]
    return {**base, **overrides}


@pytest.fixture(scope="session")
def catalogue() -> WasteCatalogue:
    return WasteCatalogue.shipped()


@pytest.fixture
def make_offer_data():
    return offer_data


@pytest.fixture
def make_want_data():
    return want_data


@pytest.fixture
def make_credit_code():
    return credit_code


@pytest.fixture
def terms_factory():
    from services.listings.domain.listings import Terms

    def build(**overrides) -> Terms:
        values = {
            "title": "Waste mineral oil, 12 t a month",
            "location": SUZHOU,
            "max_distance_km": 150.0,
            "available_from": date(2026, 1, 1),
            "available_until": date(2026, 12, 31),
        }
        return Terms(**{**values, **overrides})

    return build


@pytest.fixture
def principal():
    """principal("admin"), principal("park_manager", park="A"), principal("enterprise", park="A", enterprise="E1")."""

    def build(role: str, park: str | None = None, enterprise: str | None = None) -> Principal:
        return Principal(Role(role), key_id=f"key-{role}-{park}-{enterprise}", park_id=park, enterprise_id=enterprise)

    return build
