"""ListingRepository on a migrated SQLite file: what a listing search returns for each filter,
the great-circle radius search nearest first, pagination totals, and the tenant scopes."""

from __future__ import annotations

import math

import pytest

from services.common.geo import EARTH_RADIUS_KM, Location, distance_km
from services.common.identity import Principal, Role
from services.listings.adapters.repositories import ListingQuery
from services.listings.domain import access
from services.listings.domain.listings import Status
from services.listings.domain.specs import Kind, Side

SUZHOU = Location(31.30, 120.70)
BEIJING = Location(39.90, 116.40)


def destination(start: Location, km: float, bearing_deg: float) -> Location:
    d, b = km / EARTH_RADIUS_KM, math.radians(bearing_deg)
    p1, l1 = math.radians(start.lat), math.radians(start.lon)
    p2 = math.asin(math.sin(p1) * math.cos(d) + math.cos(p1) * math.sin(d) * math.cos(b))
    l2 = l1 + math.atan2(math.sin(b) * math.sin(d) * math.cos(p1), math.cos(d) - math.sin(p1) * math.sin(p2))
    return Location(math.degrees(p2), (math.degrees(l2) + 540) % 360 - 180)


class World:
    """Park A (Suzhou) with enterprises E1 and E2, park B (Beijing) with E3, and their listings."""

    def __init__(self, uow, make_park, make_enterprise, make_listing):
        self.uow, self.make_listing = uow, make_listing
        self.park_a, self.park_b = make_park("Park A", SUZHOU), make_park("Park B", BEIJING)
        self.e1, self.e2 = make_enterprise(self.park_a), make_enterprise(self.park_a)
        self.e3 = make_enterprise(self.park_b)
        with uow() as work:
            for park in (self.park_a, self.park_b):
                work.parks.add(park)
            for enterprise in (self.e1, self.e2, self.e3):
                work.enterprises.add(enterprise)
            work.commit()

    def add(self, enterprise, status: Status = Status.ACTIVE, **kwargs):
        listing = self.make_listing(enterprise, **kwargs)
        if status is not Status.ACTIVE:
            listing.pause()
        if status is Status.WITHDRAWN:
            listing.withdraw()
        with self.uow() as work:
            work.listings.add(listing)
            work.commit()
        return listing

    def search(self, scope: access.ListingScope | None = None, **query):
        with self.uow() as work:
            found, total = work.listings.search(
                ListingQuery(**{"side": Side.OFFER, **query}), scope or access.ListingScope()
            )
        return found, total

    def ids(self, scope: access.ListingScope | None = None, **query) -> set[str]:
        return {listing.id for listing, _ in self.search(scope, **query)[0]}


@pytest.fixture
def world(uow, make_park, make_enterprise, make_listing) -> World:
    return World(uow, make_park, make_enterprise, make_listing)


def test_a_stored_listing_reads_back_equal(world):
    offer = world.add(world.e1, kind=Kind.MATERIAL, codes=["441-001-S02"])

    with world.uow() as work:
        assert work.listings.get(offer.id, Side.OFFER) == offer
        assert work.listings.get(offer.id, Side.WANT) is None
        assert work.listings.get("no-such-id", Side.OFFER) is None


def test_saving_a_change_is_what_the_next_read_sees(world):
    offer = world.add(world.e1)
    with world.uow() as work:
        listing = work.listings.get(offer.id, Side.OFFER)
        listing.pause()
        work.listings.save(listing)
        work.commit()

    with world.uow() as work:
        again = work.listings.get(offer.id, Side.OFFER)
    assert (again.status, again.version) == (Status.PAUSED, 2)


def test_search_filters_by_side_kind_and_status(world):
    oil = world.add(world.e1, kind=Kind.MATERIAL)
    heat = world.add(world.e1, kind=Kind.HEAT)
    paused_water = world.add(world.e2, kind=Kind.WATER, status=Status.PAUSED)
    want = world.add(world.e2, side=Side.WANT, kind=Kind.HEAT)

    assert world.ids() == {oil.id, heat.id, paused_water.id}
    assert world.ids(side=Side.WANT) == {want.id}
    assert world.ids(kind=Kind.HEAT) == {heat.id}
    assert world.ids(status=Status.ACTIVE) == {oil.id, heat.id}
    assert world.ids(status=Status.PAUSED, kind=Kind.WATER) == {paused_water.id}
    assert world.ids(status=Status.WITHDRAWN) == set()


