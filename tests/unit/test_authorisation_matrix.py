"""The authorisation matrix, generated from the one table in tests/helpers/authorisation.py: every
(role, action, ownership) row asks the owning service's access module, composed as its use case
composes it (a resource the caller may not see is not found before anything else is asked)."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from gateway.domain import access as gateway_access
from gateway.domain import audit
from services.common.errors import Forbidden, InvalidFields, NotFound
from services.common.geo import Location
from services.common.identity import Principal, Role
from services.ledger.domain import access as ledger_access
from services.listings.domain import access as listings_access
from services.listings.domain.enterprises import Enterprise
from services.listings.domain.exchanges import Exchange, Party
from services.listings.domain.listings import Listing, Status, Terms
from services.listings.domain.parks import Park, ParkLevel, ParkType, YearlyBaseline
from services.listings.domain.specs import HeatMedium, HeatSpec, Kind, Side
from services.matching.domain import access as matching_access
from services.matching.domain.documents import ListingDoc
from services.matching.domain.webhooks.subscriptions import SigningSecret, Subscription


def _table():
    name = "authorisation_table"
    if name not in sys.modules:
        path = Path(__file__).resolve().parents[1] / "helpers" / "authorisation.py"
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


table = _table()

HERE = Location(32.0, 119.0)
PRINCIPALS = {
    ("admin", "any"): Principal(Role.ADMIN, "k-admin"),
    ("park_manager", "own park"): Principal(Role.PARK_MANAGER, "k-pm-a", park_id="A"),
    ("park_manager", "other park"): Principal(Role.PARK_MANAGER, "k-pm-b", park_id="B"),
    ("enterprise", "owner"): Principal(Role.ENTERPRISE, "k-e1", park_id="A", enterprise_id="E1"),
    ("enterprise", "same park"): Principal(Role.ENTERPRISE, "k-e2", park_id="A", enterprise_id="E2"),
    ("enterprise", "other park"): Principal(Role.ENTERPRISE, "k-e3", park_id="B", enterprise_id="E3"),
    ("enterprise", "unbound, same park"): Principal(Role.ENTERPRISE, "k-u-a", park_id="A"),
    ("enterprise", "unbound, other park"): Principal(Role.ENTERPRISE, "k-u-b", park_id="B"),
    ("province", "same province"): Principal(Role.PROVINCE, "k-prv-js", province="Jiangsu"),
    ("province", "other province"): Principal(Role.PROVINCE, "k-prv-zj", province="Zhejiang"),
}
assert set(PRINCIPALS) == set(table.CALLERS)

PARK_A = Park(
    "A",
    "Park A",
    "Jiangsu",
    ParkLevel.NATIONAL,
    ParkType.CHEMICAL_PARK,
    HERE,
    [YearlyBaseline(2024, 1.0, 1.0, 1.0, 1.0)],
)
E1 = Enterprise("E1", "A", "E1 Co.", "91320500MA1XK3QB1D", "C2614", HERE)


def listing(status: Status) -> Listing:
    terms = Terms("hot water", HERE, 10.0, date(2026, 1, 1))
    spec = HeatSpec(HeatMedium.HOT_WATER, 90.0, 1.0, 24.0, 300)
    return Listing("L1", Side.OFFER, Kind.HEAT, "E1", "A", terms, spec, status=status)


EXCHANGE = Exchange(
    "X1",
    Kind.HEAT,
    "L1",
    None,
    Party("E1", "A"),
    Party("E9", "A"),
    "E1",
    None,
    False,
    Decimal(100),
    "GJ",
    None,
    None,
    date(2026, 5, 1),
)
ENTRY_EXCHANGE = {
    "exchange_id": "X1",
    "supplier": {"enterprise_id": "E1", "park_id": "A"},
    "receiver": {"enterprise_id": "E9", "park_id": "A"},
}
DOC = ListingDoc(
    "L1", "offer", "heat", "active", "E1", "A", "hot water", HERE.lat, HERE.lon, 10.0, "2026-01-01", "9999-12-31", 1.0
)
SUBSCRIPTION = Subscription("S1", "E1", "A", "https://e1.example.cn/hooks", [SigningSecret("whsec_x")], 0.5)


def _read_park(p: Principal) -> str:
    return table.FULL if listings_access.visible_park(p, PARK_A).baselines else table.PUBLIC


def _read_enterprise(p: Principal) -> str:
    if not listings_access.enterprise_visible(p, E1):
        raise NotFound("no enterprise E1")
    return table.FULL if listings_access.sees_enterprise_in_full(p, E1) else table.PUBLIC


def _visible(seen: bool) -> None:
    if not seen:
        raise NotFound("not for this caller")


def _change_listing(p: Principal) -> None:
    _visible(listings_access.listing_visible(p, listing(Status.ACTIVE)))
    listings_access.may_act_for(p, "E1")


def _propose(p: Principal) -> None:
    by = listings_access.proposer(p, "E1")
    listings_access.may_propose_between(by, EXCHANGE.supplier.enterprise_id, EXCHANGE.receiver.enterprise_id)


def _act_on_exchange(p: Principal) -> None:
    _visible(listings_access.exchange_visible(p, EXCHANGE))
    listings_access.require_party(listings_access.acting_as(p), EXCHANGE)


def _read_park_records(p: Principal) -> None:
    """A park's report, plan and submissions: not found unless the caller may read them (reports.readable_park)."""
    _visible(ledger_access.may_read_park(p, "A", PARK_A.province))


