"""The listing and enterprise forms ↔ the listings API's JSON (gateway/console/listing_forms.py)."""

from __future__ import annotations

import pytest
from werkzeug.datastructures import MultiDict

from gateway.console import listing_forms as forms
from services.listings.api.schemas import listing_schemas
from services.listings.domain.reference.water_reuse import ReuseCategory
from services.listings.domain.specs import HeatMedium, Kind, QuantityUnit, Recurrence


def test_the_forms_offer_exactly_the_apis_choices():
    assert set(forms.HEAT_MEDIA) == {m.value for m in HeatMedium}
    assert set(forms.REUSE_CATEGORIES) == {c.value for c in ReuseCategory}
    assert set(forms.QUANTITY_UNITS) == {u.value for u in QuantityUnit}
    assert set(forms.RECURRENCES) == {r.value for r in Recurrence}
    assert set(forms.KINDS) == {k.value for k in Kind}


@pytest.mark.parametrize("side", forms.SIDES)
@pytest.mark.parametrize("kind", forms.KINDS)
def test_every_input_is_named_by_a_field_of_the_api_schema(side, kind):
    """So the API's error names are the inputs' names."""
    schema = listing_schemas(side)["create"]()
    spec = forms.listing_form(side, kind)
    for name in spec.field_names() + [f"{rows.name}.0.{c.name}" for rows in spec.rows for c in rows.columns]:
        node = schema
        for part in name.split("."):
            if part.isdigit():
                continue
            field = node.fields[part]
            inner = getattr(field, "inner", field)
            node = getattr(inner, "schema", None) or node
        assert field is not None, name


def test_a_steam_offer_becomes_the_json_the_api_expects():
    form = MultiDict(
        {
            "title": " Extraction steam ",
            "heat.medium": "steam",
            "heat.temperature_c": "150",
            "heat.pressure_mpa": "1.0",
            "heat.thermal_power_mw": "２０",
            "heat.hours_per_day": "24",
            "heat.days_per_year": "330",
            "heat.price_cny_per_gj": "",
            "max_distance_km": "1,500",
            "location.lat": "",
            "location.lon": "",
            "available_from": "",
            "available_until": "",
        }
    )
    spec = forms.listing_form("offer", "heat")
    body = forms.to_api(forms.read_form(form, spec), spec)
    assert body == {
        "title": "Extraction steam",
        "max_distance_km": 1500,
        "heat": {
            "medium": "steam",
            "temperature_c": 150,
            "pressure_mpa": 1.0,
            "thermal_power_mw": 20,
            "hours_per_day": 24,
            "days_per_year": 330,
        },
    }


def test_an_edit_clears_emptied_optional_fields_and_keeps_defaulted_ones():
    spec = forms.listing_form("offer", "heat")
    values = {
        "title": "Steam",
        "heat.pressure_mpa": "",
        "available_from": "",
        "available_until": "",
        "heat.temperature_c": "",
        "location.lat": "",
        "location.lon": "",
    }
    body = forms.to_api(values, spec, partial=True)
    assert body["heat"]["pressure_mpa"] is None and body["available_until"] is None
    assert body["heat"]["temperature_c"] is None, "a cleared required field is refused by the API, not kept"
    assert "available_from" not in body and "location" not in body


def test_what_is_not_a_number_is_sent_as_typed_so_the_api_names_the_field():
    spec = forms.listing_form("offer", "heat")
    body = forms.to_api({"heat.temperature_c": "hot", "heat.days_per_year": "330.5", "location.lat": "34.6"}, spec)
    assert body["heat"]["temperature_c"] == "hot"
    assert body["heat"]["days_per_year"] == "330.5"
    assert body["location"] == {"lat": 34.6}, "one coordinate alone: the API says the other is missing"


@pytest.mark.parametrize(
    "text, number",
    [
        ("12", 12),
        ("-3.5", -3.5),
        ("1,250.5", 1250.5),
        ("３３０", 330),
        ("1e3", 1000.0),
        ("1,5", "1,5"),
        ("inf", "inf"),
        ("nan", "nan"),
        ("abc", "abc"),
    ],
)
def test_numbers_are_read_as_people_type_them(text, number):
    assert forms.parse_number(text) == number


def test_a_want_lists_its_codes_and_empty_rows_are_dropped_and_renumbered():
    form = MultiDict(
        {
            "material.waste_codes": "900-249-08，900-217-08 441-001-S02;",
            "material.quantity.amount": "200",
            "material.quantity.unit": "t",
            "material.quantity.recurrence": "per_month",
            "material.property_bounds.0.name": "",
            "material.property_bounds.0.unit": "",
            "material.property_bounds.3.name": "moisture",
            "material.property_bounds.3.unit": "%",
            "material.property_bounds.3.max": "12",
            "material.property_bounds.3.min": "",
        }
    )
    spec = forms.listing_form("want", "material")
    values = forms.read_form(form, spec)
    assert values["material.property_bounds.0.name"] == "moisture"
    body = forms.to_api(values, spec)
    assert body["material"] == {
        "waste_codes": ["900-249-08", "900-217-08", "441-001-S02"],
        "quantity": {"amount": 200, "unit": "t", "recurrence": "per_month"},
        "property_bounds": [{"name": "moisture", "unit": "%", "max": 12}],
    }


