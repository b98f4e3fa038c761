"""Specs built from the API's plain dicts with the shipped waste catalogue: each rule refuses
with the field named under its kind (`material.waste_code`, `heat.temperature_c`…), and a
stored spec comes back exactly as it was saved."""

from __future__ import annotations

import pytest

from services.common.errors import InvalidFields
from services.listings.domain.reference.waste_codes import WasteCatalogue
from services.listings.domain.spec_dicts import restore_spec, spec_from_dict, spec_to_dict, waste_codes_of
from services.listings.domain.specs import HeatSpec, Kind, MaterialSpec, Side, WaterSpec


def refused_fields(kind: Kind, side: Side, data: dict, catalogue) -> dict[str, list[str]]:
    with pytest.raises(InvalidFields) as caught:
        spec_from_dict(kind, side, data, catalogue)
    return caught.value.errors


# --- materials -------------------------------------------------------------------------


def test_a_hazardous_offer_is_flagged_hazardous(catalogue, make_offer_data):
    spec = spec_from_dict(Kind.MATERIAL, Side.OFFER, make_offer_data("material"), catalogue)

    assert isinstance(spec, MaterialSpec)
    assert spec.hazardous is True
    assert spec.waste_codes == ("900-249-08",)


def test_a_general_solid_waste_offer_is_not_hazardous(catalogue, make_offer_data):
    spec = spec_from_dict(Kind.MATERIAL, Side.OFFER, make_offer_data("material", waste_code="441-001-S02"), catalogue)

    assert spec.hazardous is False
    assert spec.waste_codes == ("441-001-S02",)


def test_an_offer_code_typed_without_hyphens_is_stored_in_canonical_form(catalogue, make_offer_data):
    spec = spec_from_dict(Kind.MATERIAL, Side.OFFER, make_offer_data("material", waste_code=" 90024908"), catalogue)

    assert spec.waste_codes == ("900-249-08",)


@pytest.mark.parametrize(
    "code",
    ["ABC-DEF-GH", "900-249-8", "900-249-41", "900-249-99", "441-001-S08", "441-001-S65", "441-000-S02"],
    ids=["not-a-code", "short", "unused-HW41", "no-HW99", "S08-excluded", "household-S65", "sequence-000"],
)
def test_a_malformed_code_or_wrong_class_is_refused_under_material_waste_code(catalogue, make_offer_data, code):
    errors = refused_fields(Kind.MATERIAL, Side.OFFER, make_offer_data("material", waste_code=code), catalogue)

    assert list(errors) == ["material.waste_code"]
    assert code in errors["material.waste_code"][0]


def test_a_code_missing_from_an_imported_official_table_is_refused(tmp_path, make_offer_data):
    table = tmp_path / "official.csv"
    table.write_text(
        "# edition: National Hazardous Waste List, 2025 edition\ncode,name\n900-249-08,废矿物油\n", encoding="utf-8"
    )
    official = WasteCatalogue.shipped(table)

    assert spec_from_dict(Kind.MATERIAL, Side.OFFER, make_offer_data("material"), official).hazardous
    errors = refused_fields(Kind.MATERIAL, Side.OFFER, make_offer_data("material", waste_code="900-218-08"), official)
    assert list(errors) == ["material.waste_code"]
    assert "not in the imported official table" in errors["material.waste_code"][0]


def test_a_want_may_accept_several_codes_and_is_hazardous_if_any_is(catalogue, make_want_data):
    data = make_want_data("material", waste_codes=["441-001-S02", "900-218-08"])
    spec = spec_from_dict(Kind.MATERIAL, Side.WANT, data, catalogue)

    assert spec.waste_codes == ("441-001-S02", "900-218-08")
    assert spec.hazardous is True
    assert waste_codes_of(spec) == ("441-001-S02", "900-218-08")


def test_a_want_of_general_codes_only_is_not_hazardous(catalogue, make_want_data):
    spec = spec_from_dict(Kind.MATERIAL, Side.WANT, make_want_data("material", waste_codes=["441-001-S02"]), catalogue)

    assert spec.hazardous is False


def test_a_want_names_the_position_of_its_bad_code(catalogue, make_want_data):
    data = make_want_data("material", waste_codes=["900-249-08", "441-001-S08", "nonsense"])
    errors = refused_fields(Kind.MATERIAL, Side.WANT, data, catalogue)

    assert set(errors) == {"material.waste_codes.1", "material.waste_codes.2"}


def test_a_want_without_any_code_is_refused(catalogue, make_want_data):
    errors = refused_fields(Kind.MATERIAL, Side.WANT, make_want_data("material", waste_codes=[]), catalogue)

    assert list(errors) == ["material.waste_codes"]


def test_a_property_bound_with_min_above_max_is_refused(catalogue, make_want_data):
    bounds = [
        {"name": "oil", "unit": "%", "min": 20.0, "max": 40.0},
        {"name": "water", "unit": "%", "min": 30.0, "max": 10.0},
    ]
    errors = refused_fields(Kind.MATERIAL, Side.WANT, make_want_data("material", property_bounds=bounds), catalogue)

    assert errors == {"material.property_bounds.1": ["min must not exceed max"]}


def test_a_property_bound_without_min_or_max_is_refused(catalogue, make_want_data):
    bounds = [{"name": "oil", "unit": "%"}]
    errors = refused_fields(Kind.MATERIAL, Side.WANT, make_want_data("material", property_bounds=bounds), catalogue)

    assert list(errors) == ["material.property_bounds.0"]


def test_an_offer_may_not_state_the_same_property_twice(catalogue, make_offer_data):
    props = [{"name": "oil", "value": 30, "unit": "%"}, {"name": "oil", "value": 31, "unit": "%"}]
    errors = refused_fields(Kind.MATERIAL, Side.OFFER, make_offer_data("material", properties=props), catalogue)

    assert list(errors) == ["material.properties"]


