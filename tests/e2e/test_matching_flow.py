"""Matching through the gateway as enterprises use it: ranked, explained, legal, alerted."""

from __future__ import annotations

import json
import time
from datetime import date, timedelta

import pytest
from standardwebhooks import Webhook

from parkloop.harness.bodies import heat_want

from .conftest import PARK, Receiver, credit_code, eventually, new_enterprise


@pytest.fixture(scope="module")
def receiver():
    r = Receiver()
    yield r
    r.close()


@pytest.fixture(scope="module")
def heat_park(system, admin):
    park = admin.post("parks", {**PARK, "name": "Matching Park", "centroid": {"lat": 31.0, "lon": 121.0}}).json()["id"]
    return {name: new_enterprise(system, admin, park, name) for name in ("Steam Co", "Dye Works", "Oil Co")}


def test_a_heat_want_is_alerted_with_a_signed_webhook_and_a_hazardous_offer_never_reaches_an_unlicensed_buyer(
    heat_park, receiver
):
    steam_co, dye_works, oil_co = heat_park["Steam Co"], heat_park["Dye Works"], heat_park["Oil Co"]
    # The buyer wants 120 °C heat and subscribes before anything is on offer.
    want = dye_works.api.post("wants", heat_want(location={"lat": 31.0, "lon": 121.0})).json()
    oil_want = dye_works.api.post(
        "wants",
        {
            "kind": "material",
            "title": "Waste oil for our boiler",
            "max_distance_km": 50,
            "location": {"lat": 31.0, "lon": 121.0},
            "material": {
                "waste_codes": ["900-249-08"],
                "quantity": {"amount": 5, "unit": "t", "recurrence": "per_month"},
            },
        },
    ).json()
    subscription = dye_works.api.post("webhooks", {"url": receiver.url, "min_score": 0.2}).json()
    assert subscription["secret"].startswith("whsec_")

    # 5 km east: steam at 180 °C; and hazardous waste oil from an enterprise next door.
    steam = steam_co.api.post(
        "offers",
        {
            "kind": "heat",
            "title": "Surplus steam",
            "max_distance_km": 8,
            "location": {"lat": 31.0, "lon": 121.0526},
            "heat": {
                "medium": "steam",
                "temperature_c": 180,
                "pressure_mpa": 0.8,
                "thermal_power_mw": 6,
                "hours_per_day": 24,
                "days_per_year": 330,
            },
        },
    ).json()
    oil = oil_co.api.post(
        "offers",
        {
            "kind": "material",
            "title": "Waste mineral oil",
            "max_distance_km": 50,
            "location": {"lat": 31.01, "lon": 121.0},
            "material": {"waste_code": "900-249-08", "quantity": {"amount": 8, "unit": "t", "recurrence": "per_month"}},
        },
    ).json()

    matches = eventually(
        lambda: dye_works.api.get(f"wants/{want['id']}/matches").json(),
        lambda body: body.get("items"),
        "the steam offer among the want's matches",
    )
    best = matches["items"][0]
    assert best["listing"]["id"] == steam["id"]
    assert best["distance_km"] == pytest.approx(5.0, abs=0.1)
    assert set(best["components"]) == {"distance", "quantity", "temperature"}
    assert best["score"] == pytest.approx(sum(c["contribution"] for c in best["components"].values()), abs=1e-5)

    [(headers, body)] = eventually(lambda: list(receiver.received), bool, "the webhook alert")
    event = Webhook(subscription["secret"]).verify(body, headers)  # raises if the signature is wrong
    assert event["type"] == "match.found"
    assert event["data"]["listing_id"] == want["id"] and event["data"]["match"]["id"] == steam["id"]

    # The hazardous offer is never shown to (or alerted for) a buyer without a licence.
    oil_matches = dye_works.api.get(f"wants/{oil_want['id']}/matches").json()
    assert oil["id"] not in [m["listing"]["id"] for m in oil_matches["items"]]
    buyers = oil_co.api.get(f"offers/{oil['id']}/matches").json()["items"]
    assert oil_want["id"] not in [m["listing"]["id"] for m in buyers]
    time.sleep(2)
    assert len(receiver.received) == 1, "only the heat match may be alerted, and only once"

    deliveries = dye_works.api.get(f"webhooks/{subscription['id']}/deliveries").json()["items"]
    assert deliveries[0]["status"] == "delivered" and deliveries[0]["attempt_log"][0]["status_code"] == 204


