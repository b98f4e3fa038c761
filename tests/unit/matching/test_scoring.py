"""The match score, component by component, worked by hand; and the decay functions held to
the formulas Elasticsearch documents for function_score, so the engine adapters can express
the very same plan."""

from __future__ import annotations

import math

import pytest
from matching_factories import (
    FLY_ASH,
    make_doc,
    spec_heat,
    spec_material_offer,
    spec_material_want,
    spec_water_offer,
    spec_water_want,
)

from services.matching.domain.scoring import DISTANCE_SCALE_KM, WEIGHTS, Decay, components_for, score

DELTA_T = 10.0


def part(components, name: str) -> Decay:
    return next(c for c in components if c.name == name)


# --- the decay functions, as Elasticsearch writes them ----------------------------------------


def es_gauss(x, origin, scale, offset, decay):
    sigma_sq = -(scale**2) / (2 * math.log(decay))
    return math.exp(-(max(0.0, abs(x - origin) - offset) ** 2) / (2 * sigma_sq))


def es_exp(x, origin, scale, offset, decay):
    return math.exp(math.log(decay) / scale * max(0.0, abs(x - origin) - offset))


def es_linear(x, origin, scale, offset, decay):
    s = scale / (1.0 - decay)
    return max(0.0, (s - max(0.0, abs(x - origin) - offset)) / s)


ES = {"gauss": es_gauss, "exp": es_exp, "linear": es_linear}


@pytest.mark.parametrize("function", ["gauss", "exp", "linear"])
@pytest.mark.parametrize(
    "origin, scale, offset, decay",
    [
        (0.0, 50.0, 0.0, 0.5),
        (100.0, 10.0, 5.0, 0.5),
        (3.0, 1.0, 0.0, 0.25),
        (-20.0, 7.5, 2.5, 0.9),
    ],
)
@pytest.mark.parametrize("x", [-40.0, 0.0, 2.0, 3.0, 7.0, 50.0, 104.0, 120.0, 300.0])
def test_each_decay_function_is_the_one_elasticsearch_documents(function, origin, scale, offset, decay, x):
    component = Decay("c", 1.0, function, "temperature_c", origin, scale, offset, decay)
    assert component.value(x) == pytest.approx(ES[function](x, origin, scale, offset, decay), abs=1e-12)


@pytest.mark.parametrize("function", ["gauss", "exp", "linear"])
def test_every_decay_function_gives_its_decay_at_origin_plus_offset_plus_scale(function):
    component = Decay("c", 1.0, function, "reuse_rank", 2.0, 4.0, offset=1.0, decay=0.3)
    assert component.value(2.0 + 1.0 + 4.0) == pytest.approx(0.3)
    assert component.value(2.0 - 1.0 - 4.0) == pytest.approx(0.3)
    assert component.value(2.5) == 1.0  # within the offset


def test_distance_is_measured_from_the_source_so_the_value_takes_km():
    component = Decay("distance", 1.0, "gauss", "location", (34.6, 119.6), 50.0)
    assert component.value(0.0) == 1.0
    assert component.value(50.0) == pytest.approx(0.5)


# --- distance ---------------------------------------------------------------------------------

SOURCES = {
    "material": make_doc("offer", "material", spec_material_offer(FLY_ASH, 1500), owner="power"),
    "heat": make_doc("want", "heat", spec_heat("hot_water", 70, 3), owner="fine_chem"),
    "water": make_doc("offer", "water", spec_water_offer("circulating_cooling", 12000), owner="wwtp"),
}


@pytest.mark.parametrize("kind, half_km", [("material", 50.0), ("heat", 5.0), ("water", 10.0)])
def test_distance_scores_one_next_door_and_half_at_the_kinds_scale(kind, half_km):
    distance = part(components_for(SOURCES[kind], DELTA_T), "distance")
    assert DISTANCE_SCALE_KM[kind] == half_km
    assert distance.function == "gauss"
    assert distance.value(0.0) == 1.0
    assert distance.value(half_km) == pytest.approx(0.5)
    assert distance.value(2 * half_km) == pytest.approx(0.5**4)  # gauss: decay^((d/scale)^2)