def test_an_edit_sends_an_emptied_list_so_the_api_clears_it():
    spec = forms.listing_form("offer", "water")
    assert forms.to_api({"water.reuse_category": "washing"}, spec, partial=True)["water"]["parameters"] == []
    assert "parameters" not in forms.to_api({"water.reuse_category": "washing"}, spec)["water"]


def test_a_listing_from_the_api_fills_its_edit_form():
    listing = {
        "id": "x",
        "kind": "material",
        "status": "active",
        "title": "Fly ash",
        "max_distance_km": 150.0,
        "location": {"lat": 34.6032, "lon": 119.5711},
        "available_from": "2025-01-01",
        "available_until": None,
        "material": {
            "hazardous": False,
            "waste_code": "441-001-S02",
            "price_cny_per_t": None,
            "quantity": {"amount": 18000.0, "unit": "t", "recurrence": "per_month"},
            "properties": [{"name": "moisture", "value": 1e-07, "unit": "%"}],
        },
    }
    spec = forms.listing_form("offer", "material")
    values = forms.from_api(listing, spec)
    assert values["max_distance_km"] == "150" and values["material.quantity.amount"] == "18000"
    assert values["material.properties.0.value"] == "0.0000001"
    assert values["available_until"] == "" and values["material.price_cny_per_t"] == ""
    assert "material.hazardous" not in values and "id" not in values
    assert forms.to_api(values, spec)["material"]["properties"] == [{"name": "moisture", "value": 1e-07, "unit": "%"}]


def test_the_apis_errors_land_beside_the_input_of_the_same_name_or_the_nearest_enclosing_one():
    spec = forms.listing_form("want", "material")
    values = {"material.property_bounds.0.name": "moisture", "material.property_bounds.0.unit": "%"}
    shown = forms.shown_names(spec, values, {"material.property_bounds": 2})
    beside, elsewhere = forms.place_errors(
        {
            "heat.temperature_c": ["not on this form"],
            "material.waste_codes.1": ["waste code '123-456-99' has no class HW99"],
            "material.property_bounds.0": ["give min, max or both"],
            "material.property_bounds.1.unit": ["Missing data for required field."],
            "material.quantity.amount": ["must be greater than 0"],
            "location.lat": ["out of range"],
            "body": ["bad"],
        },
        shown,
    )
    assert beside == {
        "material.waste_codes": ["waste code '123-456-99' has no class HW99"],
        "material.property_bounds.0": ["give min, max or both"],
        "material.property_bounds.1.unit": ["Missing data for required field."],
        "material.quantity.amount": ["must be greater than 0"],
        "location.lat": ["out of range"],
    }
    assert elsewhere == {"heat.temperature_c": ["not on this form"], "body": ["bad"]}


def test_the_enterprise_form_sends_its_contact_whole_and_licence_codes_as_lists():
    form = MultiDict(
        {
            "name": "Acme",
            "credit_code": "91320703MA1HB0010X",
            "industry_code": "C2614",
            "location.lat": "34.6",
            "location.lon": "119.6",
            "contact.name": "Li",
            "contact.phone": "",
            "contact.email": "",
            "licences.0.number": "JS-1",
            "licences.0.codes": "900-249-08, 900-217-08",
            "licences.0.capacity_t_per_year": "3000",
            "licences.0.valid_from": "2025-01-01",
            "licences.0.valid_until": "2029-12-31",
        }
    )
    values = forms.read_form(form, forms.ENTERPRISE_FORM)
    body = forms.to_api(values, forms.ENTERPRISE_FORM, partial=True)
    assert body["contact"] == {"name": "Li"}
    assert body["licences"] == [
        {
            "number": "JS-1",
            "codes": ["900-249-08", "900-217-08"],
            "capacity_t_per_year": 3000,
            "valid_from": "2025-01-01",
            "valid_until": "2029-12-31",
        }
    ]
    assert forms.to_api({"name": "Acme"}, forms.ENTERPRISE_FORM, partial=True)["contact"] == {}
    assert "contact" not in forms.to_api({"name": "Acme"}, forms.ENTERPRISE_FORM)


def test_the_match_filters_become_the_api_query():
    typed, query = forms.match_query({"min_score": "0.5", "max_distance_km": " 12 ", "page": "2"})
    assert typed == {"min_score": "0.5", "max_distance_km": "12"} and query == {
        "min_score": 0.5,
        "max_distance_km": 12,
        "page": 2,
    }
    assert forms.match_query({"page": "-1"})[1] == {"page": 1}
    assert forms.match_query({"max_distance_km": "far"})[1]["max_distance_km"] == "far"


def test_every_enterprise_input_is_named_by_a_field_of_the_api_schema():
    from services.listings.api.schemas import EnterpriseCreateSchema

    spec = forms.ENTERPRISE_FORM
    for name in spec.field_names() + [f"{rows.name}.0.{c.name}" for rows in spec.rows for c in rows.columns]:
        node = EnterpriseCreateSchema()
        for part in name.split("."):
            if part.isdigit():
                continue
            field = node.fields[part]  # KeyError: an input the API does not know
            node = getattr(getattr(field, "inner", field), "schema", None) or node
