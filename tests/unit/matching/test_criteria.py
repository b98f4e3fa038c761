"""Every hard filter at its boundary, as `criteria_for(source, …).accepts(candidate, km)` decides.

Matching is symmetric: whether a pair matches must not depend on which side asks, so most
rules are checked from the offer's side and from the want's side."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from matching_factories import (
    FGD_GYPSUM,
    FLY_ASH,
    GEAR_OIL,
    HYDRAULIC_OIL,
    OTHER_PARK,
    PARK,
    TODAY,
    WASTE_MINERAL_OIL,
    enterprise_id,
    licences,
    make_doc,
    make_listing,
    spec_heat,
    spec_material_offer,
    spec_material_want,
    spec_water_offer,
    spec_water_want,
)

from services.matching.domain.criteria import USABLE_SUPPLY, MatchFilters, criteria_for, is_hazardous_code
from services.matching.domain.documents import OPEN_END, ListingDoc, licences_from_enterprise

DAY = timedelta(days=1)
NO_FILTERS = MatchFilters()


def accepts(
    source: ListingDoc,
    candidate: ListingDoc,
    km: float = 1.0,
    filters: MatchFilters = NO_FILTERS,
    delta_t_min: float = 10,
    today: date = TODAY,
) -> bool:
    return criteria_for(source, filters, today, delta_t_min=delta_t_min).accepts(candidate, km)


def both_ways(offer: ListingDoc, want: ListingDoc, km: float = 1.0, **kwargs) -> tuple[bool, bool]:
    """(the offer finds the want, the want finds the offer)."""
    return accepts(offer, want, km, **kwargs), accepts(want, offer, km, **kwargs)


def fly_ash_offer(**kwargs) -> ListingDoc:
    return make_doc(
        "offer",
        "material",
        spec_material_offer(FLY_ASH, properties=[("loss_on_ignition", 4.2, "%")]),
        owner="power",
        **kwargs,
    )


def fly_ash_want(**kwargs) -> ListingDoc:
    return make_doc("want", "material", spec_material_want([FLY_ASH]), owner="cement", **kwargs)


# --- same kind, opposite side, active, another enterprise -------------------------------------


def test_a_fly_ash_offer_and_a_cement_works_wanting_fly_ash_find_each_other():
    assert both_ways(fly_ash_offer(), fly_ash_want()) == (True, True)


def test_a_listing_of_another_kind_is_never_a_match():
    heat_want = make_doc("want", "heat", owner="cement")
    assert accepts(fly_ash_offer(), heat_want) is False
    assert accepts(heat_want, fly_ash_offer()) is False


def test_a_listing_on_the_same_side_is_never_a_match():
    other_offer = make_doc("offer", "material", spec_material_offer(FLY_ASH), owner="cement")
    assert accepts(fly_ash_offer(), other_offer) is False


@pytest.mark.parametrize("change", ["pause", "withdraw"])
def test_a_paused_or_withdrawn_counterpart_is_never_a_match(change):
    listing = make_listing("want", "material", spec_material_want([FLY_ASH]), owner="cement")
    getattr(listing, change)()
    inactive = ListingDoc.from_listing(listing.to_dict())
    assert accepts(fly_ash_offer(), inactive) is False


def test_an_enterprise_is_never_matched_with_its_own_listing():
    own_want = make_doc("want", "material", spec_material_want([FLY_ASH]), owner="power")
    assert both_ways(fly_ash_offer(), own_want) == (False, False)


# --- availability windows ---------------------------------------------------------------------


def test_windows_sharing_exactly_one_day_match():
    offer = fly_ash_offer(available_from=date(2026, 1, 1), available_until=date(2026, 3, 31))
    want = fly_ash_want(available_from=date(2026, 3, 31), available_until=date(2026, 12, 31))
    assert both_ways(offer, want) == (True, True)


def test_windows_one_day_apart_do_not_match():
    offer = fly_ash_offer(available_from=date(2026, 1, 1), available_until=date(2026, 3, 31))
    want = fly_ash_want(available_from=date(2026, 4, 1), available_until=date(2026, 12, 31))
    assert both_ways(offer, want) == (False, False)


def test_an_open_ended_window_reaches_any_later_window():
    offer = fly_ash_offer(available_from=date(2026, 1, 1), available_until=None)
    want = fly_ash_want(available_from=date(2035, 6, 1), available_until=date(2035, 6, 30))
    assert offer.available_until == OPEN_END == "9999-12-31"
    assert both_ways(offer, want) == (True, True)


def test_a_window_ending_the_day_before_an_open_ended_one_starts_does_not_match():
    offer = fly_ash_offer(available_from=date(2026, 1, 1), available_until=None)
    want = fly_ash_want(available_from=date(2025, 6, 1), available_until=date(2025, 12, 31))
    assert both_ways(offer, want) == (False, False)


def test_two_open_ended_windows_match():
    assert both_ways(fly_ash_offer(available_until=None), fly_ash_want(available_until=None)) == (True, True)


# --- distance limits --------------------------------------------------------------------------


def test_a_counterpart_exactly_at_the_source_listings_limit_matches_and_just_beyond_does_not():
    offer, want = fly_ash_offer(max_distance_km=150), fly_ash_want(max_distance_km=200)
    assert accepts(offer, want, 150.0) is True
    assert accepts(offer, want, 150.001) is False


def test_a_counterpart_exactly_at_its_own_limit_matches_and_just_beyond_does_not():
    offer, want = fly_ash_offer(max_distance_km=150), fly_ash_want(max_distance_km=120)
    assert accepts(offer, want, 120.0) is True
    assert accepts(offer, want, 120.001) is False


def test_the_distance_limit_is_the_smaller_of_the_two_whichever_side_asks():
    offer, want = fly_ash_offer(max_distance_km=150), fly_ash_want(max_distance_km=120)
    assert both_ways(offer, want, 120.0) == (True, True)
    assert both_ways(offer, want, 120.001) == (False, False)


def test_a_users_distance_tighter_than_both_limits_applies_at_its_boundary():
    offer, want = fly_ash_offer(max_distance_km=150), fly_ash_want(max_distance_km=200)
    tight = MatchFilters(max_distance_km=20)
    assert accepts(offer, want, 20.0, filters=tight) is True
    assert accepts(offer, want, 20.001, filters=tight) is False


def test_a_users_distance_wider_than_the_listings_limit_does_not_widen_it():
    offer, want = fly_ash_offer(max_distance_km=150), fly_ash_want(max_distance_km=200)
    assert accepts(offer, want, 150.001, filters=MatchFilters(max_distance_km=1000)) is False


# --- material codes ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "code, hazardous",
    [
        ("900-249-08", True),
        ("261-151-50", True),
        ("900-404-06", True),
        ("441-001-S02", False),
        ("441-002-S06", False),
    ],
)
def test_hazardous_codes_are_told_from_general_codes_by_their_class(code, hazardous):
    assert is_hazardous_code(code) is hazardous


def test_an_offer_whose_code_the_want_does_not_accept_is_not_a_match():
    gypsum_want = make_doc("want", "material", spec_material_want([FGD_GYPSUM]), owner="gypsum")
    assert both_ways(fly_ash_offer(), gypsum_want) == (False, False)


def test_a_want_accepting_several_codes_matches_an_offer_of_any_of_them():
    want = make_doc("want", "material", spec_material_want([FGD_GYPSUM, FLY_ASH]), owner="cement")
    assert both_ways(fly_ash_offer(), want) == (True, True)


def test_a_general_waste_needs_no_licence_from_the_receiver():
    assert fly_ash_want().licences == ()
    assert both_ways(fly_ash_offer(), fly_ash_want()) == (True, True)


# --- hazardous-waste legality gate ------------------------------------------------------------


def waste_oil_offer() -> ListingDoc:
    return make_doc("offer", "material", spec_material_offer(WASTE_MINERAL_OIL, 25), owner="refinery")


def waste_oil_want(held=()) -> ListingDoc:
    return make_doc(
        "want", "material", spec_material_want([WASTE_MINERAL_OIL], 200), owner="hw_recycler", licences=held
    )


@pytest.mark.parametrize(
    "held, legal",
    [
        ((), False),
        (licences(WASTE_MINERAL_OIL, valid_from=date(2024, 3, 1), valid_until=date(2029, 2, 28)), True),
        (licences(WASTE_MINERAL_OIL, valid_from=TODAY, valid_until=date(2029, 2, 28)), True),
        (licences(WASTE_MINERAL_OIL, valid_from=date(2024, 3, 1), valid_until=TODAY), True),
        (licences(WASTE_MINERAL_OIL, valid_from=date(2024, 3, 1), valid_until=TODAY - DAY), False),
        (licences(WASTE_MINERAL_OIL, valid_from=TODAY + DAY, valid_until=date(2029, 2, 28)), False),
        (licences(GEAR_OIL, HYDRAULIC_OIL), False),
    ],
    ids=[
        "no licence",
        "valid licence",
        "licence valid from today",
        "licence valid until today",
        "licence expired yesterday",
        "licence valid from tomorrow",
        "licence for other codes",
    ],
)
def test_a_hazardous_waste_goes_only_to_a_receiver_licensed_for_its_code_today(held, legal):
    assert both_ways(waste_oil_offer(), waste_oil_want(held)) == (legal, legal)


def test_the_day_after_a_licence_expires_the_match_is_gone():
    want = waste_oil_want(licences(WASTE_MINERAL_OIL, valid_until=date(2029, 2, 28)))
    assert both_ways(waste_oil_offer(), want, today=date(2029, 2, 28)) == (True, True)
    assert both_ways(waste_oil_offer(), want, today=date(2029, 3, 1)) == (False, False)


def test_a_want_drops_the_hazardous_codes_its_enterprise_is_not_licensed_for():
    want = make_doc(
        "want",
        "material",
        spec_material_want([WASTE_MINERAL_OIL, GEAR_OIL, FLY_ASH]),
        owner="hw_recycler",
        licences=licences(GEAR_OIL),
    )
    criteria = criteria_for(want, MatchFilters(), TODAY, delta_t_min=10)
    assert criteria.codes_any == (GEAR_OIL, FLY_ASH)
    gear_oil = make_doc("offer", "material", spec_material_offer(GEAR_OIL, 5), owner="refinery")
    assert criteria.accepts(gear_oil, 1.0) is True
    assert criteria.accepts(waste_oil_offer(), 1.0) is False
    assert criteria.accepts(fly_ash_offer(), 1.0) is True


def test_a_want_for_hazardous_codes_only_without_any_licence_finds_nothing():
    want = waste_oil_want()
    criteria = criteria_for(want, MatchFilters(), TODAY, delta_t_min=10)
    assert criteria.codes_any == ()
    assert criteria.accepts(waste_oil_offer(), 1.0) is False


def test_the_offering_enterprises_own_licence_does_not_make_an_unlicensed_receiver_legal():
    offer = make_doc(
        "offer",
        "material",
        spec_material_offer(WASTE_MINERAL_OIL, 25),
        owner="refinery",
        licences=licences(WASTE_MINERAL_OIL),
    )
    assert both_ways(offer, waste_oil_want()) == (False, False)


def approval(code: str, supplier: str, valid_from: date = date(2025, 1, 1), valid_until: date = date(2027, 12, 31)):
    """Matching's view of a 点对点 directed-utilisation approval, as the receiver's event carries it."""
    return licences_from_enterprise(
        {
            "approvals": [
                {
                    "number": "苏环危废定向〔2025〕12号",
                    "authority": "Jiangsu Department of Ecology and Environment",
                    "supplier_enterprise_id": supplier,
                    "codes": [code],
                    "valid_from": valid_from.isoformat(),
                    "valid_until": valid_until.isoformat(),
                    "capacity_t_per_year": 500,
                }
            ]
        }
    )


@pytest.mark.parametrize(
    "held, legal",
    [
        (approval(WASTE_MINERAL_OIL, enterprise_id("refinery")), True),
        (approval(WASTE_MINERAL_OIL, enterprise_id("refinery"), valid_until=TODAY), True),
        (approval(WASTE_MINERAL_OIL, enterprise_id("refinery"), valid_until=TODAY - DAY), False),
        (approval(WASTE_MINERAL_OIL, enterprise_id("refinery"), valid_from=TODAY + DAY), False),
        (approval(WASTE_MINERAL_OIL, enterprise_id("fine_chem")), False),
        (approval(GEAR_OIL, enterprise_id("refinery")), False),
    ],
    ids=[
        "approval for this supplier",
        "approval valid until today",
        "approval expired yesterday",
        "approval valid from tomorrow",
        "approval for another supplier",
        "approval for another code",
    ],
)
def test_a_directed_utilisation_approval_makes_a_receiver_legal_for_its_supplier_only(held, legal):
    assert both_ways(waste_oil_offer(), waste_oil_want(held)) == (legal, legal)


def test_an_approval_for_one_supplier_keeps_every_other_suppliers_hazardous_offer_away():
    want = waste_oil_want(approval(WASTE_MINERAL_OIL, enterprise_id("refinery")))
    criteria = criteria_for(want, MatchFilters(), TODAY, delta_t_min=10)
    assert criteria.codes_any == () and criteria.directed == ((enterprise_id("refinery"), WASTE_MINERAL_OIL),)
    other = make_doc("offer", "material", spec_material_offer(WASTE_MINERAL_OIL, 25), owner="fine_chem")
    assert criteria.accepts(waste_oil_offer(), 1.0) is True
    assert criteria.accepts(other, 1.0) is False


def test_a_licence_still_covers_every_supplier_when_the_receiver_also_holds_an_approval():
    want = waste_oil_want(licences(WASTE_MINERAL_OIL) + approval(WASTE_MINERAL_OIL, enterprise_id("refinery")))
    other = make_doc("offer", "material", spec_material_offer(WASTE_MINERAL_OIL, 25), owner="fine_chem")
    assert both_ways(other, want) == (True, True)


# --- property bounds --------------------------------------------------------------------------


def gypsum_offer(properties) -> ListingDoc:
    return make_doc("offer", "material", spec_material_offer(FGD_GYPSUM, 750, properties=properties), owner="power")


GYPSUM_WANT = make_doc(
    "want",
    "material",
    spec_material_want([FGD_GYPSUM], 650, bounds=[("CaSO4_2H2O", "%", 90, None), ("moisture", "%", None, 12)]),
    owner="gypsum",
)


@pytest.mark.parametrize(
    "purity, moisture, ok",
    [
        (93.5, 9.0, True),
        (90.0, 9.0, True),  # at the minimum
        (89.99, 9.0, False),  # just below it
        (93.5, 12.0, True),  # at the maximum
        (93.5, 12.01, False),  # just above it
    ],
)
def test_an_offers_properties_must_lie_within_every_bound_the_want_sets(purity, moisture, ok):
    offer = gypsum_offer([("CaSO4_2H2O", purity, "%"), ("moisture", moisture, "%")])
    assert both_ways(offer, GYPSUM_WANT) == (ok, ok)


def test_an_offer_that_does_not_state_a_bounded_property_is_refused():
    offer = gypsum_offer([("CaSO4_2H2O", 93.5, "%")])
    assert both_ways(offer, GYPSUM_WANT) == (False, False)


def test_a_property_in_another_unit_is_another_property():
    offer = gypsum_offer([("CaSO4_2H2O", 93.5, "%"), ("moisture", 90, "g/kg")])
    assert both_ways(offer, GYPSUM_WANT) == (False, False)


def test_property_names_compare_regardless_of_case_and_surrounding_spaces():
    offer = gypsum_offer([("caso4_2h2o ", 93.5, "%"), (" Moisture", 9.0, "%")])
    assert both_ways(offer, GYPSUM_WANT) == (True, True)


def test_properties_the_want_does_not_bound_do_not_matter():
    offer = gypsum_offer([("CaSO4_2H2O", 93.5, "%"), ("moisture", 9.0, "%"), ("chloride", 900, "mg/kg")])
    assert both_ways(offer, GYPSUM_WANT) == (True, True)


# --- heat -------------------------------------------------------------------------------------


def heat_offer(medium="hot_water", temperature_c=92.0, pressure_mpa=None, owner="ethylene", **kwargs) -> ListingDoc:
    return make_doc("offer", "heat", spec_heat(medium, temperature_c, 8, pressure_mpa), owner=owner, **kwargs)


def heat_want(medium="hot_water", temperature_c=70.0, pressure_mpa=None, owner="fine_chem", **kwargs) -> ListingDoc:
    return make_doc("want", "heat", spec_heat(medium, temperature_c, 3, pressure_mpa), owner=owner, **kwargs)


@pytest.mark.parametrize("supply, ok", [(80.0, True), (79.99, False), (120.0, True), (70.0, False)])
def test_supply_must_be_at_least_the_required_temperature_plus_the_approach(supply, ok):
    assert both_ways(heat_offer(temperature_c=supply), heat_want(temperature_c=70)) == (ok, ok)


@pytest.mark.parametrize(
    "delta_t_min, supply, ok",
    [
        (20, 90.0, True),
        (20, 89.99, False),
        (5, 75.0, True),
        (5, 74.99, False),
        (0, 70.0, True),
    ],
)
def test_the_heat_exchanger_approach_is_configurable(delta_t_min, supply, ok):
    pair = both_ways(heat_offer(temperature_c=supply), heat_want(temperature_c=70), delta_t_min=delta_t_min)
    assert pair == (ok, ok)


# wanted medium -> supplied media that serve it: any hotter medium heats water through an
# exchanger; steam and flue-gas users need the medium itself; thermal oil from oil or flue gas.
SERVES = {
    ("hot_water", "hot_water"),
    ("hot_water", "steam"),
    ("hot_water", "thermal_oil"),
    ("hot_water", "flue_gas"),
    ("steam", "steam"),
    ("thermal_oil", "thermal_oil"),
    ("thermal_oil", "flue_gas"),
    ("flue_gas", "flue_gas"),
}
MEDIA = ("steam", "hot_water", "thermal_oil", "flue_gas")


def test_the_media_table_is_the_one_users_are_told():
    assert {(wanted, supplied) for wanted, supplies in USABLE_SUPPLY.items() for supplied in supplies} == SERVES


@pytest.mark.parametrize("wanted", MEDIA)
@pytest.mark.parametrize("supplied", MEDIA)
def test_a_supplied_medium_matches_a_wanted_one_only_if_it_can_serve_it_from_either_side(wanted, supplied):
    offer = heat_offer(supplied, 250.0, 1.6 if supplied == "steam" else None)
    want = heat_want(wanted, 150.0)
    ok = (wanted, supplied) in SERVES
    assert both_ways(offer, want) == (ok, ok)


@pytest.mark.parametrize("supplied_mpa, ok", [(1.0, True), (1.6, True), (0.99, False), (0.5, False)])
def test_steam_must_be_supplied_at_least_at_the_required_pressure(supplied_mpa, ok):
    offer = heat_offer("steam", 250.0, supplied_mpa, owner="power")
    want = heat_want("steam", 200.0, 1.0, owner="pta")
    assert both_ways(offer, want) == (ok, ok)


@pytest.mark.parametrize("supplied_mpa", [0.5, 1.6, 4.0])
def test_a_steam_want_without_a_pressure_accepts_any_pressure(supplied_mpa):
    offer = heat_offer("steam", 260.0, supplied_mpa, owner="power")
    want = heat_want("steam", 180.0, None, owner="chlor_alkali")
    assert both_ways(offer, want) == (True, True)


def test_a_hot_water_want_stating_its_network_pressure_matches_steam_from_either_side():
    offer = heat_offer("steam", 250.0, 1.6, owner="power")
    want = heat_want("hot_water", 90.0, 2.0, owner="fine_chem")  # a pressurised hot-water loop
    assert both_ways(offer, want) == (True, True)


# --- reclaimed water --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "supplied, wanted, ok",
    [
        ("circulating_cooling", "circulating_cooling", True),  # equal
        ("boiler_makeup", "circulating_cooling", True),  # higher
        ("process", "washing", True),
        ("washing", "direct_cooling", True),  # same rung of the ladder
        ("direct_cooling", "washing", True),
        ("washing", "circulating_cooling", False),  # lower
        ("circulating_cooling", "boiler_makeup", False),
        ("boiler_makeup", "process", False),
    ],
)
def test_reclaimed_water_matches_a_want_whose_category_it_reaches_from_either_side(supplied, wanted, ok):
    offer = make_doc("offer", "water", spec_water_offer(supplied), owner="wwtp")
    want = make_doc("want", "water", spec_water_want(wanted), owner="refinery")
    assert both_ways(offer, want) == (ok, ok)


@pytest.mark.parametrize(
    "parameters, ok",
    [
        ([("COD", 28, "mg/L"), ("TDS", 850, "mg/L")], True),
        ([("COD", 60, "mg/L")], True),  # at the maximum
        ([("COD", 60.01, "mg/L")], False),  # just above it
        ([("TDS", 850, "mg/L")], False),  # COD not stated
        ([("COD", 0.028, "g/L")], False),  # another unit is another parameter
    ],
)
def test_water_parameters_must_lie_within_the_wants_bounds(parameters, ok):
    offer = make_doc("offer", "water", spec_water_offer("circulating_cooling", parameters=parameters), owner="wwtp")
    want = make_doc(
        "want", "water", spec_water_want("circulating_cooling", bounds=[("COD", "mg/L", None, 60)]), owner="refinery"
    )
    assert both_ways(offer, want) == (ok, ok)


# --- what a user may add ----------------------------------------------------------------------


def test_a_code_filter_that_excludes_the_offers_code_leaves_nothing():
    only_gypsum = MatchFilters(codes=(FGD_GYPSUM,))
    assert accepts(fly_ash_offer(), fly_ash_want(), filters=only_gypsum) is False
    assert accepts(fly_ash_offer(), fly_ash_want(), filters=MatchFilters(codes=(FLY_ASH, FGD_GYPSUM))) is True


def test_a_code_filter_narrows_the_codes_a_want_looks_for():
    want = make_doc("want", "material", spec_material_want([FLY_ASH, FGD_GYPSUM]), owner="cement")
    gypsum = make_doc("offer", "material", spec_material_offer(FGD_GYPSUM, 750), owner="power")
    only_gypsum = MatchFilters(codes=(FGD_GYPSUM,))
    assert accepts(want, gypsum, filters=only_gypsum) is True
    assert accepts(want, fly_ash_offer(), filters=only_gypsum) is False


def test_a_code_filter_cannot_bring_back_a_hazardous_code_the_receiver_is_not_licensed_for():
    assert accepts(waste_oil_want(), waste_oil_offer(), filters=MatchFilters(codes=(WASTE_MINERAL_OIL,))) is False


def test_a_park_filter_keeps_only_counterparts_in_those_parks():
    elsewhere = fly_ash_want(park_id=OTHER_PARK)
    assert accepts(fly_ash_offer(), elsewhere, filters=MatchFilters(park_ids=(PARK,))) is False
    assert accepts(fly_ash_offer(), elsewhere, filters=MatchFilters(park_ids=(PARK, OTHER_PARK))) is True
    assert accepts(fly_ash_offer(), elsewhere) is True  # no filter: parks do not limit matching


def test_a_users_filters_apply_to_heat_and_water_too():
    assert accepts(heat_want(), heat_offer(), filters=MatchFilters(park_ids=(OTHER_PARK,))) is False
    assert accepts(heat_want(), heat_offer(), 3.0, filters=MatchFilters(max_distance_km=2.5)) is False
    assert accepts(heat_want(), heat_offer(), 2.5, filters=MatchFilters(max_distance_km=2.5)) is True


def test_no_minimum_score_by_default():
    assert MatchFilters().min_score == 0.0


def test_a_user_code_filter_typed_without_hyphens_means_the_canonical_code():
    from services.matching.domain.criteria import canonical_code

    assert canonical_code("90024908") == "900-249-08"
    assert canonical_code(" 441001s02 ") == "441-001-S02"
    assert canonical_code("900-249-08") == "900-249-08"
    assert canonical_code("not-a-code") == "not-a-code"