def test_a_licensed_buyer_sees_the_hazardous_offer(system, admin, heat_park):
    oil_co = heat_park["Oil Co"]
    licensed = admin.post(
        "keys", {"role": "enterprise", "label": "Re-refiner", "park_id": oil_co.api.get("keys/me").json()["park_id"]}
    ).json()
    api = system.client(licensed["key"])
    today = date.today()
    api.post(
        "enterprises",
        {
            "name": "Licensed Re-refiner",
            "credit_code": credit_code(888001),
            "industry_code": "N7724",
            "location": {"lat": 31.02, "lon": 121.0},
            "licences": [
                {
                    "number": "HW-1",
                    "codes": ["900-249-08"],
                    "capacity_t_per_year": 1000,
                    "valid_from": (today - timedelta(days=30)).isoformat(),
                    "valid_until": (today + timedelta(days=365)).isoformat(),
                }
            ],
        },
    )
    want = api.post(
        "wants",
        {
            "kind": "material",
            "title": "Waste oil to re-refine",
            "max_distance_km": 50,
            "material": {
                "waste_codes": ["900-249-08"],
                "quantity": {"amount": 10, "unit": "t", "recurrence": "per_month"},
            },
        },
    ).json()
    found = eventually(
        lambda: api.get(f"wants/{want['id']}/matches").json(),
        lambda b: b.get("items"),
        "the hazardous offer among the licensed buyer's matches",
    )
    assert [m["listing"]["title"] for m in found["items"]] == ["Waste mineral oil"]
    assert json.dumps(found["items"][0]["listing"]["codes"]) == '["900-249-08"]'


def test_a_buyer_under_a_directed_utilisation_approval_gets_only_its_approved_suppliers_hazardous_waste(
    system, admin, heat_park
):
    oil_co = heat_park["Oil Co"]
    park_id = oil_co.api.get("keys/me").json()["park_id"]
    other_supplier = new_enterprise(system, admin, park_id, "Other Oil Co")
    oil = {
        "kind": "material",
        "max_distance_km": 50,
        "material": {"waste_code": "900-249-08", "quantity": {"amount": 4, "unit": "t", "recurrence": "per_month"}},
    }
    approved_offer = oil_co.api.post(
        "offers", {**oil, "title": "Approved waste oil", "location": {"lat": 31.011, "lon": 121.0}}
    ).json()
    other_offer = other_supplier.api.post(
        "offers", {**oil, "title": "Unapproved waste oil", "location": {"lat": 31.012, "lon": 121.0}}
    ).json()

    key = admin.post("keys", {"role": "enterprise", "label": "Directed user", "park_id": park_id}).json()["key"]
    buyer = system.client(key)
    today = date.today()
    registered = buyer.post(
        "enterprises",
        {
            "name": "Directed Re-refiner",
            "credit_code": credit_code(888002),
            "industry_code": "C2511",
            "location": {"lat": 31.02, "lon": 121.0},
            "approvals": [
                {
                    "number": "苏环定向〔2026〕7号",
                    "authority": "Jiangsu Department of Ecology and Environment",
                    "supplier_enterprise_id": oil_co.enterprise_id,
                    "codes": ["900-249-08"],
                    "valid_from": (today - timedelta(days=10)).isoformat(),
                    "valid_until": (today + timedelta(days=200)).isoformat(),
                    "capacity_t_per_year": 200,
                }
            ],
        },
    )
    assert registered.status_code == 201, registered.text
    want = buyer.post(
        "wants",
        {
            "kind": "material",
            "title": "Waste oil under approval",
            "max_distance_km": 50,
            "material": {
                "waste_codes": ["900-249-08"],
                "quantity": {"amount": 4, "unit": "t", "recurrence": "per_month"},
            },
        },
    ).json()

    # Once matching knows the want and both offers, only the approved supplier's oil reaches the buyer.
    eventually(
        lambda: buyer.get(f"wants/{want['id']}/matches").json(),
        lambda b: b.get("items"),
        "the approved supplier's oil among the buyer's matches",
    )
    eventually(
        lambda: other_supplier.api.get(f"offers/{other_offer['id']}/matches").status_code,
        lambda s: s == 200,
        "matching to know the unapproved offer",
    )
    matches = buyer.get(f"wants/{want['id']}/matches", params={"page_size": 50}).json()["items"]
    assert approved_offer["id"] in [m["listing"]["id"] for m in matches]
    assert {m["listing"]["enterprise_id"] for m in matches} == {oil_co.enterprise_id}
    assert want["id"] not in [
        m["listing"]["id"] for m in other_supplier.api.get(f"offers/{other_offer['id']}/matches").json()["items"]
    ]

    # The exchange gate agrees: the approved supplier may propose, the other may not.
    agreed = {"receiver_enterprise_id": registered.json()["id"], "agreed_amount": "4", "agreed_unit": "t"}
    assert oil_co.api.post("exchanges", {**agreed, "offer_id": approved_offer["id"]}).status_code == 201
    refused = other_supplier.api.post("exchanges", {**agreed, "offer_id": other_offer["id"]})
    assert refused.status_code == 422 and "directed-utilisation approval" in refused.text
