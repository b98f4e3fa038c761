"""What matching knows of a listing: the flat document built from the dict listing events
carry (`Listing.to_dict`), with quantities normalised so offers and wants compare."""

from __future__ import annotations

import json
import math
from datetime import date

import pytest
from matching_factories import (
    FGD_GYPSUM,
    FLY_ASH,
    GEAR_OIL,
    HYDRAULIC_OIL,
    PARK,
    PLACES,
    SPENT_SOLVENT,
    WASTE_MINERAL_OIL,
    hw_licence,
    licences,
    make_listing,
    register_enterprise,
    spec_heat,
    spec_material_offer,
    spec_material_want,
    spec_water_offer,
    spec_water_want,
)

from services.matching.domain.documents import (
    OPEN_END,
    Licence,
    ListingDoc,
    doc_from_dict,
    doc_to_dict,
    licences_from_enterprise,
    measure_key,
)


def doc_of(listing, held=()) -> ListingDoc:
    return ListingDoc.from_listing(listing.to_dict(), held)


# --- each kind and side -----------------------------------------------------------------------


def test_a_material_offer_becomes_a_document_with_its_code_properties_and_yearly_tonnes():
    listing = make_listing(
        "offer",
        "material",
        spec_material_offer(
            FLY_ASH, 1500, properties=[("loss_on_ignition", 4.2, "%"), ("fineness_45um_residue", 11.5, "%")]
        ),
        owner="power",
        listing_id="offer-fly-ash",
        max_distance_km=150,
        available_from=date(2026, 1, 1),
        available_until=date(2026, 12, 31),
        title="煤粉锅炉粉煤灰",
    )
    doc = doc_of(listing)
    assert (doc.id, doc.side, doc.kind, doc.status) == ("offer-fly-ash", "offer", "material", "active")
    assert (doc.enterprise_id, doc.park_id, doc.title) == ("ent-power", PARK, "煤粉锅炉粉煤灰")
    assert (doc.lat, doc.lon) == (PLACES["power"].lat, PLACES["power"].lon)
    assert (doc.max_distance_km, doc.available_from, doc.available_until) == (150, "2026-01-01", "2026-12-31")
    assert doc.codes == (FLY_ASH,) and doc.hazardous is False
    assert doc.quantity == pytest.approx(18000)
    assert doc.measures == (("loss_on_ignition|%", 4.2), ("fineness_45um_residue|%", 11.5))
    assert doc.bounds == () and doc.medium is None and doc.reuse_rank is None


def test_a_hazardous_material_offer_is_marked_hazardous():
    doc = doc_of(make_listing("offer", "material", spec_material_offer(WASTE_MINERAL_OIL, 25), owner="refinery"))
    assert doc.codes == (WASTE_MINERAL_OIL,) and doc.hazardous is True


def test_a_material_want_keeps_every_code_it_accepts_and_its_property_bounds():
    listing = make_listing(
        "want",
        "material",
        spec_material_want([FGD_GYPSUM], 8000, bounds=[("CaSO4_2H2O", "%", 90, None), ("moisture", "%", None, 12)]),
        owner="gypsum",
    )
    doc = doc_of(listing)
    assert (doc.side, doc.kind, doc.codes, doc.hazardous) == ("want", "material", (FGD_GYPSUM,), False)
    assert doc.bounds == (("caso4_2h2o|%", 90, None), ("moisture|%", None, 12))
    assert doc.measures == ()
    assert doc.quantity == pytest.approx(96000)


def test_a_want_accepting_any_hazardous_code_is_marked_hazardous():
    listing = make_listing(
        "want", "material", spec_material_want([WASTE_MINERAL_OIL, GEAR_OIL, HYDRAULIC_OIL], 200), owner="hw_recycler"
    )
    doc = doc_of(listing)
    assert doc.codes == (WASTE_MINERAL_OIL, GEAR_OIL, HYDRAULIC_OIL) and doc.hazardous is True


@pytest.mark.parametrize("side, owner", [("offer", "power"), ("want", "pta")])
def test_a_heat_listing_keeps_its_medium_temperature_pressure_and_power_in_mw(side, owner):
    doc = doc_of(make_listing(side, "heat", spec_heat("steam", 250, 30, pressure_mpa=1.6), owner=owner))
    assert (doc.side, doc.kind) == (side, "heat")
    assert (doc.medium, doc.temperature_c, doc.pressure_mpa, doc.quantity) == ("steam", 250, 1.6, 30)
    assert doc.codes == () and doc.hazardous is False and doc.reuse_rank is None


