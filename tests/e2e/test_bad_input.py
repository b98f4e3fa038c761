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


DEEP = b'{"a":' * 1000 + b"1" + b"}" * 1000
# One write endpoint of each service, and the gateway's own: the rules are the shared web layer's.
WRITES = ["offers", "webhooks", "ledger/corrections", "keys"]


@pytest.mark.parametrize("path", WRITES)
def test_a_body_nested_a_thousand_levels_deep_gets_400_naming_the_body(admin, path):
    response = admin.post(path, data=DEEP, headers={"Content-Type": "application/json"})
    assert_problem(response, 400, "body", "nested deeper")


@pytest.mark.parametrize("path", WRITES)
@pytest.mark.parametrize(
    ("content_type", "data"),
    [("text/plain", '{"title": "steam"}'), ("application/x-www-form-urlencoded", "title=steam&kind=heat")],
)
def test_a_body_that_is_not_json_gets_415(admin, path, content_type, data):
    response = admin.post(path, data=data, headers={"Content-Type": content_type})
    assert_problem(response, 415, "body", "JSON")
    assert content_type in response.json()["detail"]


def test_an_action_without_a_body_schema_refuses_a_body_that_is_not_json(world):
    offer = world.a1.api.post("offers", steam_offer(title="Paused only by JSON")).json()
    response = world.a1.api.post(f"offers/{offer['id']}/pause", data="please", headers={"Content-Type": "text/plain"})
    assert response.status_code == 415
    assert world.a1.api.get(f"offers/{offer['id']}").json()["status"] == "active"


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        (b'{"kind": "heat", "title": "a", "title": "b"}', "more than once"),
        (b'{"kind": "heat", "max_distance_km": NaN}', "NaN"),
        (b'{"kind": "heat", "max_distance_km": 1e400}', "out of range"),
        (b'{"kind": "heat", "title": "\xff"}', "UTF-8"),
    ],
)
def test_json_that_rfc_8259_or_a_database_would_refuse_gets_400(world, raw, words):
    response = world.a1.api.post("offers", data=raw, headers={"Content-Type": "application/json"})
    assert_problem(response, 400, "body", words)


def test_a_field_error_is_titled_unprocessable_content_as_rfc_9110_names_it(world):
    response = world.a1.api.post("offers", steam_offer(title=""))
    assert response.status_code == 422
    assert response.json()["title"] == "Unprocessable Content"


def test_an_enterprise_naming_another_enterprise_in_a_subscription_is_refused(world):
    before = world.a1.api.get("webhooks").json()["items"]
    response = world.a1.api.post(
        "webhooks", {"url": "http://127.0.0.1:9/hooks/x", "enterprise_id": world.a2.enterprise_id}
    )
    assert response.status_code == 403, response.text
    assert "enterprise_id" in response.json()["detail"]
    assert world.a1.api.get("webhooks").json()["items"] == before
    own = world.a1.api.post("webhooks", {"url": "http://127.0.0.1:9/hooks/x", "enterprise_id": world.a1.enterprise_id})
    assert own.status_code == 201 and own.json()["enterprise_id"] == world.a1.enterprise_id


@pytest.mark.parametrize("path", ["ledger/entries/2147483648", "ledger/entries/2147483648/proof"])
def test_a_ledger_index_beyond_a_32_bit_column_is_not_found(admin, path):
    response = admin.get(path)
    assert response.status_code == 404
    assert response.headers["Content-Type"] == PROBLEM


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("ledger/entries/0/proof", {"tree_size": 2**31}, "tree_size"),
        ("ledger/consistency", {"from": 1, "to": 2**31}, "to"),
        ("offers", {"page": 2**31}, "page"),
    ],
)
def test_an_integer_beyond_a_32_bit_column_is_refused_by_name(admin, path, params, field):
    assert_problem(admin.get(path, params=params), 422, field, "")


def test_fields_sent_to_an_action_that_takes_none_are_refused_not_ignored(world):
    offer = world.a1.api.post("offers", steam_offer(title="Paused only when asked plainly")).json()
    response = world.a1.api.post(f"offers/{offer['id']}/pause", {"status": "withdrawn"})
    assert_problem(response, 422, "status", "Unknown field")
    assert world.a1.api.get(f"offers/{offer['id']}").json()["status"] == "active"
    assert world.a1.api.post(f"offers/{offer['id']}/pause", {}).json()["status"] == "paused"


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("ledger/entries.csv", {"code": "\x00i"}, "code"),
        ("offers", {"park_id": "a\x00b"}, "park_id"),
        ("offers/a%00b", {}, "listing_id"),
    ],
)
def test_control_characters_in_the_path_or_the_query_are_refused_by_name(admin, path, params, field):
    assert_problem(admin.get(path, params=params), 422, field, "control characters")