def test_heat_is_scored_as_a_local_good_and_materials_as_a_regional_one():
    heat = part(components_for(SOURCES["heat"], DELTA_T), "distance")
    material = part(components_for(SOURCES["material"], DELTA_T), "distance")
    assert heat.value(20.0) < 0.001 < 0.85 < material.value(20.0)


# --- quantity ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "offered_t_per_month, wanted_t_per_month, fit",
    [
        (25, 100, 0.25),  # 300 vs 1200 t/a
        (100, 25, 0.25),
        (1500, 1250, 1250 / 1500),
        (750, 750, 1.0),
    ],
)
def test_quantity_fit_is_the_smaller_over_the_larger_yearly_amount(offered_t_per_month, wanted_t_per_month, fit):
    offer = make_doc("offer", "material", spec_material_offer(FLY_ASH, offered_t_per_month), owner="power")
    want = make_doc("want", "material", spec_material_want([FLY_ASH], wanted_t_per_month), owner="cement")
    for source, candidate in ((offer, want), (want, offer)):
        result = score(components_for(source, DELTA_T), candidate, 0.0)
        assert result.components["quantity"]["value"] == pytest.approx(fit)


def test_quantity_fit_uses_exp_decay_on_the_log_of_the_quantity():
    offer = make_doc("offer", "material", spec_material_offer(FLY_ASH, 25), owner="power")  # 300 t/a
    quantity = part(components_for(offer, DELTA_T), "quantity")
    assert (quantity.function, quantity.field, quantity.decay) == ("exp", "log_quantity", 0.5)
    assert quantity.origin == pytest.approx(math.log(300))
    assert quantity.scale == pytest.approx(math.log(2))
    assert quantity.value(math.log(1200)) == pytest.approx(0.25)
    assert quantity.value(math.log(600)) == pytest.approx(0.5)  # twice as much: half the fit


def test_quantity_fit_compares_yearly_amounts_whatever_the_unit_and_recurrence():
    offer = make_doc("offer", "material", spec_material_offer(FLY_ASH, 25_000, unit="kg", recurrence="per_month"))
    want = make_doc("want", "material", spec_material_want([FLY_ASH], 300, recurrence="per_year"), owner="cement")
    assert score(components_for(want, DELTA_T), offer, 0.0).components["quantity"]["value"] == pytest.approx(1.0)


# --- heat temperature margin ------------------------------------------------------------------


@pytest.mark.parametrize(
    "supply_c, margin_score",
    [
        (80.0, 0.0),  # exactly the approach above the 70 °C requirement
        (90.0, 0.2),
        (105.0, 0.5),  # 25 K above it
        (130.0, 1.0),  # 50 K above it
        (250.0, 1.0),  # beyond: no extra credit
    ],
)
def test_a_hotter_supply_scores_a_larger_temperature_margin_from_the_wants_side(supply_c, margin_score):
    want = make_doc("want", "heat", spec_heat("hot_water", 70, 3), owner="fine_chem")
    offer = make_doc("offer", "heat", spec_heat("hot_water", supply_c, 8), owner="ethylene")
    result = score(components_for(want, DELTA_T), offer, 1.0)
    assert result.components["temperature"]["value"] == pytest.approx(margin_score, abs=1e-9)


@pytest.mark.parametrize(
    "required_c, margin_score",
    [
        (120.0, 0.0),  # the 130 °C supply minus the approach
        (95.0, 0.5),
        (70.0, 1.0),
        (20.0, 1.0),
    ],
)
def test_a_lower_requirement_scores_a_larger_temperature_margin_from_the_offers_side(required_c, margin_score):
    offer = make_doc("offer", "heat", spec_heat("hot_water", 130, 8), owner="ethylene")
    want = make_doc("want", "heat", spec_heat("hot_water", required_c, 3), owner="fine_chem")
    result = score(components_for(offer, DELTA_T), want, 1.0)
    assert result.components["temperature"]["value"] == pytest.approx(margin_score, abs=1e-9)


