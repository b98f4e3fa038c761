"""Enterprises' 点对点 directed-utilisation approvals through the listings app with a real
SQLite file: they are registered, changed and read back like licences, private like them,
carried on the enterprise events, and refused (422, naming the field) when the supplier is
not a registered enterprise or is the enterprise itself."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from helpers.listings_app import listings_settings, ok, problem

from services.common.db import create_engine
from services.common.events import Event
from services.common.identity import Principal, Role, sign_principal
from services.listings.adapters.tables import outbox
from services.listings.app import create_app
from services.listings.domain.reference import credit_code as gb32100

SECRET = "enterprises-internal-secret"
ADMIN = Principal(Role.ADMIN, "admin-key")
HAZARDOUS = "900-249-08"


@pytest.fixture(scope="module")
def settings(tmp_path_factory):
    return listings_settings(tmp_path_factory.mktemp("enterprises-app"), SECRET)


@pytest.fixture(scope="module")
def client(settings):
    return create_app(settings).test_client()


_numbers = iter(range(1, 1000))


def register(client, park_id: str, name: str, **fields):
    body = f"MA{next(_numbers):06d}"
    return client.post(
        "/api/v1/enterprises",
        headers=sign_principal(ADMIN, SECRET),
        json={
            "park_id": park_id,
            "name": name,
            "credit_code": gb32100.company_credit_code("320500", body),
            "industry_code": "C2614",
            "location": {"lat": 31.6, "lon": 121.1},
            **fields,
        },
    )


def approval(supplier_id: str, **overrides) -> dict:
    return {
        "number": "苏环危豁〔2026〕7号",
        "authority": "江苏省生态环境厅",
        "supplier_enterprise_id": supplier_id,
        "codes": ["90024908"],
        "valid_from": "2026-01-01",
        "valid_until": "2027-12-31",
        "capacity_t_per_year": 1200,
        **overrides,
    }


@pytest.fixture(scope="module")
def world(client):
    parks = {
        name: ok(
            client.post(
                "/api/v1/parks",
                headers=sign_principal(ADMIN, SECRET),
                json={
                    "name": f"Park {name}",
                    "province": "Jiangsu",
                    "level": "national",
                    "park_type": "chemical_park",
                    "centroid": {"lat": 31.6, "lon": 121.1},
                },
            ),
            201,
        )["id"]
        for name in "AB"
    }
    supplier = ok(register(client, parks["A"], "Supplier Co."), 201)
    other = ok(register(client, parks["B"], "Neighbour Co."), 201)
    return {"parks": parks, "supplier": supplier, "other": other}


def as_(principal: Principal) -> dict:
    return sign_principal(principal, SECRET)


def key_of(enterprise: dict) -> Principal:
    return Principal(
        Role.ENTERPRISE, f"k-{enterprise['id']}", park_id=enterprise["park_id"], enterprise_id=enterprise["id"]
    )


def enterprise_events(settings, enterprise_id: str) -> list[Event]:
    engine = create_engine(settings.database_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(sa.select(outbox.c.event).order_by(outbox.c.seq)).scalars().all()
    finally:
        engine.dispose()
    return [event for event in map(Event.from_json, rows) if event.key == enterprise_id]


def test_approvals_are_registered_read_back_and_carried_on_the_event(client, world, settings):
    created = ok(
        register(client, world["parks"]["B"], "Receiver Co.", approvals=[approval(world["supplier"]["id"])]), 201
    )

    expected = [
        {
            "number": "苏环危豁〔2026〕7号",
            "authority": "江苏省生态环境厅",
            "supplier_enterprise_id": world["supplier"]["id"],
            "codes": [HAZARDOUS],
            "valid_from": "2026-01-01",
            "valid_until": "2027-12-31",
            "capacity_t_per_year": 1200.0,
        }
    ]
    assert created["approvals"] == expected
    assert ok(client.get(f"/api/v1/enterprises/{created['id']}", headers=as_(key_of(created))))["approvals"] == expected
    (event,) = enterprise_events(settings, created["id"])
    assert event.type == "EnterpriseRegistered" and event.payload["approvals"] == expected


def test_an_enterprise_without_approvals_reads_back_an_empty_list(client, world):
    assert ok(client.get(f"/api/v1/enterprises/{world['other']['id']}", headers=as_(ADMIN)))["approvals"] == []


def test_an_enterprise_replaces_its_approvals_with_a_patch_and_the_update_is_published(client, world, settings):
    created = ok(register(client, world["parks"]["B"], "Patcher Co."), 201)

    patched = ok(
        client.patch(
            f"/api/v1/enterprises/{created['id']}",
            headers=as_(key_of(created)),
            json={"approvals": [approval(world["supplier"]["id"], codes=["900-218-08"], capacity_t_per_year=None)]},
        )
    )

    assert [(a["codes"], a["capacity_t_per_year"]) for a in patched["approvals"]] == [(["900-218-08"], None)]
    stored = ok(client.get(f"/api/v1/enterprises/{created['id']}", headers=as_(ADMIN)))
    assert stored["approvals"] == patched["approvals"]
    assert enterprise_events(settings, created["id"])[-1].payload["approvals"] == patched["approvals"]
    cleared = ok(client.patch(f"/api/v1/enterprises/{created['id']}", headers=as_(ADMIN), json={"approvals": []}))
    assert cleared["approvals"] == []


@pytest.mark.parametrize(
    "who, sees",
    [
        ("itself", True),
        ("admin", True),
        ("manager-of-its-park", True),
        ("another-enterprise", False),
        ("the-approved-supplier", False),
    ],
)
def test_approvals_are_private_as_licences_are(client, world, who, sees):
    receiver = ok(
        register(client, world["parks"]["B"], f"Private {who}", approvals=[approval(world["supplier"]["id"])]), 201
    )
    principal = {
        "itself": key_of(receiver),
        "admin": ADMIN,
        "manager-of-its-park": Principal(Role.PARK_MANAGER, "k-pm-B", park_id=world["parks"]["B"]),
        "another-enterprise": key_of(world["other"]),
        "the-approved-supplier": key_of(world["supplier"]),
    }[who]

    one = ok(client.get(f"/api/v1/enterprises/{receiver['id']}", headers=as_(principal)))
    page = ok(client.get("/api/v1/enterprises", headers=as_(principal), query_string={"limit": 100}))
    listed = [e for e in page["items"] if e["id"] == receiver["id"]]

    assert ("approvals" in one) is sees and ("licences" in one) is sees
    assert listed and ("approvals" in listed[0]) is sees


def test_an_approval_naming_an_unregistered_supplier_is_a_422_and_nothing_is_registered(client, world):
    before = ok(client.get("/api/v1/enterprises", headers=as_(ADMIN), query_string={"limit": 100}))["total"]

    body = problem(
        register(
            client,
            world["parks"]["B"],
            "Orphan Co.",
            approvals=[approval(world["supplier"]["id"]), approval("no-such-enterprise")],
        ),
        422,
    )

    assert body["errors"] == {"approvals.1.supplier_enterprise_id": ["no enterprise no-such-enterprise"]}
    assert ok(client.get("/api/v1/enterprises", headers=as_(ADMIN), query_string={"limit": 100}))["total"] == before


def test_an_unknown_supplier_is_named_together_with_the_other_bad_fields(client, world):
    body = problem(
        register(client, world["parks"]["B"], " ", approvals=[approval("no-such-enterprise", codes=["441-001-S02"])]),
        422,
    )

    assert set(body["errors"]) == {"name", "approvals.0.codes.0", "approvals.0.supplier_enterprise_id"}


def test_a_patch_naming_an_unregistered_supplier_is_a_422_and_changes_nothing(client, world):
    created = ok(
        register(client, world["parks"]["B"], "Careful Co.", approvals=[approval(world["supplier"]["id"])]), 201
    )

    body = problem(
        client.patch(
            f"/api/v1/enterprises/{created['id']}",
            headers=as_(key_of(created)),
            json={"name": "Renamed", "approvals": [approval("no-such-enterprise")]},
        ),
        422,
    )

    assert list(body["errors"]) == ["approvals.0.supplier_enterprise_id"]
    assert ok(client.get(f"/api/v1/enterprises/{created['id']}", headers=as_(ADMIN))) == created


def test_an_enterprise_cannot_approve_itself_as_its_own_supplier(client, world):
    created = ok(register(client, world["parks"]["B"], "Selfish Co."), 201)

    body = problem(
        client.patch(
            f"/api/v1/enterprises/{created['id']}", headers=as_(ADMIN), json={"approvals": [approval(created["id"])]}
        ),
        422,
    )

    assert list(body["errors"]) == ["approvals.0.supplier_enterprise_id"]
    assert "itself" in body["errors"]["approvals.0.supplier_enterprise_id"][0]


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"number": ""}, "approvals.0.number"),
        ({"authority": None}, "approvals.0.authority"),
        ({"codes": []}, "approvals.0.codes"),
        ({"codes": ["441-001-S02"]}, "approvals.0.codes.0"),
        ({"valid_until": "2025-12-31"}, "approvals.0.valid_until"),
        ({"capacity_t_per_year": 0}, "approvals.0.capacity_t_per_year"),
        ({"valid_from": "yesterday"}, "approvals.0.valid_from"),
    ],
)
def test_a_bad_approval_is_a_422_naming_the_field(client, world, changes, field):
    body = problem(
        register(
            client, world["parks"]["B"], "Bad Approval Co.", approvals=[approval(world["supplier"]["id"], **changes)]
        ),
        422,
    )

    assert list(body["errors"]) == [field]