def test_a_hot_water_listing_has_no_pressure():
    doc = doc_of(make_listing("offer", "heat", spec_heat("hot_water", 92, 8), owner="ethylene"))
    assert (doc.medium, doc.temperature_c, doc.pressure_mpa, doc.quantity) == ("hot_water", 92, None, 8)


@pytest.mark.parametrize(
    "category, rank",
    [
        ("washing", 1),
        ("direct_cooling", 1),
        ("circulating_cooling", 2),
        ("boiler_makeup", 3),
        ("process", 4),
    ],
)
def test_a_water_offer_keeps_its_place_on_the_reuse_ladder_its_parameters_and_daily_flow(category, rank):
    listing = make_listing(
        "offer",
        "water",
        spec_water_offer(category, 12000, parameters=[("COD", 28, "mg/L"), ("TDS", 850, "mg/L")]),
        owner="wwtp",
    )
    doc = doc_of(listing)
    assert (doc.side, doc.kind, doc.reuse_rank, doc.quantity) == ("offer", "water", rank, 12000)
    assert doc.measures == (("cod|mg/L", 28), ("tds|mg/L", 850))


def test_the_reuse_ladder_is_the_listings_own():
    from services.listings.domain.reference.water_reuse import ReuseCategory

    for category in ReuseCategory:
        doc = doc_of(make_listing("want", "water", spec_water_want(category.value), owner="refinery"))
        assert doc.reuse_rank == category.rank


def test_a_water_want_keeps_its_parameter_bounds():
    listing = make_listing(
        "want",
        "water",
        spec_water_want("circulating_cooling", 8000, bounds=[("COD", "mg/L", None, 60)]),
        owner="refinery",
    )
    doc = doc_of(listing)
    assert (doc.side, doc.reuse_rank, doc.quantity) == ("want", 2, 8000)
    assert doc.bounds == (("cod|mg/L", None, 60),) and doc.measures == ()


@pytest.mark.parametrize("change, status", [("pause", "paused"), ("withdraw", "withdrawn")])
def test_the_document_carries_the_listings_status(change, status):
    listing = make_listing("offer", "material")
    getattr(listing, change)()
    assert doc_of(listing).status == status


def test_the_document_of_each_lifecycle_event_is_the_listing_as_it_stands_after_it():
    listing = make_listing("want", "material", spec_material_want([FLY_ASH], 1250), owner="cement")
    listing.pause()
    listing.resume()
    listing.withdraw()
    statuses = [ListingDoc.from_listing(event.payload).status for event in listing.events]
    assert [event.type for event in listing.events] == ["WantPaused", "WantResumed", "WantWithdrawn"]
    assert statuses == ["paused", "active", "withdrawn"]


# --- windows and quantities -------------------------------------------------------------------


def test_an_open_ended_availability_window_ends_on_the_last_representable_day():
    doc = doc_of(make_listing("offer", "material", available_until=None))
    assert doc.available_until == OPEN_END == "9999-12-31"


@pytest.mark.parametrize(
    "amount, unit, recurrence, tonnes_a_year",
    [
        (25, "t", "per_month", 300),
        (60, "t", "per_year", 60),
        (60, "t", "one_off", 60),  # a single lot counts once
        (500, "kg", "per_month", 6),
        (2500, "kg", "per_year", 2.5),
        (40, "m3", "per_month", 480),  # liquid wastes by volume, at water's density
    ],
)
def test_material_quantities_are_normalised_to_tonnes_a_year(amount, unit, recurrence, tonnes_a_year):
    listing = make_listing(
        "offer", "material", spec_material_offer(SPENT_SOLVENT, amount, unit, recurrence), owner="fine_chem"
    )
    doc = doc_of(listing)
    assert doc.quantity == pytest.approx(tonnes_a_year)
    assert doc.log_quantity == pytest.approx(math.log(tonnes_a_year))


# --- measure keys -----------------------------------------------------------------------------


def test_a_measure_key_is_the_name_in_lower_case_and_the_unit_trimmed():
    assert measure_key(" Loss_On_Ignition ", " % ") == "loss_on_ignition|%"
    assert measure_key("COD", "mg/L") == measure_key("cod", "mg/L")
    assert measure_key("COD", "mg/L") != measure_key("COD", "g/L")


# --- stored and indexed form ------------------------------------------------------------------

