"""The park planner on instances small enough to solve by hand: each test writes out the optimum,
and one shows greedy one-by-one matching doing worse. Listings are built through the listings domain
(matching_factories), priced with the ledger's own coefficients."""

from __future__ import annotations

import dataclasses

import pytest
from matching_factories import (
    GEAR_OIL,
    PLACES,
    TODAY,
    WASTE_MINERAL_OIL,
    make_doc,
    spec_heat,
    spec_material_offer,
    spec_material_want,
    spec_water_offer,
    spec_water_want,
)
from matching_factories import licences as licence_for

from services.common.coefficients import default_coefficients
from services.common.errors import Forbidden
from services.common.geo import Location
from services.common.identity import Principal, Role
from services.matching.adapters.highs_planner import HighsPlanner
from services.matching.domain.access import parks_to_plan
from services.matching.domain.planner.gains import GainAssumptions, unit_gains
from services.matching.domain.planner.objective import Objective
from services.matching.domain.planner.plan import PlanSettings, make_plan

GAINS = unit_gains(default_coefficients(), GainAssumptions(), TODAY)
# One MW for 8,000 h is 28,800 GJ; a 0.9-efficient coal boiler burns 32,000 GJ for it: 32 TJ × 94.6 tCO2/TJ.
CO2_PER_MW = 3027.2
WASTE_FIRST = Objective(priorities=("hazardous_waste_utilised_t", "solid_waste_utilised_t"))


def plan(docs, objective: Objective | None = None, **settings):
    return make_plan(docs, TODAY, PlanSettings(**settings), objective or Objective(), HighsPlanner(), GAINS)


def flows(result) -> dict[tuple[str, str], float]:
    return {(p.offer.id, p.want.id): round(p.quantity, 6) for p in result.pairings}


def reasons(result) -> dict[str, str]:
    return {u.listing.id: u.reason for u in result.unpaired}


def test_a_mw_of_heat_is_priced_as_the_ledger_prices_a_year_of_it():
    assert GAINS[("heat", False)]["co2_reduced_t"] == pytest.approx(CO2_PER_MW)
    assert GAINS[("water", False)] == {"water_saved_m3": 365.0, "wastewater_avoided_m3": 365.0}


def test_the_plan_gives_steam_to_the_want_only_steam_serves_where_greedy_wastes_it():
    # Steam can serve both wants; hot water only the hot-water want. Greedy lets the hot-water want,
    # whose match with the steam scores best, take the steam first: the steam want then gets nothing.
    steam = make_doc("offer", "heat", spec_heat("steam", 250, 10, 1.0), owner="power", listing_id="o-steam")
    hot = make_doc("offer", "heat", spec_heat("hot_water", 120, 10), owner="refinery", listing_id="o-hot")
    wants_hot = make_doc(
        "want", "heat", spec_heat("hot_water", 80, 10), owner="gypsum", listing_id="w-hot", location=PLACES["power"]
    )
    wants_steam = make_doc("want", "heat", spec_heat("steam", 180, 10), owner="pta", listing_id="w-steam")

    result = plan([steam, hot, wants_hot, wants_steam])

    assert flows(result) == {("o-steam", "w-steam"): 10.0, ("o-hot", "w-hot"): 10.0}
    assert result.objective_value == pytest.approx(20 * CO2_PER_MW)  # 60,544 t CO2 a year
    assert result.greedy_value == pytest.approx(10 * CO2_PER_MW)
    assert result.unpaired == []


def test_an_offer_serves_several_wants_and_the_want_left_over_says_why():
    offer = make_doc("offer", "water", spec_water_offer(flow=1000), owner="wwtp", listing_id="o")
    first = make_doc("want", "water", spec_water_want(flow=600), owner="power", listing_id="w1")
    second = make_doc("want", "water", spec_water_want(flow=400), owner="pta", listing_id="w2")
    third = make_doc("want", "water", spec_water_want(flow=300), owner="cement", listing_id="w3")

    result = plan([offer, first, second, third], Objective(weights={"water_saved_m3": 1.0}))

    assert sum(flows(result).values()) == pytest.approx(1000)  # all of it, split
    assert result.totals["water_saved_m3"] == pytest.approx(1000 * 365)
    assert len(result.unpaired) <= 1
    assert all(u.reason == "quantity_used_elsewhere" for u in result.unpaired)


def test_hazardous_waste_goes_only_to_a_licensed_receiver_and_the_other_is_told_legality():
    oil = make_doc(
        "offer",
        "material",
        spec_material_offer(WASTE_MINERAL_OIL, 100, recurrence="per_year"),
        owner="refinery",
        listing_id="o-oil",
    )
    licensed = make_doc(
        "want",
        "material",
        spec_material_want((WASTE_MINERAL_OIL,), 60, recurrence="per_year"),
        owner="hw_recycler",
        listing_id="w-licensed",
        licences=licence_for(WASTE_MINERAL_OIL),
    )
    unlicensed = make_doc(
        "want",
        "material",
        spec_material_want((WASTE_MINERAL_OIL,), 80, recurrence="per_year"),
        owner="cement",
        listing_id="w-unlicensed",
        licences=licence_for(GEAR_OIL),
    )

    result = plan([oil, licensed, unlicensed], WASTE_FIRST)

    assert flows(result) == {("o-oil", "w-licensed"): 60.0}
    assert result.totals["hazardous_waste_utilised_t"] == pytest.approx(60)
    assert reasons(result) == {"w-unlicensed": "legality"}
    assert result.unpaired[0].facts == {"code": WASTE_MINERAL_OIL}


