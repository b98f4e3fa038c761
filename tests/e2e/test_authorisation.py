"""Who may see and change what, through the gateway, for every role."""
from __future__ import annotations

from .conftest import PARK, steam_offer


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
    again = world.a1.api.post("enterprises", {"name": "Second", "credit_code": "x", "industry_code": "C26",
                                              "location": {"lat": 1, "lon": 1}})
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
