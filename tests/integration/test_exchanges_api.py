"""Exchanges through the listings app with a real SQLite file and signed principals: a
hazardous-waste exchange from proposal to completion leaves exactly one ExchangeCompleted
on exchanges.v1 (and the relay publishes it there); the parties act, park managers read,
everyone else gets 404; refusals are problem+json naming the state or the field."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from helpers.listings_app import listings_settings, ok, problem

from services.common.bus.sqlite_log import SqliteEventLog
from services.common.contracts import ExchangeCompletedPayload, check_exchange_completed
from services.common.db import create_engine
from services.common.events import EXCHANGES_TOPIC, LISTINGS_TOPIC, Event
from services.common.identity import Principal, Role, sign_principal
from services.listings.adapters.tables import outbox
from services.listings.app import create_app
from services.listings.domain.reference import credit_code as gb32100
from services.listings.worker import outbox_relay

SECRET = "exchanges-internal-secret"
ADMIN = Principal(Role.ADMIN, "admin-key")
HAZARDOUS = "900-249-08"
TODAY = date.today().isoformat()


@pytest.fixture(scope="module")
def settings(tmp_path_factory):
    return listings_settings(tmp_path_factory.mktemp("exchanges-app"), SECRET)


@pytest.fixture(scope="module")
def client(settings):
    return create_app(settings).test_client()


def signed(principal: Principal = ADMIN) -> dict:
    return sign_principal(principal, SECRET)


def credit_code(n: int) -> str:
    body = f"MA{n:06d}"
    return gb32100.company_credit_code("320500", body)


@pytest.fixture(scope="module")
def world(client):
    """Two parks; a supplier and a stranger in A; a licensed receiver, an unlicensed one and one
    holding only a directed-utilisation approval to receive from the supplier in B; a key for
    each and for each park's manager."""
    parks = {
        name: ok(
            client.post(
                "/api/v1/parks",
                headers=signed(),
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
        for name in "ABC"
    }
    licence = {
        "number": "JS3205000001",
        "codes": [HAZARDOUS],
        "capacity_t_per_year": 5000,
        "valid_from": "2020-01-01",
        "valid_until": "2099-12-31",
    }
    companies = {}
    for n, (name, park, licences) in enumerate(
        [("supplier", "A", []), ("stranger", "A", []), ("receiver", "B", [licence]), ("unlicensed", "B", [])], start=1
    ):
        companies[name] = ok(
            client.post(
                "/api/v1/enterprises",
                headers=signed(),
                json={
                    "park_id": parks[park],
                    "name": f"{name.title()} Co.",
                    "credit_code": credit_code(n),
                    "industry_code": "C2614",
                    "location": {"lat": 31.6, "lon": 121.1},
                    "licences": licences,
                },
            ),
            201,
        )
    companies["approved"] = ok(
        client.post(
            "/api/v1/enterprises",
            headers=signed(),
            json={
                "park_id": parks["B"],
                "name": "Approved Co.",
                "credit_code": credit_code(5),
                "industry_code": "C2614",
                "location": {"lat": 31.6, "lon": 121.1},
                "approvals": [
                    {
                        "number": "苏环危豁〔2026〕7号",
                        "authority": "江苏省生态环境厅",
                        "codes": [HAZARDOUS],
                        "supplier_enterprise_id": companies["supplier"]["id"],
                        "valid_from": "2020-01-01",
                        "valid_until": "2099-12-31",
                    }
                ],
            },
        ),
        201,
    )
    keys = {
        name: Principal(Role.ENTERPRISE, f"k-{name}", park_id=e["park_id"], enterprise_id=e["id"])
        for name, e in companies.items()
    }
    keys.update({f"manager-of-{p}": Principal(Role.PARK_MANAGER, f"k-pm-{p}", park_id=parks[p]) for p in parks})
    return {"parks": parks, "companies": companies, "keys": keys}


def as_(world, who: str) -> dict:
    return signed(world["keys"][who]) if who != "admin" else signed()


def publish(client, world, side: str, owner: str, kind: str = "material", code: str = HAZARDOUS) -> dict:
    spec = {
        "material": {
            "quantity": {"amount": 10, "unit": "t", "recurrence": "per_month"},
            **({"waste_code": code} if side == "offer" else {"waste_codes": [code]}),
        },
        "heat": {
            "medium": "hot_water",
            "temperature_c": 95.0,
            "thermal_power_mw": 2.0,
            "hours_per_day": 24,
            "days_per_year": 330,
        },
        "water": {"reuse_category": "washing", "flow_m3_per_day": 500.0},
    }[kind]
    return ok(
        client.post(
            f"/api/v1/{side}s",
            headers=as_(world, owner),
            json={"kind": kind, "title": f"{kind} {side}", "max_distance_km": 200, kind: spec},
        ),
        201,
    )


@pytest.fixture
def offer(client, world):
    return publish(client, world, "offer", "supplier")


@pytest.fixture
def want(client, world):
    return publish(client, world, "want", "receiver")


@pytest.fixture
def proposed(client, world, offer, want):
    """A hazardous-waste exchange the supplier proposed to the licensed receiver."""
    return ok(
        client.post(
            "/api/v1/exchanges",
            headers=as_(world, "supplier"),
            json={
                "offer_id": offer["id"],
                "want_id": want["id"],
                "agreed_amount": "25.5",
                "agreed_unit": "t",
                "price_cny_per_unit": "-800.00",
                "note": "monthly pickup",
            },
        ),
        201,
    )


@pytest.fixture
def accepted(client, world, proposed):
    return ok(client.post(f"/api/v1/exchanges/{proposed['id']}/accept", headers=as_(world, "receiver")))


def delivery(amount: str = "12.25", **overrides) -> dict:
    return {
        "delivered_on": TODAY,
        "amount": amount,
        "unit": "t",
        "evidence": {"weighbridge_ticket": "WB-1", "manifest_number": "3205202605200001"},
        "substitution": {"substitutes": "virgin_material", "material": "base oil"},
        **overrides,
    }


def outbox_events(settings, exchange_id: str) -> list[tuple[str, Event]]:
    engine = create_engine(settings.database_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(sa.select(outbox.c.topic, outbox.c.event).order_by(outbox.c.seq)).all()
    finally:
        engine.dispose()
    events = [(row.topic, Event.from_json(row.event)) for row in rows]
    return [(topic, event) for topic, event in events if event.key == exchange_id]


# --- the happy path --------------------------------------------------------------------


def test_a_hazardous_exchange_goes_from_proposal_to_completion(client, world, settings, proposed):
    exchange_id = proposed["id"]
    assert proposed["status"] == "proposed" and proposed["hazardous"] is True
    assert (proposed["agreed_amount"], proposed["price_cny_per_unit"]) == ("25.5", "-800")
    assert proposed["supplier"]["enterprise_id"] == world["companies"]["supplier"]["id"]

    accepted = ok(client.post(f"/api/v1/exchanges/{exchange_id}/accept", headers=as_(world, "receiver")))
    first = ok(
        client.post(
            f"/api/v1/exchanges/{exchange_id}/deliveries", headers=as_(world, "supplier"), json=delivery("12.250")
        ),
        201,
    )
    second = ok(
        client.post(
            f"/api/v1/exchanges/{exchange_id}/deliveries",
            headers=as_(world, "receiver"),
            json=delivery("13.25", evidence={"weighbridge_ticket": "WB-2", "manifest_number": "M-2"}),
        ),
        201,
    )
    delivering = ok(client.get(f"/api/v1/exchanges/{exchange_id}", headers=as_(world, "supplier")))
    completed = ok(client.post(f"/api/v1/exchanges/{exchange_id}/complete", headers=as_(world, "receiver")))

    assert accepted["status"] == "accepted" and accepted["accepted_on"] == TODAY
    assert first["amount"] == "12.25" and first["recorded_by"] == world["companies"]["supplier"]["id"]
    assert delivering["status"] == "delivering" and delivering["delivered_amount"] == "25.5"
    assert completed["status"] == "completed" and completed["completed_at"]
    listed = ok(client.get(f"/api/v1/exchanges/{exchange_id}/deliveries", headers=as_(world, "receiver")))
    assert [d["id"] for d in listed["items"]] == [first["id"], second["id"]] and listed["total"] == 2


def test_the_outbox_holds_exchange_completed_once_on_exchanges_v1(client, world, settings, accepted):
    exchange_id = accepted["id"]
    ok(
        client.post(
            f"/api/v1/exchanges/{exchange_id}/deliveries", headers=as_(world, "supplier"), json=delivery("25.5")
        ),
        201,
    )
    ok(client.post(f"/api/v1/exchanges/{exchange_id}/complete", headers=as_(world, "supplier")))
    problem(client.post(f"/api/v1/exchanges/{exchange_id}/complete", headers=as_(world, "supplier")), 409)

    events = outbox_events(settings, exchange_id)

    assert [(t, e.type) for t, e in events] == [
        (EXCHANGES_TOPIC, "ExchangeProposed"),
        (EXCHANGES_TOPIC, "ExchangeAccepted"),
        (EXCHANGES_TOPIC, "ExchangeDeliveryRecorded"),
        (EXCHANGES_TOPIC, "ExchangeCompleted"),
    ]
    payload = events[-1][1].payload  # as the ledger receives it: read back from JSON
    assert check_exchange_completed(payload) and set(payload) == set(ExchangeCompletedPayload.__annotations__)
    assert payload["exchange_id"] == exchange_id and payload["agreed_amount"] == "25.5"
    assert payload["receiver"] == {
        "enterprise_id": world["companies"]["receiver"]["id"],
        "park_id": world["parks"]["B"],
    }
    (only,) = payload["deliveries"]
    assert (only["amount"], only["unit"], only["evidence"]["manifest_number"]) == ("25.5", "t", "3205202605200001")


def test_the_relay_publishes_exchange_events_on_exchanges_v1(client, world, settings, accepted):
    exchange_id = accepted["id"]
    relay = outbox_relay(settings)
    assert relay.topics == [LISTINGS_TOPIC, EXCHANGES_TOPIC]
    relay.bus.ensure_topics(relay.topics)
    while relay.relay_once():
        pass
    relay.bus.close()
    relay.engine.dispose()
    log = SqliteEventLog(settings.data_dir / "events.db")
    try:
        with log.consumer(f"test-{exchange_id}", [EXCHANGES_TOPIC]) as consumer:
            found = []
            while batch := consumer.poll(timeout_s=0):
                found.extend(d.event for d in batch)
    finally:
        log.close()

    assert [e.type for e in found if e.key == exchange_id] == ["ExchangeProposed", "ExchangeAccepted"]
    assert all(e.type.startswith("Exchange") for e in found)


def test_heat_to_a_receiver_without_a_want_is_metered_in_gj_or_mwh(client, world):
    heat = publish(client, world, "offer", "supplier", kind="heat")
    exchange = ok(
        client.post(
            "/api/v1/exchanges",
            headers=as_(world, "receiver"),
            json={
                "offer_id": heat["id"],
                "receiver_enterprise_id": world["companies"]["receiver"]["id"],
                "agreed_amount": "36",
                "agreed_unit": "GJ",
            },
        ),
        201,
    )
    ok(client.post(f"/api/v1/exchanges/{exchange['id']}/accept", headers=as_(world, "supplier")))

    recorded = ok(
        client.post(
            f"/api/v1/exchanges/{exchange['id']}/deliveries",
            headers=as_(world, "supplier"),
            json={
                "delivered_on": TODAY,
                "amount": "10",
                "unit": "MWh",
                "evidence": {"period": "2026-05"},
                "substitution": {"substitutes": "boiler_heat", "fuel": "natural_gas", "boiler_efficiency": "0.9"},
            },
        ),
        201,
    )

    assert recorded["substitution"] == {"substitutes": "boiler_heat", "fuel": "natural_gas", "boiler_efficiency": "0.9"}
    assert (
        ok(client.get(f"/api/v1/exchanges/{exchange['id']}", headers=as_(world, "supplier")))["delivered_amount"]
        == "36"
    )


# --- who sees and acts -----------------------------------------------------------------


@pytest.mark.parametrize(
    "who, status",
    [
        ("admin", 200),
        ("supplier", 200),
        ("receiver", 200),
        ("stranger", 404),
        ("unlicensed", 404),
        ("manager-of-A", 200),
        ("manager-of-B", 200),
        ("manager-of-C", 404),
    ],
)
def test_who_reads_an_exchange(client, world, proposed, who, status):
    response = client.get(f"/api/v1/exchanges/{proposed['id']}", headers=as_(world, who))

    assert response.status_code == status
    listed = ok(client.get("/api/v1/exchanges?page_size=200", headers=as_(world, who)))
    assert (proposed["id"] in [e["id"] for e in listed["items"]]) is (status == 200)


@pytest.mark.parametrize(
    "who, status",
    [("stranger", 404), ("manager-of-C", 404), ("manager-of-A", 403), ("manager-of-B", 403), ("supplier", 403)],
)
@pytest.mark.parametrize("action", ["accept", "decline"])
def test_only_the_counterparty_accepts_or_declines(client, world, proposed, who, status, action):
    problem(client.post(f"/api/v1/exchanges/{proposed['id']}/{action}", headers=as_(world, who)), status)

    assert ok(client.get(f"/api/v1/exchanges/{proposed['id']}", headers=signed()))["status"] == "proposed"


def test_a_park_manager_cannot_record_deliveries_and_a_stranger_cannot_see_them(client, world, accepted):
    path = f"/api/v1/exchanges/{accepted['id']}/deliveries"

    problem(client.post(path, headers=as_(world, "manager-of-A"), json=delivery()), 403)
    problem(client.get(path, headers=as_(world, "stranger")), 404)
    problem(client.post(path, headers=as_(world, "stranger"), json=delivery()), 404)
    assert ok(client.get(path, headers=as_(world, "manager-of-B")))["total"] == 0


def test_a_park_manager_cannot_propose(client, world, offer, want):
    problem(
        client.post(
            "/api/v1/exchanges",
            headers=as_(world, "manager-of-A"),
            json={"offer_id": offer["id"], "want_id": want["id"], "agreed_amount": "1", "agreed_unit": "t"},
        ),
        403,
    )


def test_an_enterprise_owning_neither_side_cannot_propose(client, world, offer, want):
    problem(
        client.post(
            "/api/v1/exchanges",
            headers=as_(world, "stranger"),
            json={"offer_id": offer["id"], "want_id": want["id"], "agreed_amount": "1", "agreed_unit": "t"},
        ),
        403,
    )


def test_an_admin_proposes_on_behalf_of_a_side(client, world, offer, want):
    body = {"offer_id": offer["id"], "want_id": want["id"], "agreed_amount": "1", "agreed_unit": "t"}

    assert list(problem(client.post("/api/v1/exchanges", headers=signed(), json=body), 422)["errors"]) == [
        "on_behalf_of"
    ]
    created = ok(
        client.post(
            "/api/v1/exchanges", headers=signed(), json={**body, "on_behalf_of": world["companies"]["receiver"]["id"]}
        ),
        201,
    )
    assert created["proposed_by"] == world["companies"]["receiver"]["id"]


def test_listing_filters_by_status_and_kind_and_pages(client, world, proposed):
    mine = ok(client.get("/api/v1/exchanges?status=proposed&kind=material&page_size=1", headers=as_(world, "receiver")))
    none = ok(client.get("/api/v1/exchanges?kind=water", headers=as_(world, "receiver")))

    assert mine["page_size"] == 1 and len(mine["items"]) == 1 and mine["total"] >= 1
    assert all(e["status"] == "proposed" for e in mine["items"]) and none["total"] == 0
    assert list(problem(client.get("/api/v1/exchanges?status=done", headers=signed()), 422)["errors"]) == ["status"]


def test_an_admin_lists_one_parks_exchanges_and_a_manager_never_sees_beyond_their_own(client, world, proposed):
    in_b = ok(client.get(f"/api/v1/exchanges?park_id={world['parks']['B']}&page_size=200", headers=signed()))
    in_c = ok(client.get(f"/api/v1/exchanges?park_id={world['parks']['C']}", headers=signed()))
    asked_for_c = ok(client.get(f"/api/v1/exchanges?park_id={world['parks']['C']}", headers=as_(world, "manager-of-B")))

    assert proposed["id"] in {e["id"] for e in in_b["items"]}
    assert all(world["parks"]["B"] in (e["supplier"]["park_id"], e["receiver"]["park_id"]) for e in in_b["items"])
    assert in_c["total"] == 0 and asked_for_c["total"] == 0


# --- refusals name the state or the field ------------------------------------------------


def test_accepting_twice_is_a_409_naming_the_state(client, world, accepted):
    body = problem(client.post(f"/api/v1/exchanges/{accepted['id']}/accept", headers=as_(world, "receiver")), 409)

    assert "accepted" in body["detail"]


def test_a_delivery_before_acceptance_is_a_409(client, world, proposed):
    body = problem(
        client.post(f"/api/v1/exchanges/{proposed['id']}/deliveries", headers=as_(world, "supplier"), json=delivery()),
        409,
    )

    assert "proposed" in body["detail"]


def test_completing_without_a_delivery_is_a_409(client, world, accepted):
    problem(client.post(f"/api/v1/exchanges/{accepted['id']}/complete", headers=as_(world, "supplier")), 409)


def test_a_cancelled_exchange_takes_no_more_changes(client, world, accepted):
    ok(client.post(f"/api/v1/exchanges/{accepted['id']}/cancel", headers=as_(world, "supplier")))

    body = problem(client.post(f"/api/v1/exchanges/{accepted['id']}/cancel", headers=as_(world, "receiver")), 409)
    assert "cancelled" in body["detail"]


def test_a_hazardous_waste_to_an_unlicensed_receiver_is_a_422_naming_the_receiver(client, world, offer):
    body = problem(
        client.post(
            "/api/v1/exchanges",
            headers=as_(world, "supplier"),
            json={
                "offer_id": offer["id"],
                "receiver_enterprise_id": world["companies"]["unlicensed"]["id"],
                "agreed_amount": "5",
                "agreed_unit": "t",
            },
        ),
        422,
    )

    assert list(body["errors"]) == ["receiver_enterprise_id"]
    assert "licence" in body["errors"]["receiver_enterprise_id"][0]


def test_a_receiver_approved_to_take_this_suppliers_hazardous_waste_gets_it_without_a_licence(client, world, offer):
    exchange = ok(
        client.post(
            "/api/v1/exchanges",
            headers=as_(world, "supplier"),
            json={
                "offer_id": offer["id"],
                "receiver_enterprise_id": world["companies"]["approved"]["id"],
                "agreed_amount": "5",
                "agreed_unit": "t",
            },
        ),
        201,
    )

    assert exchange["status"] == "proposed" and exchange["waste_code"] == HAZARDOUS


def test_the_approval_does_not_cover_the_same_waste_from_another_supplier(client, world):
    strangers_offer = publish(client, world, "offer", "stranger")

    body = problem(
        client.post(
            "/api/v1/exchanges",
            headers=as_(world, "stranger"),
            json={
                "offer_id": strangers_offer["id"],
                "receiver_enterprise_id": world["companies"]["approved"]["id"],
                "agreed_amount": "5",
                "agreed_unit": "t",
            },
        ),
        422,
    )

    assert list(body["errors"]) == ["receiver_enterprise_id"]
    assert "directed-utilisation approval" in body["errors"]["receiver_enterprise_id"][0]


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"agreed_unit": "m3"}, "agreed_unit"),
        ({"agreed_unit": "kWh"}, "agreed_unit"),
        ({"agreed_amount": "0"}, "agreed_amount"),
        ({"agreed_amount": "1.0000001"}, "agreed_amount"),
        ({"agreed_amount": "lots"}, "agreed_amount"),
        ({"agreed_amount": None}, "agreed_amount"),
        ({"receiver_enterprise_id": "someone"}, "want_id"),
        ({"offer_id": "no-such-offer"}, "offer_id"),
        ({"price_cny_per_unit": "1e20"}, "price_cny_per_unit"),
    ],
)
def test_a_bad_proposal_is_a_422_naming_the_field(client, world, offer, want, changes, field):
    body = {"offer_id": offer["id"], "want_id": want["id"], "agreed_amount": "5", "agreed_unit": "t", **changes}

    errors = problem(client.post("/api/v1/exchanges", headers=as_(world, "supplier"), json=body), 422)["errors"]

    assert field in errors


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"evidence": {"weighbridge_ticket": "WB-1"}}, "evidence.manifest_number"),
        ({"unit": "m3"}, "unit"),
        ({"amount": "-1"}, "amount"),
        ({"amount": "0.0000001"}, "amount"),
        ({"delivered_on": (date.today() + timedelta(days=1)).isoformat()}, "delivered_on"),
        ({"delivered_on": (date.today() - timedelta(days=1)).isoformat()}, "delivered_on"),
        ({"substitution": {"substitutes": "boiler_heat", "fuel": "coal"}}, "substitution.substitutes"),
        ({"substitution": {"substitutes": "virgin_material", "fuel": "peat"}}, "substitution.fuel"),
        ({"amount": "30"}, "confirm_over_delivery"),
    ],
)
def test_a_bad_delivery_is_a_422_naming_the_field(client, world, accepted, changes, field):
    response = client.post(
        f"/api/v1/exchanges/{accepted['id']}/deliveries", headers=as_(world, "supplier"), json=delivery(**changes)
    )

    assert field in problem(response, 422)["errors"]
    assert ok(client.get(f"/api/v1/exchanges/{accepted['id']}", headers=signed()))["delivery_count"] == 0


def test_an_over_delivery_is_recorded_once_confirmed(client, world, accepted):
    path = f"/api/v1/exchanges/{accepted['id']}/deliveries"

    recorded = ok(
        client.post(path, headers=as_(world, "receiver"), json=delivery("30", confirm_over_delivery=True)), 201
    )

    assert recorded["amount"] == "30"
    assert ok(client.get(f"/api/v1/exchanges/{accepted['id']}", headers=signed()))["delivered_amount"] == "30"