def test_search_by_waste_code_finds_offers_and_wants_naming_it(world):
    oil = world.add(world.e1, codes=["900-249-08"])
    slag = world.add(world.e1, codes=["441-001-S02"])
    want = world.add(world.e3, side=Side.WANT, codes=["441-001-S02", "900-249-08"])

    assert world.ids(code="900-249-08") == {oil.id}
    assert world.ids(code="441-001-S02") == {slag.id}
    assert world.ids(side=Side.WANT, code="900-249-08") == {want.id}
    assert world.ids(code="900-218-08") == set()


def test_editing_a_listings_code_moves_it_to_the_new_code(world, catalogue):
    from services.listings.domain.spec_dicts import spec_from_dict

    offer = world.add(world.e1, codes=["900-249-08"])
    with world.uow() as work:
        listing = work.listings.get(offer.id, Side.OFFER)
        listing.edit(
            listing.terms,
            spec_from_dict(
                Kind.MATERIAL,
                Side.OFFER,
                {"waste_code": "900-218-08", "quantity": {"amount": 5, "unit": "t", "recurrence": "one_off"}},
                catalogue,
            ),
        )
        work.listings.save(listing)
        work.commit()

    assert world.ids(code="900-249-08") == set()
    assert world.ids(code="900-218-08") == {offer.id}


def test_search_filters_by_park_and_enterprise(world):
    a1, a2, b3 = world.add(world.e1), world.add(world.e2), world.add(world.e3)

    assert world.ids(park_id=world.park_a.id) == {a1.id, a2.id}
    assert world.ids(park_id=world.park_b.id) == {b3.id}
    assert world.ids(enterprise_id=world.e2.id) == {a2.id}
    assert world.ids(park_id=world.park_b.id, enterprise_id=world.e1.id) == set()


def test_without_a_point_the_newest_come_first_and_pages_report_the_total(world):
    made = [world.add(world.e1, title=f"n{i}") for i in range(5)]

    page1, total1 = world.search(offset=0, limit=2)
    page3, total3 = world.search(offset=4, limit=2)
    beyond, total_beyond = world.search(offset=10, limit=2)

    assert total1 == total3 == total_beyond == 5
    assert [listing.terms.title for listing, _ in page1] == ["n4", "n3"]
    assert [listing.terms.title for listing, _ in page3] == ["n0"]
    assert beyond == []
    assert all(d is None for _, d in page1)
    assert {listing.id for listing, _ in page1 + page3} <= {m.id for m in made}


def test_near_a_point_only_listings_within_the_great_circle_radius_come_back_nearest_first(world):
    at_80 = world.add(world.e1, location=destination(SUZHOU, 80.0, 200.0), title="80")
    at_10 = world.add(world.e1, location=destination(SUZHOU, 10.0, 90.0), title="10")
    at_45 = world.add(world.e2, location=destination(SUZHOU, 45.0, 330.0), title="45")
    world.add(world.e2, location=destination(SUZHOU, 130.0, 45.0), title="corner")  # inside the box, outside 100 km
    world.add(world.e2, location=destination(SUZHOU, 101.0, 0.0), title="just-out")
    world.add(world.e3, title="beijing")

    found, total = world.search(near=SUZHOU, radius_km=100.0)

    assert [listing.terms.title for listing, _ in found] == ["10", "45", "80"]
    assert total == 3
    assert [round(d, 3) for _, d in found] == pytest.approx([10.0, 45.0, 80.0], abs=1e-3)
    for listing, d in found:
        assert d == pytest.approx(distance_km(SUZHOU, listing.terms.location))
    assert {at_10.id, at_45.id, at_80.id} == {listing.id for listing, _ in found}


def test_near_search_pages_keep_distance_order_and_the_full_total(world):
    for km in (30, 10, 50, 20, 40):
        world.add(world.e1, location=destination(SUZHOU, km, km * 7), title=str(km))

    page2, total = world.search(near=SUZHOU, radius_km=45.0, offset=2, limit=2)

    assert total == 4
    assert [listing.terms.title for listing, _ in page2] == ["30", "40"]


