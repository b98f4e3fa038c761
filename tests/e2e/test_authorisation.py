"""Who may see and change what, through the gateway, for every role; and the authorisation matrix,
generated from the one table in tests/helpers/authorisation.py."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date

import pytest
from helpers import authorisation as table

from .conftest import PARK, complete_steam_exchange, credit_code, eventually, new_enterprise, steam_offer


def test_requests_without_a_valid_key_are_refused_with_401(system, admin):
    for api in (system.client(None), system.client("plk_not-a-real-key")):
        response = api.get("offers")
        assert response.status_code == 401
        assert response.headers["Content-Type"] == "application/problem+json"
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_revoked_key_stops_working_at_once(system, admin, world):
    issued = admin.post("keys", {"role": "park_manager", "label": "temp", "park_id": world.park_a}).json()
    api = system.client(issued["key"])
    assert api.get(f"parks/{world.park_a}").status_code == 200
    assert admin.delete(f"keys/{issued['id']}").status_code == 204
    assert api.get(f"parks/{world.park_a}").status_code == 401


def test_keys_are_shown_once_and_never_listed(admin, world):
    listed = admin.get("keys", params={"page_size": 200}).json()["items"]
    assert listed and all("key" not in item for item in listed)


def test_only_admins_create_parks_and_issue_keys(world):
    for tenant in (world.a1, world.manager_a):
        assert tenant.api.post("parks", PARK).status_code == 403
        assert tenant.api.post("keys", {"role": "admin", "label": "x"}).status_code == 403


def test_an_enterprise_key_registers_one_enterprise_and_is_then_bound_to_it(world):
    me = world.a1.api.get("keys/me").json()
    assert me["enterprise_id"] == world.a1.enterprise_id
    again = world.a1.api.post(
        "enterprises", {"name": "Second", "credit_code": "x", "industry_code": "C26", "location": {"lat": 1, "lon": 1}}
    )
    assert again.status_code == 403


def test_an_enterprise_cannot_change_another_enterprises_listing(world):
    offer = world.a2.api.post("offers", steam_offer()).json()
    assert world.a1.api.patch(f"offers/{offer['id']}", {"title": "Mine now"}).status_code == 403
    assert world.a1.api.post(f"offers/{offer['id']}/withdraw").status_code == 403
    assert world.a2.api.get(f"offers/{offer['id']}").json()["title"] == "Extraction steam"


def test_an_enterprise_sees_others_listings_only_while_active(world):
    offer = world.a2.api.post("offers", steam_offer(title="Soon paused")).json()
    assert world.a1.api.get(f"offers/{offer['id']}").status_code == 200
    assert world.a2.api.post(f"offers/{offer['id']}/pause").json()["status"] == "paused"
    assert world.a1.api.get(f"offers/{offer['id']}").status_code == 404
    ids = [o["id"] for o in world.a1.api.get("offers", params={"page_size": 200}).json()["items"]]
    assert offer["id"] not in ids
    assert world.a2.api.get(f"offers/{offer['id']}").status_code == 200


def test_an_enterprise_never_reads_another_tenants_private_fields(world):
    other = world.a1.api.get(f"enterprises/{world.b1.enterprise_id}").json()
    assert other["name"] == "B1 Energy"
    assert not {"credit_code", "contact", "licences"} & other.keys()
    own = world.a1.api.get(f"enterprises/{world.a1.enterprise_id}").json()
    assert {"credit_code", "contact", "licences"} <= own.keys()
    listed = world.a1.api.get("enterprises", params={"page_size": 200}).json()["items"]
    assert all("credit_code" not in e for e in listed if e["id"] != world.a1.enterprise_id)


def test_a_park_manager_reads_everything_in_their_park_and_changes_nothing(world):
    manager = world.manager_a.api
    park = manager.get(f"parks/{world.park_a}").json()
    assert park["baselines"][0]["gdp_10k_cny"] == 100
    assert "credit_code" in manager.get(f"enterprises/{world.a1.enterprise_id}").json()
    paused = world.a2.api.post("offers", steam_offer(title="Paused for manager")).json()
    world.a2.api.post(f"offers/{paused['id']}/pause")
    assert manager.get(f"offers/{paused['id']}").status_code == 200
    assert manager.post("offers", steam_offer()).status_code == 403
    assert manager.patch(f"offers/{paused['id']}", {"title": "x"}).status_code == 403
    assert manager.patch(f"enterprises/{world.a1.enterprise_id}", {"name": "x"}).status_code == 403


def test_a_park_manager_sees_nothing_of_other_parks(world):
    manager = world.manager_a.api
    assert manager.get(f"parks/{world.park_b}").status_code == 404
    assert manager.get(f"enterprises/{world.b1.enterprise_id}").status_code == 404
    offer = world.b1.api.post("offers", steam_offer(title="Park B steam")).json()
    assert manager.get(f"offers/{offer['id']}").status_code == 404
    parks = [p["id"] for p in manager.get("parks").json()["items"]]
    assert parks == [world.park_a]
    assert all(o["park_id"] == world.park_a for o in manager.get("offers", params={"page_size": 200}).json()["items"])


def test_other_parks_baselines_are_hidden_from_enterprises(world):
    assert world.a1.api.get(f"parks/{world.park_b}").json()["baselines"] == []


# --- the authorisation matrix over HTTP, generated from tests/helpers/authorisation.py -------------------


@dataclass
class Resources:
    """What E1 (world.a1, park A) owns, and a fresh enrolment key maker for the unbound callers."""

    active_offer: str
    paused_offer: str
    exchange: str  # completed, with A3 (another enterprise of park A)
    counterparty: str
    entry: int  # the exchange's ledger entry
    subscription: str
    plan: str  # park A's plan, pairing A3's heat want with a steam offer of park A
    heat_want: str
    heat_offer: str  # the offer the plan pairs with it (park A has several steam offers by now)


@pytest.fixture(scope="module")
def resources(system, admin, world) -> Resources:
    a1 = world.a1.api
    active = a1.post("offers", steam_offer(title="A1 matrix steam")).json()["id"]
    paused = a1.post("offers", steam_offer(title="A1 matrix paused")).json()["id"]
    assert a1.post(f"offers/{paused}/pause").status_code == 200
    a3 = new_enterprise(system, admin, world.park_a, "A3 Matrix Dyeing")
    exchange = complete_steam_exchange(world.a1, a3, "120", offer_id=active, receiver_enterprise_id=a3.enterprise_id)
    found = eventually(
        lambda: admin.get("ledger/entries", params={"enterprise_id": a3.enterprise_id}).json(),
        lambda page: page["items"],
        "the matrix exchange's ledger entry",
    )
    eventually(
        lambda: admin.get(f"offers/{active}/matches").status_code,
        lambda status: status == 200,
        "the matrix offer in matching",
    )
    eventually(
        lambda: admin.get(f"parks/{world.park_a}/reports/{date.today().year}").status_code,
        lambda status: status == 200,
        "park A in the ledger",
    )
    subscription = a1.post("webhooks", {"url": "http://127.0.0.1:9/hooks/matrix", "min_score": 0.99})
    assert subscription.status_code == 201, subscription.text
    heat_want = a3.api.post("wants", steam_want()).json()["id"]
    plan = eventually(
        lambda: admin.post(f"parks/{world.park_a}/plans", {}).json(),
        lambda body: any(p["want"]["id"] == heat_want for p in body.get("pairings", [])),
        "park A's plan pairing the matrix steam",
    )
    heat_offer = next(p["offer"]["id"] for p in plan["pairings"] if p["want"]["id"] == heat_want)
    return Resources(
        active,
        paused,
        exchange,
        a3.enterprise_id,
        found["items"][0]["index"],
        subscription.json()["id"],
        plan["id"],
        heat_want,
        heat_offer,
    )


def steam_want() -> dict:
    return {
        "kind": "heat",
        "title": "A3 matrix dyeing heat",
        "max_distance_km": 15,
        "heat": {
            "medium": "hot_water",
            "temperature_c": 90,
            "thermal_power_mw": 5,
            "hours_per_day": 24,
            "days_per_year": 330,
        },
    }


def caller(system, admin, world, role: str, ownership: str):
    if role == "admin":
        return admin
    if role == "park_manager":
        return (world.manager_a if ownership == "own park" else world.manager_b).api
    if role == "province":  # park A is in Jiangsu, park B in Shandong
        province = "Jiangsu" if ownership == "same province" else "Shandong"
        issued = admin.post("keys", {"role": "province", "label": f"{province} DRC", "province": province})
        return system.client(issued.json()["key"])
    bound = {"owner": world.a1, "same park": world.a2, "other park": world.b1}
    if ownership in bound:
        return bound[ownership].api
    park = world.park_a if ownership == "unbound, same park" else world.park_b
    key = admin.post("keys", {"role": "enterprise", "label": "matrix enrolment", "park_id": park}).json()["key"]
    return system.client(key)  # fresh each time: registering an enterprise binds it


def _enterprise_body(park_id: str) -> dict:
    return {
        "name": "Matrix Registrant",
        "credit_code": credit_code(700000 + secrets.randbelow(99999)),
        "industry_code": "C2614",
        "location": {"lat": 34.6, "lon": 119.6},
        "park_id": park_id,
    }


def ask(action: str, api, world, r: Resources):
    """The request for `action` on E1's resources, as `api`."""
    a, e1 = world.park_a, world.a1.enterprise_id
    return {
        "create a park": lambda: api.post("parks", {**PARK, "name": "Matrix Park"}),
        "set the park's baseline": lambda: api.put(f"parks/{a}/baselines", PARK["baselines"][0]),
        "read the park": lambda: api.get(f"parks/{a}"),
        "register an enterprise there": lambda: api.post("enterprises", _enterprise_body(a)),
        "read the enterprise": lambda: api.get(f"enterprises/{e1}"),
        "change the enterprise": lambda: api.patch(f"enterprises/{e1}", {"name": "A1 Chemicals"}),
        "post a listing for it": lambda: api.post("offers", steam_offer(title="A1 matrix post", enterprise_id=e1)),
        "change its listing": lambda: api.patch(f"offers/{r.active_offer}", {"title": "A1 matrix steam"}),
        "read its active listing": lambda: api.get(f"offers/{r.active_offer}"),
        "read its paused listing": lambda: api.get(f"offers/{r.paused_offer}"),
        "propose an exchange for it": lambda: api.post(
            "exchanges",
            {
                "offer_id": r.active_offer,
                "receiver_enterprise_id": r.counterparty,
                "agreed_amount": "10",
                "agreed_unit": "GJ",
                "on_behalf_of": e1,
            },
        ),
        "read its exchange": lambda: api.get(f"exchanges/{r.exchange}"),
        "act on its exchange": lambda: api.post(f"exchanges/{r.exchange}/cancel", {}),
        "see its listing's matches": lambda: api.get(f"offers/{r.active_offer}/matches"),
        "subscribe to alerts": lambda: api.post(
            "webhooks", {"url": "http://127.0.0.1:9/hooks/matrix", "min_score": 0.99, "enterprise_id": e1}
        ),
        "read its subscription": lambda: api.get(f"webhooks/{r.subscription}"),
        "change its subscription": lambda: api.post(f"webhooks/{r.subscription}/rotate-secret"),
        "plan the park": lambda: api.post(f"parks/{a}/plans", {}),
        "read the park's plans": lambda: api.get(f"parks/{a}/plans/{r.plan}"),
        "suggest a pairing of a plan": lambda: api.post(
            f"parks/{a}/plans/{r.plan}/suggestions", {"offer_id": r.heat_offer, "want_id": r.heat_want}
        ),
        "read its ledger entry": lambda: api.get(f"ledger/entries/{r.entry}"),
        "read the park's report": lambda: api.get(f"parks/{a}/reports/{date.today().year}"),
        "audit or export the ledger": lambda: api.get("ledger/export"),
        "correct the ledger": lambda: api.post("ledger/corrections", {"corrects": 10**9, "reason": "matrix"}),
        "read the events set aside": lambda: api.get("ledger/rejected-events"),
        "record the implementation plan": lambda: api.put(f"parks/{a}/implementation-plans/2026-2030", MATRIX_PLAN),
        "read the implementation plan": lambda: api.get(f"parks/{a}/implementation-plans"),
        "write the park's submission": lambda: api.put(
            f"parks/{a}/submissions/{date.today().year}/1", {"sections": {"progress": "matrix"}}
        ),
        "read the park's submissions": lambda: api.get(f"parks/{a}/submissions/{date.today().year}"),
        "read the province's roll-up": lambda: api.get(f"provinces/Jiangsu/reports/{date.today().year}"),
        "manage API keys": lambda: api.get("keys"),
        "read the park's audit trail": lambda: api.get("audit", params={"park_id": a}),
    }[action]()


MATRIX_PLAN = {"targets": [{"indicator": "co2_reduced_t", "unit": "t", "baseline_year": 2025, "target": "100"}]}


# Answers that mean the caller got past every access rule and the resource's state (or absence)
# refused it: the completed exchange cannot be cancelled, the corrected index does not exist.
PAST_ACCESS = {"act on its exchange": 409, "correct the ledger": 404}


def outcome(action: str, response) -> str:
    status = response.status_code
    if status == PAST_ACCESS.get(action) or 200 <= status < 300:
        if action == "read the park":
            return table.FULL if response.json()["baselines"] else table.PUBLIC
        if action == "read the enterprise":
            return table.FULL if "credit_code" in response.json() else table.PUBLIC
        return table.OK
    return {403: table.FORBIDDEN, 404: table.NOT_FOUND}.get(status, f"{status}: {response.text[:300]}")


@pytest.mark.parametrize("row", table.cases(), ids=table.case_id)
def test_authorisation_matrix(system, admin, world, resources, row):
    role, action, ownership, expected = row
    api = caller(system, admin, world, role, ownership)
    assert outcome(action, ask(action, api, world, resources)) == expected