def test_whole_lots_make_it_a_mip_that_leaves_the_remainder_on_the_ground():
    # 100 t in 30 t truckloads: the 70 t want takes two loads, the 50 t want one; 90 t in all.
    ash = make_doc(
        "offer", "material", spec_material_offer(amount=100, recurrence="per_year"), owner="power", listing_id="o-ash"
    )
    big = make_doc(
        "want", "material", spec_material_want(amount=70, recurrence="per_year"), owner="cement", listing_id="w-70"
    )
    small = make_doc(
        "want", "material", spec_material_want(amount=50, recurrence="per_year"), owner="gypsum", listing_id="w-50"
    )

    result = plan([ash, big, small], WASTE_FIRST, lots={"material": 30.0})

    assert flows(result) == {("o-ash", "w-70"): 60.0, ("o-ash", "w-50"): 30.0}
    assert result.solution.status == "optimal" and result.solution.gap == pytest.approx(0, abs=1e-6)
    without_lots = plan([ash, big, small], WASTE_FIRST)
    assert without_lots.totals["solid_waste_utilised_t"] == pytest.approx(100)


def test_heat_beyond_the_pipeline_limit_is_unpaired_with_the_distance_named():
    far = Location(PLACES["power"].lat + 0.18, PLACES["power"].lon)  # about 20 km north
    offer = make_doc(
        "offer", "heat", spec_heat("steam", 250, 10, 1.0), owner="power", listing_id="o", max_distance_km=50
    )
    want = make_doc(
        "want", "heat", spec_heat("hot_water", 80, 5), owner="cement", listing_id="w", location=far, max_distance_km=50
    )

    result = plan([offer, want])

    assert result.pairings == []
    assert reasons(result) == {"o": "no_counterpart", "w": "no_counterpart"}
    assert "20.0 km" in result.unpaired[0].detail
    assert result.unpaired[0].facts["nearest_km"] == pytest.approx(20.0, abs=0.1)


def test_materials_gain_no_co2_under_the_default_weights_and_are_told_so():
    ash = make_doc("offer", "material", owner="power", listing_id="o-ash")
    want = make_doc("want", "material", owner="cement", listing_id="w-ash")

    result = plan([ash, want])

    assert result.pairings == [] and reasons(result) == {"o-ash": "no_gain", "w-ash": "no_gain"}


def test_a_park_with_no_listings_gets_an_empty_plan():
    result = plan([])
    assert (result.pairings, result.unpaired, result.objective_value, result.solution.status) == ([], [], 0, "optimal")


def test_an_unknown_indicator_in_the_objective_is_refused():
    with pytest.raises(ValueError, match="unknown indicators"):
        Objective(weights={"happiness": 1.0})


def test_only_an_admin_plans_several_parks_together():
    admin = Principal(Role.ADMIN, "k-admin")
    manager = Principal(Role.PARK_MANAGER, "k-pm", park_id="A")
    assert parks_to_plan(admin, "A", ("B", "A")) == ("A", "B")
    assert parks_to_plan(manager, "A", ("A",)) == ("A",)
    with pytest.raises(Forbidden):
        parks_to_plan(manager, "A", ("B",))


def test_an_admin_plan_of_two_parks_pairs_across_them_when_in_reach():
    steam = make_doc("offer", "heat", spec_heat("steam", 250, 10, 1.0), owner="power", listing_id="o")
    want = make_doc("want", "heat", spec_heat("hot_water", 80, 4), owner="pta", listing_id="w", park_id="park-xuwei")
    assert flows(plan([steam, want])) == {("o", "w"): 4.0}


class NoisySolver:
    """HiGHS, plus the kind of residue its tolerances leave on arcs that carry nothing at large magnitudes."""

    name = "noisy"

    def __init__(self, residue: float) -> None:
        self.residue = residue

    def solve(self, problem):
        found = HighsPlanner().solve(problem)
        return dataclasses.replace(found, flows=[flow or self.residue for flow in found.flows])


def test_solver_residue_on_a_large_arc_is_not_shown_as_a_pairing():
    # One 1e9 m³/d offer, wanted in full by either want: one gets it all, the other nothing. A residue of 0.01 m³/d
    # on its arc is a ten-billionth of what the arc could carry: it must not appear as a pairing whose
    # quantity and gains round to nothing, and the other want must still say why it is unpaired.
    offer = make_doc("offer", "water", spec_water_offer(flow=1e9), owner="wwtp", listing_id="o")
    first = make_doc("want", "water", spec_water_want(flow=1e9), owner="power", listing_id="w1")
    second = make_doc(
        "want", "water", spec_water_want(flow=1e9), owner="pta", listing_id="w2", location=PLACES["cement"]
    )
    settings = PlanSettings()
    result = make_plan(
        [offer, first, second], TODAY, settings, Objective(weights={"water_saved_m3": 1.0}), NoisySolver(0.01), GAINS
    )

    [pairing] = result.pairings
    assert pairing.quantity == pytest.approx(1e9)
    left_out = ({"w1", "w2"} - {pairing.want.id}).pop()
    assert reasons(result) == {left_out: "quantity_used_elsewhere"}


def test_a_small_want_is_still_paired_however_large_the_offer():
    offer = make_doc("offer", "water", spec_water_offer(flow=1e9), owner="wwtp", listing_id="o")
    small = make_doc("want", "water", spec_water_want(flow=0.5), owner="power", listing_id="w")

    result = plan([offer, small], Objective(weights={"water_saved_m3": 1.0}))

    assert flows(result) == {("o", "w"): 0.5}