ALL_KINDS = [
    ("offer", "material", spec_material_offer(FLY_ASH, 1500, properties=[("loss_on_ignition", 4.2, "%")]), "power"),
    (
        "want",
        "material",
        spec_material_want([WASTE_MINERAL_OIL, GEAR_OIL], 200, bounds=[("water_content", "%", None, 10)]),
        "hw_recycler",
    ),
    ("offer", "heat", spec_heat("steam", 250, 30, pressure_mpa=1.6), "power"),
    ("want", "heat", spec_heat("hot_water", 70, 3), "fine_chem"),
    ("offer", "water", spec_water_offer("circulating_cooling", 12000, parameters=[("COD", 28, "mg/L")]), "wwtp"),
    ("want", "water", spec_water_want("boiler_makeup", 5000, bounds=[("TDS", "mg/L", 100, 1000)]), "power"),
]


@pytest.mark.parametrize("side, kind, spec, owner", ALL_KINDS, ids=[f"{s}-{k}" for s, k, _, _ in ALL_KINDS])
def test_a_document_survives_its_stored_json_form_unchanged(side, kind, spec, owner):
    doc = doc_of(make_listing(side, kind, spec, owner=owner), licences(WASTE_MINERAL_OIL, GEAR_OIL))
    back = doc_from_dict(json.loads(json.dumps(doc_to_dict(doc))))
    assert back == doc
    assert (
        back.licences
        == doc.licences
        == (Licence(WASTE_MINERAL_OIL, "2024-03-01", "2029-02-28"), Licence(GEAR_OIL, "2024-03-01", "2029-02-28"))
    )


def test_the_indexed_form_has_a_geo_point_and_the_log_of_the_quantity_for_the_engines():
    doc = doc_of(make_listing("offer", "material", spec_material_offer(FLY_ASH, 25), owner="power"))
    data = doc_to_dict(doc)
    assert data["location"] == {"lat": PLACES["power"].lat, "lon": PLACES["power"].lon}
    assert data["log_quantity"] == pytest.approx(math.log(300))
    assert data["codes"] == [FLY_ASH]
    assert data["measures"] == [] and data["bounds"] == [] and data["licences"] == []


# --- licences ---------------------------------------------------------------------------------


def test_an_enterprises_licences_become_one_entry_per_covered_code_with_its_validity():
    recycler = register_enterprise(
        "hw_recycler",
        [
            hw_licence(GEAR_OIL, HYDRAULIC_OIL, WASTE_MINERAL_OIL),
            hw_licence(
                "900-404-06", valid_from=date(2023, 7, 1), valid_until=date(2028, 6, 30), number="JSLYG0707OOD003-1"
            ),
        ],
    )
    assert licences_from_enterprise(recycler.to_dict()) == (
        Licence(GEAR_OIL, "2024-03-01", "2029-02-28"),
        Licence(HYDRAULIC_OIL, "2024-03-01", "2029-02-28"),
        Licence(WASTE_MINERAL_OIL, "2024-03-01", "2029-02-28"),
        Licence("900-404-06", "2023-07-01", "2028-06-30"),
    )


def test_a_licence_typed_without_dashes_covers_the_canonical_code_listings_carry():
    recycler = register_enterprise("hw_recycler", [hw_licence("90024908")])
    assert licences_from_enterprise(recycler.to_dict()) == (Licence(WASTE_MINERAL_OIL, "2024-03-01", "2029-02-28"),)


def test_an_enterprise_without_licences_has_none():
    assert licences_from_enterprise(register_enterprise("cement", n=5).to_dict()) == ()


def test_a_licence_is_valid_from_its_first_to_its_last_day_inclusive():
    licence = Licence(WASTE_MINERAL_OIL, "2024-03-01", "2029-02-28")
    assert [
        licence.valid_on(day) for day in (date(2024, 2, 29), date(2024, 3, 1), date(2029, 2, 28), date(2029, 3, 1))
    ] == [False, True, True, False]


def test_a_document_knows_which_codes_its_enterprise_may_receive_on_a_day():
    doc = doc_of(make_listing("want", "material", spec_material_want([WASTE_MINERAL_OIL], 200), owner="hw_recycler"))
    licensed = doc.with_licences(licences(WASTE_MINERAL_OIL))
    assert doc.licensed_for(WASTE_MINERAL_OIL, date(2026, 3, 1)) is False
    assert licensed.licensed_for(WASTE_MINERAL_OIL, date(2026, 3, 1)) is True
    assert licensed.licensed_for(GEAR_OIL, date(2026, 3, 1)) is False
    assert licensed.licensed_for(WASTE_MINERAL_OIL, date(2030, 1, 1)) is False
    assert licensed == doc  # the listing itself is unchanged; only what its enterprise holds