def test_the_temperature_margin_starts_from_the_configured_approach():
    want = make_doc("want", "heat", spec_heat("hot_water", 70, 3), owner="fine_chem")
    offer = make_doc("offer", "heat", spec_heat("hot_water", 90, 8), owner="ethylene")
    assert score(components_for(want, 20.0), offer, 1.0).components["temperature"]["value"] == pytest.approx(0.0)
    assert score(components_for(want, 0.0), offer, 1.0).components["temperature"]["value"] == pytest.approx(0.4)


def test_the_temperature_margin_scores_the_same_from_either_side():
    offer = make_doc("offer", "heat", spec_heat("hot_water", 108, 8), owner="ethylene")
    want = make_doc("want", "heat", spec_heat("hot_water", 70, 3), owner="fine_chem")
    from_want = score(components_for(want, DELTA_T), offer, 1.0).components["temperature"]["value"]
    from_offer = score(components_for(offer, DELTA_T), want, 1.0).components["temperature"]["value"]
    assert from_want == pytest.approx(from_offer) == pytest.approx(28 / 50)


# --- water category ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "supplied, category_score",
    [
        ("circulating_cooling", 1.0),
        ("boiler_makeup", 0.5),
        ("process", 0.25),
    ],
)
def test_over_qualified_water_scores_half_per_rank_above_the_wanted_category(supplied, category_score):
    want = make_doc("want", "water", spec_water_want("circulating_cooling"), owner="refinery")
    offer = make_doc("offer", "water", spec_water_offer(supplied), owner="wwtp")
    for source, candidate in ((want, offer), (offer, want)):
        result = score(components_for(source, DELTA_T), candidate, 1.0)
        assert result.components["category"]["value"] == pytest.approx(category_score)


# --- weights and totals -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "kind, names",
    [
        ("material", {"distance", "quantity"}),
        ("heat", {"distance", "quantity", "temperature"}),
        ("water", {"distance", "quantity", "category"}),
    ],
)
def test_each_kind_has_named_components_whose_weights_add_up_to_one(kind, names):
    components = components_for(SOURCES[kind], DELTA_T)
    assert {c.name for c in components} == names == set(WEIGHTS[kind])
    assert sum(c.weight for c in components) == pytest.approx(1.0)


@pytest.mark.parametrize(
    "source, candidate, km",
    [
        (SOURCES["material"], make_doc("want", "material", spec_material_want([FLY_ASH], 100), owner="cement"), 3.2),
        (SOURCES["heat"], make_doc("offer", "heat", spec_heat("steam", 250, 30, 1.6), owner="power"), 4.0),
        (SOURCES["water"], make_doc("want", "water", spec_water_want("washing", 5000), owner="refinery"), 12.0),
    ],
)
def test_the_total_is_the_sum_of_the_weighted_components(source, candidate, km):
    result = score(components_for(source, DELTA_T), candidate, km)
    for explained in result.components.values():
        assert explained["contribution"] == pytest.approx(explained["weight"] * explained["value"])
        assert 0.0 <= explained["value"] <= 1.0
    assert result.total == pytest.approx(sum(e["contribution"] for e in result.components.values()))
    assert 0.0 < result.total < 1.0


def test_a_material_match_worked_by_hand():
    """Fly ash 1500 t a month offered, 100 t a month wanted, 50 km apart:
    0.6 × 0.5 (distance at the scale) + 0.4 × 100/1500 (quantity)."""
    want = make_doc("want", "material", spec_material_want([FLY_ASH], 100), owner="cement")
    result = score(components_for(SOURCES["material"], DELTA_T), want, 50.0)
    assert result.components["distance"] == pytest.approx({"value": 0.5, "weight": 0.6, "contribution": 0.3})
    assert result.components["quantity"]["value"] == pytest.approx(1 / 15)
    assert result.total == pytest.approx(0.3 + 0.4 / 15)


def test_a_perfect_counterpart_next_door_scores_one():
    offer = make_doc("offer", "water", spec_water_offer("circulating_cooling", 8000), owner="wwtp")
    want = make_doc("want", "water", spec_water_want("circulating_cooling", 8000), owner="refinery")
    assert score(components_for(offer, DELTA_T), want, 0.0).total == pytest.approx(1.0)