def _change_park_records(p: Principal) -> None:
    _read_park_records(p)
    ledger_access.require_park_writer(p, "A")


def _change_subscription(p: Principal) -> None:
    _visible(matching_access.subscription_visible(p, SUBSCRIPTION))
    matching_access.may_change_subscription(p, SUBSCRIPTION)


ASK: dict[str, Callable[[Principal], object]] = {
    "create a park": lambda p: listings_access.require_admin(p, "create parks"),
    "set the park's baseline": lambda p: listings_access.require_admin(p, "set a park's yearly baseline"),
    "read the park": _read_park,
    "register an enterprise there": lambda p: listings_access.may_register_in(p, "A"),
    "read the enterprise": _read_enterprise,
    "change the enterprise": lambda p: listings_access.may_change_enterprise(p, E1),
    "post a listing for it": lambda p: listings_access.may_act_for(p, "E1"),
    "change its listing": _change_listing,
    "read its active listing": lambda p: _visible(listings_access.listing_visible(p, listing(Status.ACTIVE))),
    "read its paused listing": lambda p: _visible(listings_access.listing_visible(p, listing(Status.PAUSED))),
    "propose an exchange for it": _propose,
    "read its exchange": lambda p: _visible(listings_access.exchange_visible(p, EXCHANGE)),
    "act on its exchange": _act_on_exchange,
    "see its listing's matches": lambda p: _visible(matching_access.may_see_matches(p, DOC)),
    "subscribe to alerts": lambda p: matching_access.subscriber(p, "E1"),
    "read its subscription": lambda p: _visible(matching_access.subscription_visible(p, SUBSCRIPTION)),
    "change its subscription": _change_subscription,
    "plan the park": lambda p: matching_access.parks_to_plan(p, "A"),
    "read the park's plans": lambda p: matching_access.parks_to_plan(p, "A"),
    "suggest a pairing of a plan": lambda p: matching_access.parks_to_plan(p, "A"),
    "read its ledger entry": lambda p: _visible(ledger_access.entry_visible(p, ENTRY_EXCHANGE)),
    "read the park's report": _read_park_records,
    "record the implementation plan": _change_park_records,
    "read the implementation plan": _read_park_records,
    "write the park's submission": _change_park_records,
    "read the park's submissions": _read_park_records,
    "read the province's roll-up": lambda p: ledger_access.require_province_reader(p, PARK_A.province),
    "audit or export the ledger": lambda p: ledger_access.require_admin(p, "audit the whole ledger"),
    "correct the ledger": lambda p: ledger_access.require_admin(p, "correct the ledger"),
    "read the events set aside": lambda p: ledger_access.require_admin(p, "read the events the ledger set aside"),
    "manage API keys": gateway_access.require_key_admin,
    "read the park's audit trail": lambda p: audit.scoped(p, audit.AuditQuery(park_id="A")),
}


def outcome(ask: Callable[[Principal], object], p: Principal) -> str:
    try:
        answer = ask(p)
    except Forbidden:
        return table.FORBIDDEN
    except NotFound:
        return table.NOT_FOUND
    except InvalidFields as exc:
        return f"invalid: {exc}"
    return answer if answer in (table.FULL, table.PUBLIC) else table.OK


def test_every_action_in_the_table_is_asked():
    assert set(ASK) == set(table.RULES)


@pytest.mark.parametrize("row", table.cases(), ids=table.case_id)
def test_authorisation_matrix(row):
    role, action, ownership, expected = row
    assert outcome(ASK[action], PRINCIPALS[role, ownership]) == expected
