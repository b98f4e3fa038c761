"""What an enterprise does with its listings, and what the demo park gives a new user."""

from __future__ import annotations

import json

import pytest

from .conftest import steam_offer


def test_the_demo_park_is_loaded_on_first_start(system, admin):
    keys = json.loads((system.data_dir / "demo-keys.json").read_text())
    manager = system.client(keys["keys"]["park_manager"])
    park = manager.get(f"parks/{keys['park_id']}").json()
    assert park["park_type"] == "chemical_park" and park["baselines"]
    enterprises = manager.get("enterprises").json()
    assert enterprises["total"] == 12
    offers = manager.get("offers", params={"page_size": 100}).json()["items"]
    wants = manager.get("wants", params={"page_size": 100}).json()["items"]
    assert {o["kind"] for o in offers} == {o["kind"] for o in wants} == {"material", "heat", "water"}
    assert any(o["material"]["hazardous"] for o in offers if o["kind"] == "material")


def test_an_enterprise_posts_edits_pauses_resumes_and_withdraws_an_offer(world):
    api = world.a1.api
    offer = api.post("offers", steam_offer()).json()
    assert offer["status"] == "active" and offer["version"] == 1
    assert offer["location"] == {"lat": 34.6, "lon": 119.6}  # defaults to the enterprise's location
    edited = api.patch(f"offers/{offer['id']}", {"heat": {"temperature_c": 260}, "max_distance_km": 12}).json()
    assert (edited["heat"]["temperature_c"], edited["max_distance_km"], edited["version"]) == (260, 12, 2)
    assert api.post(f"offers/{offer['id']}/pause").json()["status"] == "paused"
    assert api.post(f"offers/{offer['id']}/resume").json()["status"] == "active"
    assert api.post(f"offers/{offer['id']}/withdraw").json()["status"] == "withdrawn"
    refused = api.post(f"offers/{offer['id']}/resume")
    assert refused.status_code == 409 and refused.headers["Content-Type"] == "application/problem+json"


def test_a_want_names_several_codes_and_bounds(world):
    body = {
        "kind": "material",
        "title": "Waste oils for re-refining",
        "max_distance_km": 100,
        "material": {
            "waste_codes": ["900-249-08", "900-217-08"],
            "quantity": {"amount": 50, "unit": "t", "recurrence": "per_month"},
            "property_bounds": [{"name": "water", "max": 5, "unit": "%"}],
        },
    }
    want = world.a2.api.post("wants", body).json()
    assert want["material"]["hazardous"] is True
    found = world.a1.api.get("wants", params={"code": "900-217-08"}).json()["items"]
    assert want["id"] in [w["id"] for w in found]


def test_listings_are_filtered_by_distance_from_a_point_nearest_first(world):
    api = world.b1.api
    near = api.post("offers", steam_offer(title="Near", location={"lat": 36.00, "lon": 120.00})).json()
    far = api.post("offers", steam_offer(title="Far", location={"lat": 36.20, "lon": 120.00})).json()
    found = api.get("offers", params={"lat": 36.0, "lon": 120.0, "radius_km": 30, "kind": "heat"}).json()["items"]
    ids = [o["id"] for o in found]
    assert ids.index(near["id"]) < ids.index(far["id"])
    assert found[ids.index(far["id"])]["distance_km"] == pytest.approx(22.239, rel=0.01)
    within_10 = api.get("offers", params={"lat": 36.0, "lon": 120.0, "radius_km": 10}).json()["items"]
    assert far["id"] not in [o["id"] for o in within_10]


def test_pagination_reports_the_total(world):
    page = world.a1.api.get("offers", params={"page": 1, "page_size": 2}).json()
    assert len(page["items"]) <= 2 and page["total"] >= len(page["items"])
    assert page["page"] == 1 and page["page_size"] == 2
