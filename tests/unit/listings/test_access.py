"""The listings service's tenant rules beyond the authorisation matrix (tests/unit/test_authorisation_matrix.py,
generated from tests/helpers/authorisation.py): what a refusal says, a listing's visibility in every status,
and the typed scopes queries get. Callers: admin; park manager of the park or of another park; enterprise key
of the enterprise, of another enterprise, or not yet bound to one."""

from __future__ import annotations

from datetime import date

import pytest

from services.common.errors import Forbidden
from services.common.geo import Location
from services.common.identity import Principal, Role
from services.listings.domain import access
from services.listings.domain.listings import Listing, Status, Terms
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


def listing_of_e1(status: Status) -> Listing:
    terms = Terms("steam", HERE, 10.0, date(2026, 1, 1))
    spec = HeatSpec(HeatMedium.HOT_WATER, 90.0, 1.0, 24.0, 300)
    return Listing("L1", Side.OFFER, Kind.HEAT, "E1", "A", terms, spec, status=status)


def test_require_admin_says_what_was_refused():
    with pytest.raises(Forbidden, match="only an admin may create parks"):
        access.require_admin(PRINCIPALS["manager-of-A"], "create parks")


def test_an_unbound_key_of_another_park_is_told_to_register_in_its_own_park():
    with pytest.raises(Forbidden, match="only in its own park"):
        access.may_register_in(PRINCIPALS["unbound-in-B"], "A")


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


@pytest.mark.parametrize(
    "who, expected",
    [
        ("admin", access.ListingScope()),
        ("manager-of-A", access.ListingScope(park_id="A")),
        ("manager-of-B", access.ListingScope(park_id="B")),
        ("enterprise-E1", access.ListingScope(active_only=True, owner_id="E1")),
        ("enterprise-E2", access.ListingScope(active_only=True, owner_id="E2")),
        ("unbound-in-A", access.ListingScope(active_only=True)),
    ],
)
def test_listing_scope_restricts_searches_as_listing_visible_does(who, expected):
    assert access.listing_scope(PRINCIPALS[who]) == expected


@pytest.mark.parametrize(
    "who, requested, expected",
    [
        ("admin", None, access.EnterpriseScope()),
        ("admin", "B", access.EnterpriseScope("B")),
        ("manager-of-A", None, access.EnterpriseScope("A")),
        ("manager-of-A", "A", access.EnterpriseScope("A")),
        ("manager-of-A", "B", access.EnterpriseScope("A", nothing=True)),
        ("enterprise-E1", None, access.EnterpriseScope()),
        ("unbound-in-B", "A", access.EnterpriseScope("A")),
    ],
)
def test_enterprise_scope_keeps_park_managers_in_their_park(who, requested, expected):
    assert access.enterprise_scope(PRINCIPALS[who], requested) == expected


@pytest.mark.parametrize(
    "who, expected",
    [
        ("admin", access.ParkScope()),
        ("manager-of-B", access.ParkScope("B")),
        ("enterprise-E1", access.ParkScope()),
    ],
)
def test_park_scope_keeps_park_managers_in_their_park(who, expected):
    assert access.park_scope(PRINCIPALS[who]) == expected