def test_near_search_combines_with_the_other_filters(world):
    world.add(world.e1, kind=Kind.HEAT, location=destination(SUZHOU, 5, 0))
    water = world.add(world.e1, kind=Kind.WATER, location=destination(SUZHOU, 6, 0))
    world.add(world.e2, kind=Kind.WATER, status=Status.PAUSED, location=destination(SUZHOU, 4, 0))

    assert world.ids(near=SUZHOU, radius_km=10.0, kind=Kind.WATER, status=Status.ACTIVE) == {water.id}


def test_a_search_across_provinces_measures_the_great_circle(world):
    beijing = world.add(world.e3)

    assert world.ids(near=SUZHOU, radius_km=1000.0) == set()  # Suzhou–Beijing is about 1,020 km
    ((found, d),) = world.search(near=SUZHOU, radius_km=1100.0)[0]
    assert found.id == beijing.id
    assert d == pytest.approx(distance_km(SUZHOU, BEIJING))


def test_a_listing_999_km_away_east_north_east_is_found_within_1000_km(world):
    center = Location(40.0, 110.0)
    far = world.add(world.e3, location=destination(center, 999.0, 79.0))

    assert world.ids(near=center, radius_km=1000.0) == {far.id}


# --- tenant scopes (access.listing_scope) ----------------------------------------------


@pytest.fixture
def scoped(world):
    """E1: active, paused, withdrawn; E2: active, paused; E3 (park B): active, withdrawn."""
    made = {
        "e1-active": world.add(world.e1),
        "e1-paused": world.add(world.e1, status=Status.PAUSED),
        "e1-withdrawn": world.add(world.e1, status=Status.WITHDRAWN),
        "e2-active": world.add(world.e2),
        "e2-paused": world.add(world.e2, status=Status.PAUSED),
        "e3-active": world.add(world.e3),
        "e3-withdrawn": world.add(world.e3, status=Status.WITHDRAWN),
    }
    return world, made


def visible_to(scoped, principal: Principal, **query) -> set[str]:
    world, made = scoped
    names = {listing.id: name for name, listing in made.items()}
    return {names[i] for i in world.ids(access.listing_scope(principal), **query)}


def test_an_admin_searches_every_listing(scoped):
    assert visible_to(scoped, Principal(Role.ADMIN, "k")) == set(scoped[1])


def test_a_park_manager_searches_every_listing_of_their_park_only(scoped):
    world, _ = scoped
    manager = Principal(Role.PARK_MANAGER, "k", park_id=world.park_a.id)

    assert visible_to(scoped, manager) == {"e1-active", "e1-paused", "e1-withdrawn", "e2-active", "e2-paused"}
    assert visible_to(scoped, manager, park_id=world.park_b.id) == set()


def test_an_enterprise_searches_its_own_listings_and_everyone_elses_active_ones(scoped):
    world, _ = scoped
    e1 = Principal(Role.ENTERPRISE, "k", park_id=world.park_a.id, enterprise_id=world.e1.id)

    assert visible_to(scoped, e1) == {"e1-active", "e1-paused", "e1-withdrawn", "e2-active", "e3-active"}
    assert visible_to(scoped, e1, status=Status.PAUSED) == {"e1-paused"}


def test_an_unbound_enterprise_key_searches_active_listings_only(scoped):
    world, _ = scoped
    unbound = Principal(Role.ENTERPRISE, "k", park_id=world.park_a.id)

    assert visible_to(scoped, unbound) == {"e1-active", "e2-active", "e3-active"}


def test_the_search_scope_agrees_with_listing_visible_for_every_caller(scoped):
    world, made = scoped
    callers = [
        Principal(Role.ADMIN, "k"),
        Principal(Role.PARK_MANAGER, "k", park_id=world.park_b.id),
        Principal(Role.ENTERPRISE, "k", park_id=world.park_a.id, enterprise_id=world.e2.id),
        Principal(Role.ENTERPRISE, "k", park_id=world.park_b.id),
    ]
    for caller in callers:
        expected = {name for name, listing in made.items() if access.listing_visible(caller, listing)}
        assert visible_to(scoped, caller) == expected, caller


def test_a_search_across_the_antimeridian_finds_the_listing_on_the_other_side(world):
    east_of_the_line = world.add(world.e3, location=Location(-16.5, -179.95))  # Fiji/Taveuni longitudes

    found = world.search(near=Location(-16.5, 179.95), radius_km=50.0)[0]

    assert [listing.id for listing, _ in found] == [east_of_the_line.id]
    assert found[0][1] == pytest.approx(10.7, abs=0.2)
