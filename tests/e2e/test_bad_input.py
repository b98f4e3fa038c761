"""Every bad field gets a 4xx problem+json naming the field and the rule; nothing half-written."""

from __future__ import annotations

import pytest

from .conftest import PARK, credit_code, steam_offer

PROBLEM = "application/problem+json"


def assert_problem(response, status: int, field: str, words: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"] == PROBLEM
    body = response.json()
    assert body["status"] == status
    assert field in body["errors"], body
    assert words in " ".join(body["errors"][field]), body


def enterprise_body(**overrides) -> dict:
    return {
        "name": "Bad Input Co",
        "credit_code": credit_code(777001),
        "industry_code": "C2614",
        "location": {"lat": 34.6, "lon": 119.6},
        **overrides,
    }


def test_a_credit_code_with_a_wrong_check_character_is_refused(admin, world):
    good = credit_code(777002)
    wrong = good[:-1] + ("0" if good[-1] != "0" else "1")
    response = admin.post("enterprises", enterprise_body(park_id=world.park_a, credit_code=wrong))
    assert_problem(response, 422, "credit_code", "check")


def test_an_unknown_park_is_refused(admin):
    response = admin.post("enterprises", enterprise_body(park_id="no-such-park"))
    assert_problem(response, 422, "park_id", "no park")


def test_latitude_out_of_range_is_refused(admin, world):
    response = admin.post("enterprises", enterprise_body(park_id=world.park_a, location={"lat": 91, "lon": 119}))
    assert_problem(response, 422, "location.lat", "")


def test_an_unknown_waste_code_is_refused(world):
    body = {
        "kind": "material",
        "title": "Mystery",
        "max_distance_km": 50,
        "material": {"waste_code": "900-249-41", "quantity": {"amount": 5, "unit": "t", "recurrence": "one_off"}},
    }
    assert_problem(world.a1.api.post("offers", body), 422, "material.waste_code", "HW41")


def test_steam_below_saturation_at_its_pressure_is_refused(world):
    body = steam_offer()
    body["heat"] = {**body["heat"], "temperature_c": 150, "pressure_mpa": 1.0}
    assert_problem(world.a1.api.post("offers", body), 422, "heat.temperature_c", "saturation")


def test_a_negative_flow_is_refused(world):
    body = {
        "kind": "water",
        "title": "Reclaimed water",
        "max_distance_km": 10,
        "water": {"reuse_category": "circulating_cooling", "flow_m3_per_day": -5},
    }
    assert_problem(world.a1.api.post("offers", body), 422, "water.flow_m3_per_day", "greater than 0")


def test_a_window_ending_before_it_starts_is_refused(world):
    body = steam_offer(available_from="2026-06-01", available_until="2026-05-01")
    assert_problem(world.a1.api.post("offers", body), 422, "available_until", "before")


def test_several_bad_fields_are_named_in_one_response(admin, world):
    response = admin.post("parks", {**PARK, "province": "Atlantis", "centroid": {"lat": 95, "lon": 0}})
    assert response.status_code == 422
    assert {"province", "centroid.lat"} <= response.json()["errors"].keys()


def test_malformed_json_gets_400_not_500(world):
    response = world.a1.api.post("offers", data=b"{not json", headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.headers["Content-Type"] == PROBLEM


def test_an_oversized_body_gets_413(world):
    response = world.a1.api.post("offers", data=b"x" * (2 * 1024 * 1024), headers={"Content-Type": "application/json"})
    assert response.status_code == 413
    assert response.headers["Content-Type"] == PROBLEM


def test_a_refused_large_body_leaves_the_clients_connection_usable(system, world):
    # Each answer to a body the service will not read says `Connection: close`, so a client
    # reusing its connection never meets one the server dropped without notice.
    strangers = system.client("plk_not-a-key")
    for _ in range(10):
        assert (
            world.a1.api.post(
                "offers", data=b"x" * (2 * 1024 * 1024), headers={"Content-Type": "application/json"}
            ).status_code
            == 413
        )
        assert world.a1.api.get("offers", params={"enterprise_id": world.a1.enterprise_id}).status_code == 200
        assert (
            strangers.post(
                "offers", data=b"{}" + b" " * (256 * 1024), headers={"Content-Type": "application/json"}
            ).status_code
            == 401
        )
        assert strangers.get("offers").status_code == 401


@pytest.mark.parametrize("field", ["title", "max_distance_km"])
def test_a_refused_listing_leaves_nothing_behind(world, field):
    before = world.a1.api.get("offers", params={"enterprise_id": world.a1.enterprise_id}).json()["total"]
    body = steam_offer(**{field: "" if field == "title" else -1})
    assert world.a1.api.post("offers", body).status_code == 422
    after = world.a1.api.get("offers", params={"enterprise_id": world.a1.enterprise_id}).json()["total"]
    assert after == before


def test_an_edit_that_breaks_a_rule_changes_nothing(world):
    offer = world.a1.api.post("offers", steam_offer(title="Stable steam")).json()
    response = world.a1.api.patch(f"offers/{offer['id']}", {"heat": {"temperature_c": 120}})
    assert_problem(response, 422, "heat.temperature_c", "saturation")
    assert world.a1.api.get(f"offers/{offer['id']}").json()["heat"]["temperature_c"] == 250
