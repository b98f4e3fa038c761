"""The tenant rules, as a matrix: admin; park manager of the park or of another park;
enterprise key of the enterprise, of another enterprise, or not yet bound to one."""
from __future__ import annotations

from datetime import date

import pytest

from services.common.errors import Forbidden, NotFound
from services.common.geo import Location
from services.common.identity import Principal, Role
from services.listings.domain import access
from services.listings.domain.enterprises import Enterprise
from services.listings.domain.listings import Listing, Status, Terms
from services.listings.domain.parks import Park, ParkLevel, ParkType, YearlyBaseline
from services.listings.domain.specs import HeatMedium, HeatSpec, Kind, Side

HERE = Location(32.0, 119.0)
PRINCIPALS = {
    "admin": Principal(Role.ADMIN, "k-admin"),
    "manager-of-A": Principal(Role.PARK_MANAGER, "k-pm-a", park_id="A"),
    "manager-of-B": Principal(Role.PARK_MANAGER, "k-pm-b", park_id="B"),
    "enterprise-E1": Principal(Role.ENTERPRISE, "k-e1", park_id="A", enterprise_id="E1"),
    "enterprise-E2": Principal(Role.ENTERPRISE, "k-e2", park_id="A", enterprise_id="E2"),
    "enterprise-in-B": Principal(Role.ENTERPRISE, "k-e3", park_id="B", enterprise_id="E3"),
    "unbound-in-A": Principal(Role.ENTERPRISE, "k-u-a", park_id="A"),
    "unbound-in-B": Principal(Role.ENTERPRISE, "k-u-b", park_id="B"),
}
ALL = list(PRINCIPALS)


def park_a() -> Park:
    baseline = YearlyBaseline(2024, 1.0, 1.0, 1.0, 1.0)
    return Park("A", "Park A", "Jiangsu", ParkLevel.NATIONAL, ParkType.CHEMICAL_PARK, HERE, [baseline])


def enterprise_e1() -> Enterprise:
    return Enterprise("E1", "A", "E1 Co.", "91320500MA1XK3QB1D", "C2614", HERE)


def listing_of_e1(status: Status) -> Listing:
    terms = Terms("steam", HERE, 10.0, date(2026, 1, 1))
    spec = HeatSpec(HeatMedium.HOT_WATER, 90.0, 1.0, 24.0, 300)
    return Listing("L1", Side.OFFER, Kind.HEAT, "E1", "A", terms, spec, status=status)


def outcome(call) -> str:
    """'ok', 'forbidden' or 'not found' — what the caller would see."""
    try:
        call()
    except Forbidden:
        return "forbidden"
    except NotFound:
        return "not found"
    return "ok"


def matrix(expected_ok: set[str], otherwise: str = "forbidden") -> list:
    return [pytest.param(name, "ok" if name in expected_ok else otherwise, id=name) for name in ALL]


@pytest.mark.parametrize("who, expected", matrix({"admin"}))
def test_only_an_admin_passes_require_admin(who, expected):
    assert outcome(lambda: access.require_admin(PRINCIPALS[who], "create parks")) == expected


def test_require_admin_says_what_was_refused():
    with pytest.raises(Forbidden, match="only an admin may create parks"):
        access.require_admin(PRINCIPALS["manager-of-A"], "create parks")


@pytest.mark.parametrize("who, expected", [pytest.param(n, n in {"admin", "manager-of-A"}, id=n) for n in ALL])
def test_only_admins_and_the_parks_own_managers_see_a_park_in_full(who, expected):
    assert access.sees_park_in_full(PRINCIPALS[who], park_a()) is expected


@pytest.mark.parametrize("who, expected", [
    pytest.param(n, {"admin": "full", "manager-of-A": "full", "manager-of-B": "not found"}.get(n, "public"), id=n)
    for n in ALL])
def test_visible_park_gives_full_public_or_no_park(who, expected):
    try:
        seen = access.visible_park(PRINCIPALS[who], park_a())
    except NotFound:
        assert expected == "not found"
        return
    assert ("full" if seen.baselines else "public") == expected
    assert seen.name == "Park A"


@pytest.mark.parametrize("who, expected", matrix({"admin", "unbound-in-A"}))
def test_only_an_admin_or_an_unbound_key_of_the_park_may_register_an_enterprise_there(who, expected):
    assert outcome(lambda: access.may_register_in(PRINCIPALS[who], "A")) == expected


def test_an_unbound_key_of_another_park_is_told_to_register_in_its_own_park():
    with pytest.raises(Forbidden, match="only in its own park"):
        access.may_register_in(PRINCIPALS["unbound-in-B"], "A")


@pytest.mark.parametrize("who, expected", [pytest.param(n, n in {"admin", "manager-of-A", "enterprise-E1"}, id=n)
                                           for n in ALL])
def test_an_enterprise_is_seen_in_full_by_admins_its_park_managers_and_itself(who, expected):
    assert access.sees_enterprise_in_full(PRINCIPALS[who], enterprise_e1()) is expected


@pytest.mark.parametrize("who, expected", matrix({"admin", "enterprise-E1"}))
def test_only_the_enterprise_itself_or_an_admin_may_change_it(who, expected):
    assert outcome(lambda: access.may_change_enterprise(PRINCIPALS[who], enterprise_e1())) == expected


@pytest.mark.parametrize("who, expected", matrix({"admin", "enterprise-E1"}))
def test_only_the_owning_enterprise_or_an_admin_may_act_for_it(who, expected):
    assert outcome(lambda: access.may_act_for(PRINCIPALS[who], "E1")) == expected


def test_an_unbound_key_is_told_to_register_before_posting():
    with pytest.raises(Forbidden, match="register your enterprise"):
        access.may_act_for(PRINCIPALS["unbound-in-A"], "E1")


VISIBLE = {
    # who: statuses of E1's listing (park A) that the caller can see
    "admin": {"active", "paused", "withdrawn"},
    "manager-of-A": {"active", "paused", "withdrawn"},
    "manager-of-B": set(),
    "enterprise-E1": {"active", "paused", "withdrawn"},
    "enterprise-E2": {"active"},
    "enterprise-in-B": {"active"},
    "unbound-in-A": {"active"},
    "unbound-in-B": {"active"},
}


@pytest.mark.parametrize("status", list(Status), ids=lambda s: s.value)
@pytest.mark.parametrize("who", ALL)
def test_a_listing_is_visible_to_admins_its_park_managers_its_owner_and_others_only_while_active(who, status):
    assert access.listing_visible(PRINCIPALS[who], listing_of_e1(status)) is (status.value in VISIBLE[who])


@pytest.mark.parametrize("who, expected", [
    ("admin", {}),
    ("manager-of-A", {"park_id": "A"}),
    ("manager-of-B", {"park_id": "B"}),
    ("enterprise-E1", {"active_or_owned_by": "E1"}),
    ("enterprise-E2", {"active_or_owned_by": "E2"}),
    ("unbound-in-A", {"active_or_owned_by": None}),
])
def test_listing_scope_restricts_searches_as_listing_visible_does(who, expected):
    assert access.listing_scope(PRINCIPALS[who]) == expected


@pytest.mark.parametrize("who, expected", [
    ("admin", {}), ("manager-of-A", {"park_id": "A"}), ("manager-of-B", {"park_id": "B"}),
    ("enterprise-E1", {}), ("unbound-in-B", {}),
])
def test_enterprise_scope_keeps_park_managers_in_their_park(who, expected):
    assert access.enterprise_scope(PRINCIPALS[who]) == expected
