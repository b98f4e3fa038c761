"""The listings service's Flask app with a real SQLite file: it trusts only principals the
gateway signed, and every bad request leaves as application/problem+json — never a 500."""

from __future__ import annotations

import time

import pytest

from services.common.config import Settings
from services.common.identity import Principal, Role, sign_principal
from services.common.web import MAX_BODY_BYTES, PROBLEM_JSON
from services.listings.app import create_app
from services.listings.domain.reference import credit_code as gb32100

SECRET = "listings-internal-secret"
ADMIN = Principal(Role.ADMIN, "admin-key")


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    data = tmp_path_factory.mktemp("listings-app")
    settings = Settings(
        service="listings",
        data_dir=data,
        database_url=f"sqlite:///{data / 'listings.db'}",
        event_bus_url=f"sqlite:///{data / 'events.db'}",
        internal_secret=SECRET,
    )
    return create_app(settings)


@pytest.fixture
def client(app):
    return app.test_client()


def signed(principal: Principal = ADMIN, secret: str = SECRET, now: float | None = None) -> dict:
    return sign_principal(principal, secret, now=now)


def problem(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == PROBLEM_JSON
    body = response.get_json(force=True)
    assert body["status"] == status and body["title"]
    return body


@pytest.fixture(scope="module")
def enterprise(app):
    """A park and an enterprise, made through the API as an admin."""
    client = app.test_client()
    park = client.post(
        "/api/v1/parks",
        headers=signed(),
        json={
            "name": "Taicang Port Economic Development Zone",
            "province": "Jiangsu",
            "level": "national",
            "park_type": "economic_development_zone",
            "centroid": {"lat": 31.62, "lon": 121.15},
        },
    )
    assert park.status_code == 201, park.get_data(as_text=True)
    body = "MA2ABCDE"
    code = gb32100.company_credit_code("320585", body)
    enterprise = client.post(
        "/api/v1/enterprises",
        headers=signed(),
        json={
            "park_id": park.get_json()["id"],
            "name": "Taicang Steam Co.",
            "credit_code": code,
            "industry_code": "D4430",
            "location": {"lat": 31.63, "lon": 121.16},
        },
    )
    assert enterprise.status_code == 201, enterprise.get_data(as_text=True)
    return enterprise.get_json()


def steam_offer(enterprise: dict, **heat) -> dict:
    return {
        "enterprise_id": enterprise["id"],
        "kind": "heat",
        "title": "1.0 MPa steam",
        "max_distance_km": 8,
        "heat": {
            "medium": "steam",
            "temperature_c": 185.0,
            "pressure_mpa": 1.0,
            "thermal_power_mw": 6,
            "hours_per_day": 24,
            "days_per_year": 330,
            **heat,
        },
    }


# --- the gateway's signature -----------------------------------------------------------


def test_health_needs_no_signature(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "service": "listings"}


@pytest.mark.parametrize("path", ["/api/v1/parks", "/api/v1/offers", "/api/v1/wants", "/api/v1/enterprises"])
def test_a_request_without_the_gateways_signature_is_forbidden(client, path):
    body = problem(client.get(path), 403)

    assert "gateway" in body["detail"]


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param(lambda: signed(secret="not-the-internal-secret"), id="wrong-secret"),
        pytest.param(lambda: signed(now=time.time() - 3600), id="an-hour-old"),
        pytest.param(lambda: {**signed(), "X-ParkLoop-Signature": "0" * 64}, id="forged-signature"),
    ],
)
def test_a_badly_signed_request_is_forbidden(client, headers):
    problem(client.get("/api/v1/parks", headers=headers()), 403)


def test_a_signed_request_is_served(client):
    response = client.get("/api/v1/parks", headers=signed())

    assert response.status_code == 200
    assert "items" in response.get_json()


def test_a_write_without_a_signature_changes_nothing(client, enterprise):
    problem(client.post("/api/v1/offers", json={**steam_offer(enterprise), "title": "unsigned"}), 403)

    listed = client.get("/api/v1/offers", headers=signed()).get_json()
    assert all(item["title"] != "unsigned" for item in listed["items"])