@pytest.mark.parametrize("amount", [0, -3.5])
def test_a_non_positive_quantity_is_refused_under_quantity_amount(catalogue, make_offer_data, amount):
    data = make_offer_data("material", quantity={"amount": amount, "unit": "t", "recurrence": "one_off"})
    errors = refused_fields(Kind.MATERIAL, Side.OFFER, data, catalogue)

    assert list(errors) == ["material.quantity.amount"]


def test_a_bad_code_and_a_bad_bound_are_reported_together(catalogue, make_want_data):
    data = make_want_data(
        "material", waste_codes=["bogus"], property_bounds=[{"name": "oil", "unit": "%", "min": 5, "max": 1}]
    )
    errors = refused_fields(Kind.MATERIAL, Side.WANT, data, catalogue)

    assert set(errors) == {"material.waste_codes.0", "material.property_bounds.0"}


# --- heat ------------------------------------------------------------------------------


def test_steam_offered_below_saturation_at_its_pressure_is_refused_under_temperature(catalogue, make_offer_data):
    data = make_offer_data("heat", temperature_c=150.0, pressure_mpa=1.0)
    errors = refused_fields(Kind.HEAT, Side.OFFER, data, catalogue)

    assert list(errors) == ["heat.temperature_c"]
    assert "saturation temperature 179.89 °C" in errors["heat.temperature_c"][0]


def test_superheated_steam_at_185_c_and_1_mpa_is_accepted(catalogue, make_offer_data):
    spec = spec_from_dict(
        Kind.HEAT, Side.OFFER, make_offer_data("heat", temperature_c=185.0, pressure_mpa=1.0), catalogue
    )

    assert isinstance(spec, HeatSpec)
    assert (spec.temperature_c, spec.pressure_mpa) == (185.0, 1.0)


def test_a_steam_offer_without_pressure_is_refused_under_pressure(catalogue, make_offer_data):
    errors = refused_fields(Kind.HEAT, Side.OFFER, make_offer_data("heat", pressure_mpa=None), catalogue)

    assert list(errors) == ["heat.pressure_mpa"]


def test_a_steam_want_may_leave_pressure_open(catalogue, make_want_data):
    spec = spec_from_dict(Kind.HEAT, Side.WANT, make_want_data("heat", medium="steam", temperature_c=160.0), catalogue)

    assert spec.pressure_mpa is None


@pytest.mark.parametrize("pressure", [0.0, -1.0, 150.0])
def test_a_steam_offer_with_an_impossible_pressure_is_refused_under_pressure(catalogue, make_offer_data, pressure):
    errors = refused_fields(Kind.HEAT, Side.OFFER, make_offer_data("heat", pressure_mpa=pressure), catalogue)

    assert "heat.pressure_mpa" in errors


def test_hot_water_with_a_negative_pressure_is_refused_under_pressure(catalogue, make_offer_data):
    data = make_offer_data("heat", medium="hot_water", temperature_c=95.0, pressure_mpa=-0.2)
    errors = refused_fields(Kind.HEAT, Side.OFFER, data, catalogue)

    assert list(errors) == ["heat.pressure_mpa"]


@pytest.mark.parametrize(
    "field, value",
    [
        ("temperature_c", 0.0),
        ("temperature_c", 1700.0),
        ("thermal_power_mw", 0.0),
        ("hours_per_day", 25.0),
        ("days_per_year", 0),
        ("days_per_year", 367),
    ],
)
def test_heat_figures_out_of_range_are_refused_naming_the_field(catalogue, make_offer_data, field, value):
    data = make_offer_data("heat", medium="flue_gas", pressure_mpa=None, **{field: value})
    errors = refused_fields(Kind.HEAT, Side.OFFER, data, catalogue)

    assert list(errors) == [f"heat.{field}"]


# --- water -----------------------------------------------------------------------------


@pytest.mark.parametrize("flow", [-10.0, 0.0])
def test_a_non_positive_water_flow_is_refused_under_flow(catalogue, make_offer_data, flow):
    errors = refused_fields(Kind.WATER, Side.OFFER, make_offer_data("water", flow_m3_per_day=flow), catalogue)

    assert list(errors) == ["water.flow_m3_per_day"]


def test_a_water_want_with_an_inverted_parameter_bound_is_refused(catalogue, make_want_data):
    bounds = [{"name": "TDS", "unit": "mg/L", "min": 1000.0, "max": 500.0}]
    errors = refused_fields(Kind.WATER, Side.WANT, make_want_data("water", parameter_bounds=bounds), catalogue)

    assert list(errors) == ["water.parameter_bounds.0"]


def test_a_water_offer_keeps_its_reuse_category_and_parameters(catalogue, make_offer_data):
    spec = spec_from_dict(Kind.WATER, Side.OFFER, make_offer_data("water"), catalogue)

    assert isinstance(spec, WaterSpec)
    assert spec.reuse_category.value == "circulating_cooling"
    assert [(p.name, p.value) for p in spec.parameters] == [("COD", 30.0)]


# --- round trip ------------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(Kind), ids=lambda k: k.value)
@pytest.mark.parametrize("side", list(Side), ids=lambda s: s.value)
def test_a_stored_spec_restores_to_the_same_spec(catalogue, make_offer_data, make_want_data, kind, side):
    data = (make_offer_data if side is Side.OFFER else make_want_data)(kind.value)
    spec = spec_from_dict(kind, side, data, catalogue)

    stored = spec_to_dict(side, spec)

    assert restore_spec(kind, side, stored) == spec
    assert spec_to_dict(side, restore_spec(kind, side, stored)) == stored
