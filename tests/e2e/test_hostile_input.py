"""Hostile bodies sent to every write endpoint of the gateway's OpenAPI document: nested far too deep,
huge or non-finite numbers, keys given twice, invalid UTF-8, overlong strings, the wrong content type.

Hypothesis builds each body from a valid one for its endpoint (so one bad part is all that is wrong)
and sends it as an admin, who may call every endpoint. Every answer is a 4xx problem+json, and
nothing changes: the totals and the resources the endpoints act on read the same before and after."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.common.json_body import MAX_DEPTH

from .conftest import PARK, credit_code, steam_offer
from .test_authorisation import steam_want

PROBLEM = "application/problem+json"
WRITE_METHODS = ("post", "put", "patch", "delete")
SENTINEL = "@@hostile@@"
UNKNOWN = "00000000-0000-4000-8000-000000000000"  # an id nothing has: the body is refused before it matters


@pytest.fixture(scope="module")
def targets(system, admin, world):
    """One of each resource a write endpoint acts on, and a valid body for each endpoint."""
    offer = world.a1.api.post("offers", steam_offer(title="Hostile input target")).json()["id"]
    want = world.a2.api.post("wants", steam_want()).json()["id"]
    exchange = world.a1.api.post(
        "exchanges",
        {
            "offer_id": offer,
            "receiver_enterprise_id": world.a2.enterprise_id,
            "agreed_amount": "10",
            "agreed_unit": "GJ",
        },
    ).json()["id"]
    subscription = world.a1.api.post("webhooks", {"url": "http://127.0.0.1:9/hooks/hostile"}).json()["id"]
    key = admin.post("keys", {"role": "park_manager", "label": "hostile target", "park_id": world.park_a}).json()["id"]
    ids = {
        "park_id": world.park_a,
        "enterprise_id": world.a1.enterprise_id,
        "exchange_id": exchange,
        "subscription_id": subscription,
        "key_id": key,
        "period": "2026-2030",  # an implementation plan's
        "year": str(date.today().year),  # a submission's
        "version": "1",
    }
    bodies = {
        "POST /api/v1/parks": PARK,
        "PUT /api/v1/parks/{park_id}/baselines": PARK["baselines"][0],
        "POST /api/v1/enterprises": {
            "park_id": world.park_a,
            "name": "Hostile Input Co",
            "credit_code": credit_code(778001),
            "industry_code": "C2614",
            "location": {"lat": 34.6, "lon": 119.6},
            "contact": {"name": "EHS", "email": "ehs@example.cn"},
        },
        "PATCH /api/v1/enterprises/{enterprise_id}": {"name": "Renamed", "location": {"lat": 34.7, "lon": 119.7}},
        "POST /api/v1/offers": {**steam_offer(), "enterprise_id": world.a1.enterprise_id},
        "PATCH /api/v1/offers/{listing_id}": {"title": "Renamed", "heat": {"temperature_c": 260}},
        "POST /api/v1/wants": {**steam_want(), "enterprise_id": world.a2.enterprise_id},
        "PATCH /api/v1/wants/{listing_id}": {"title": "Renamed", "max_distance_km": 12},
        "POST /api/v1/exchanges": {
            "offer_id": offer,
            "want_id": want,
            "agreed_amount": "5",
            "agreed_unit": "GJ",
            "on_behalf_of": world.a1.enterprise_id,
        },
        "POST /api/v1/exchanges/{exchange_id}/deliveries": {
            "delivered_on": date.today().isoformat(),
            "amount": "1",
            "unit": "GJ",
            "evidence": {"meter_reading": "FT-301 0000001 GJ"},
        },
        "POST /api/v1/webhooks": {
            "url": "http://127.0.0.1:9/hooks/other",
            "min_score": 0.7,
            "enterprise_id": world.a1.enterprise_id,
        },
        "POST /api/v1/ledger/corrections": {"corrects": 0, "reason": "hostile input"},
        "POST /api/v1/keys": {"role": "enterprise", "label": "hostile", "park_id": world.park_a},
        "PUT /api/v1/parks/{park_id}/implementation-plans/{period}": {
            "targets": [{"indicator": "co2_reduced_t", "unit": "t", "baseline_year": 2025, "target": "100"}],
            "projects": [{"name": "蒸汽管网", "investment_10k_cny": "800", "status": "planned"}],
        },
        "PUT /api/v1/parks/{park_id}/submissions/{year}/{version}": {
            "sections": {"progress": "进展", "results": "成效", "experience": "经验", "difficulties": "困难"},
            "attached_figures": [{"name": "SO2", "value": "1.5", "unit": "t"}],
        },
    }
    return ids, {"offers": offer, "wants": want}, bodies


@pytest.fixture(scope="module")
def write_operations(system, admin, targets):
    """(method, url path, template, valid body) of every write operation the document lists."""
    ids, listings, bodies = targets
    document = admin.session.get(f"{system.url}/openapi.json", timeout=30).json()
    operations = []
    for template, methods in document["paths"].items():
        # offers/{listing_id} is the offer, wants/{listing_id} the want; other ids by their name
        named = {**ids, "listing_id": listings.get(template.split("/")[3], UNKNOWN)}
        path = re.sub(r"{(\w+)}", lambda m, named=named: named.get(m[1], UNKNOWN), template)
        for method in methods:
            if method not in WRITE_METHODS:
                continue
            key = f"{method.upper()} {template}"
            operations.append((method.upper(), path.removeprefix("/api/v1/"), key, bodies.get(key, {})))
    assert len(operations) >= 25  # parks, enterprises, listings, exchanges, webhooks, plans, ledger, keys
    return operations


def snapshot(admin, targets) -> dict:
    """What the API shows of everything a write could change."""
    ids, listings, _ = targets
    totals = {
        path: admin.get(path, params={"page_size": 1}).json()["total"]
        for path in ("enterprises", "offers", "wants", "exchanges", "keys", "ledger/entries")
    }
    return {
        **totals,
        "parks": admin.get("parks").json(),
        "webhooks": admin.get("webhooks").json(),
        "plans": admin.get(f"parks/{ids['park_id']}/plans").json(),
        "implementation plans": admin.get(f"parks/{ids['park_id']}/implementation-plans").json(),
        "submissions": admin.get(f"parks/{ids['park_id']}/submissions/{ids['year']}").json(),
        "park": admin.get(f"parks/{ids['park_id']}").json(),
        "enterprise": admin.get(f"enterprises/{ids['enterprise_id']}").json(),
        "offer": admin.get(f"offers/{listings['offers']}").json(),
        "want": admin.get(f"wants/{listings['wants']}").json(),
        "exchange": admin.get(f"exchanges/{ids['exchange_id']}").json(),
        "deliveries": admin.get(f"exchanges/{ids['exchange_id']}/deliveries").json(),
        "subscription": admin.get(f"webhooks/{ids['subscription_id']}").json(),
    }


def leaves(value, path=()):
    """Paths to the scalars of a JSON value."""
    if isinstance(value, dict):
        return [p for key, item in value.items() for p in leaves(item, (*path, key))]
    if isinstance(value, list):
        return [p for index, item in enumerate(value) for p in leaves(item, (*path, index))]
    return [path]


def replaced(body, path, value):
    """A copy of `body` with the scalar at `path` replaced (or a field `note` added to an empty body)."""
    if not path:
        return {**body, "note": value} if isinstance(body, dict) else value
    copy = json.loads(json.dumps(body))
    target = copy
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    return copy


def with_raw(body, path, fragment: bytes) -> bytes:
    """`body` as JSON bytes, with the raw bytes `fragment` where the scalar at `path` was."""
    text = json.dumps(replaced(body, path, SENTINEL), ensure_ascii=False).encode()
    return text.replace(json.dumps(SENTINEL).encode(), fragment, 1)


def deep(depth: int, objects: bool) -> bytes:
    return (b'{"a":' * depth + b"1" + b"}" * depth) if objects else (b"[" * depth + b"]" * depth)


INVALID_UTF8 = st.binary(min_size=1, max_size=12).filter(lambda b: not _decodes(b))


def _decodes(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


@st.composite
def hostile_requests(draw, operations):
    """(method, path, content type, body bytes, what is wrong, the status it must get or None for any 4xx)."""
    method, path, _, body = draw(st.sampled_from(operations))
    where = draw(st.sampled_from(leaves(body) or [()]))
    kind = draw(
        st.sampled_from(["deep", "non-finite", "duplicate key", "invalid utf-8", "overlong", "huge", "content type"])
    )
    if kind == "deep":
        raw = with_raw(body, where, deep(draw(st.integers(MAX_DEPTH + 1, 5000)), draw(st.booleans())))
        return method, path, "application/json", raw, kind, 400
    if kind == "non-finite":
        literal = draw(st.sampled_from(["NaN", "Infinity", "-Infinity"]) | st.integers(309, 100_000).map("1e{}".format))
        return method, path, "application/json", with_raw(body, where, literal.encode()), kind, 400
    if kind == "duplicate key":
        first = draw(st.sampled_from(list(body) or ["note"]))
        text = json.dumps(body or {"note": 1})
        twice = f"{text[:-1]}, {json.dumps(first)}: {json.dumps(draw(st.integers() | st.text(max_size=5)))}}}"
        return method, path, "application/json", twice.encode(), kind, 400
    if kind == "invalid utf-8":
        raw = with_raw(body, where, b'"' + draw(INVALID_UTF8) + b'"')
        return method, path, "application/json", raw, kind, 400
    if kind == "overlong":
        text = draw(st.sampled_from(["x", "蒸", "\U0001f525"])) * draw(st.integers(20_000, 300_000))
        return method, path, "application/json", json.dumps(replaced(body, where, text)).encode(), kind, None
    if kind == "huge":
        number = draw(st.integers(16, 4000).map(lambda digits: 10**digits) | st.floats(1e16, 1e308))
        number = -number if draw(st.booleans()) else number
        return method, path, "application/json", json.dumps(replaced(body, where, number)).encode(), kind, None
    content_type = draw(
        st.sampled_from(
            ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/xml"]
        )
    )
    return method, path, content_type, json.dumps(body).encode(), kind, 415


def test_every_valid_body_the_examples_start_from_belongs_to_a_documented_write_endpoint(targets, write_operations):
    _, _, bodies = targets
    assert set(bodies) <= {key for _, _, key, _ in write_operations}


def test_hostile_bodies_to_every_write_endpoint_get_a_4xx_problem_and_change_nothing(admin, targets, write_operations):
    before = snapshot(admin, targets)

    @settings(
        max_examples=120,
        deadline=None,
        derandomize=True,  # the same examples every run: a failure here is reproducible, never flaky
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(hostile_requests(write_operations))
    def sent(request):
        method, path, content_type, raw, kind, status = request
        response = admin.session.request(
            method, f"{admin.url}/api/v1/{path}", data=raw, headers={"Content-Type": content_type}, timeout=60
        )
        what = f"{kind} to {method} {path}: {response.status_code} {response.text[:300]}"
        assert 400 <= response.status_code < 500, what
        assert status is None or response.status_code == status, what
        assert response.headers["Content-Type"] == PROBLEM, what
        assert response.json()["status"] == response.status_code, what

    sent()
    assert snapshot(admin, targets) == before