# --- bad bodies ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "method, path",
    [
        ("post", "/api/v1/parks"),
        ("post", "/api/v1/enterprises"),
        ("post", "/api/v1/offers"),
        ("post", "/api/v1/wants"),
        ("patch", "/api/v1/offers/some-id"),
    ],
)
@pytest.mark.parametrize(
    ("raw", "reason"),
    [('{"name": ', "not valid JSON"), ("not json at all", "not valid JSON"), (b"\xff\xfe{", "not UTF-8")],
    ids=["truncated", "text", "binary"],
)
def test_a_malformed_json_body_gets_400_problem_json_naming_the_reason(client, method, path, raw, reason):
    response = getattr(client, method)(path, data=raw, content_type="application/json", headers=signed())

    body = problem(response, 400)
    assert list(body["errors"]) == ["body"]
    assert body["errors"]["body"][0].startswith(reason)


@pytest.mark.parametrize("raw", ["[1, 2]", '"a string"', "42", "null"])
def test_json_that_is_not_an_object_gets_a_4xx_problem(client, raw):
    response = client.post("/api/v1/parks", data=raw, content_type="application/json", headers=signed())

    assert 400 <= response.status_code < 500
    assert response.mimetype == PROBLEM_JSON


@pytest.mark.parametrize("path", ["/api/v1/parks", "/api/v1/offers", "/api/v1/enterprises"])
def test_an_oversized_body_gets_413_problem_json(client, path):
    raw = '{"name": "' + "x" * (MAX_BODY_BYTES + 1) + '"}'

    response = client.post(path, data=raw, content_type="application/json", headers=signed())

    problem(response, 413)


def test_a_body_just_under_the_limit_is_read_and_judged_on_its_fields(client):
    raw = '{"name": "' + "x" * (MAX_BODY_BYTES - 100) + '"}'

    body = problem(client.post("/api/v1/parks", data=raw, content_type="application/json", headers=signed()), 422)

    assert "name" in body["errors"] and "province" in body["errors"]


# --- field errors name the field -------------------------------------------------------


def test_a_schema_error_names_the_nested_field(client, enterprise):
    offer = steam_offer(enterprise, temperature_c="hot")

    body = problem(client.post("/api/v1/offers", json=offer, headers=signed()), 422)

    assert list(body["errors"]) == ["heat.temperature_c"]


def test_a_domain_rule_names_the_nested_field(client, enterprise):
    body = problem(
        client.post("/api/v1/offers", json=steam_offer(enterprise, temperature_c=150.0), headers=signed()), 422
    )

    assert list(body["errors"]) == ["heat.temperature_c"]
    assert "saturation" in body["errors"]["heat.temperature_c"][0]


def test_a_point_without_a_radius_is_refused_naming_the_missing_argument(client):
    body = problem(client.get("/api/v1/offers?lat=31.6&lon=121.1", headers=signed()), 422)

    assert list(body["errors"]) == ["radius_km"]


def test_a_valid_steam_offer_is_published_and_found_again(client, enterprise):
    created = client.post("/api/v1/offers", json=steam_offer(enterprise, temperature_c=186.0), headers=signed())
    assert created.status_code == 201, created.get_data(as_text=True)
    offer = created.get_json()

    found = client.get("/api/v1/offers?lat=31.62&lon=121.15&radius_km=20&kind=heat", headers=signed()).get_json()

    assert offer["id"] in [item["id"] for item in found["items"]]
    assert offer["status"] == "active" and offer["version"] == 1


def test_pausing_twice_is_a_409_problem(client, enterprise):
    offer = client.post("/api/v1/offers", json=steam_offer(enterprise), headers=signed()).get_json()
    assert client.post(f"/api/v1/offers/{offer['id']}/pause", headers=signed()).status_code == 200

    body = problem(client.post(f"/api/v1/offers/{offer['id']}/pause", headers=signed()), 409)

    assert "paused" in body["detail"]


def test_searching_by_a_code_typed_without_hyphens_finds_the_offer(client, enterprise):
    created = client.post(
        "/api/v1/offers",
        headers=signed(),
        json={
            "enterprise_id": enterprise["id"],
            "kind": "material",
            "title": "Waste oil",
            "max_distance_km": 100,
            "material": {"waste_code": "90024908", "quantity": {"amount": 3, "unit": "t", "recurrence": "per_month"}},
        },
    )
    assert created.status_code == 201, created.get_data(as_text=True)
    assert created.get_json()["material"]["waste_code"] == "900-249-08"

    found = client.get("/api/v1/offers?code=90024908", headers=signed()).get_json()

    assert created.get_json()["id"] in [item["id"] for item in found["items"]]


def test_searching_by_a_malformed_code_is_a_422_naming_code(client):
    body = problem(client.get("/api/v1/offers?code=not-a-code", headers=signed()), 422)

    assert list(body["errors"]) == ["code"]
