"""The exchanges pages' plain-Python parts (pipeline, actions, form bodies, numbers and times for people)
and the sealing of a webhook secret between the POST that received it and the page that shows it once."""

from __future__ import annotations

import time
from datetime import date
from typing import get_args

import pytest

from gateway.console import exchange_forms as forms
from gateway.console.views.webhooks import open_secret, seal_secret
from services.common.contracts import Fuel
from services.listings.domain import deliveries

SUPPLIER, RECEIVER, OTHER = "ent-supplier", "ent-receiver", "ent-other"


def exchange(status="proposed", proposed_by=SUPPLIER, **overrides) -> dict:
    return {
        "id": "x1",
        "kind": "heat",
        "status": status,
        "proposed_by": proposed_by,
        "supplier": {"enterprise_id": SUPPLIER, "park_id": "park-a"},
        "receiver": {"enterprise_id": RECEIVER, "park_id": "park-b"},
        "agreed_amount": "500",
        "agreed_unit": "GJ",
        "delivered_amount": "0",
        "updated_at": "2026-11-29T10:00:00+00:00",
        **overrides,
    }


def test_the_pipeline_has_one_column_per_state_in_order_with_declined_and_cancelled_together():
    items = [
        exchange(s, id=s, updated_at=f"2026-11-2{i}T00:00:00+00:00")
        for i, s in enumerate(["proposed", "proposed", "accepted", "completed", "declined", "cancelled"])
    ]
    columns = forms.pipeline(items)
    assert [c["state"] for c in columns] == ["proposed", "accepted", "delivering", "completed", "closed"]
    assert {c["state"]: c["count"] for c in columns} == {
        "proposed": 2,
        "accepted": 1,
        "delivering": 0,
        "completed": 1,
        "closed": 2,
    }
    closed = columns[-1]["items"]
    assert [e["status"] for e in closed] == ["cancelled", "declined"], "most recently changed first"


def test_a_column_shows_its_first_cards_and_counts_the_rest():
    items = [exchange("completed", id=str(i)) for i in range(15)]
    completed = forms.pipeline(items, per_column=12)[3]
    assert completed["count"] == 15 and len(completed["items"]) == 12 and completed["more"] == 3


def test_counts_by_status_include_every_status_at_zero():
    counts = forms.status_counts([exchange("delivering")])
    assert counts["delivering"] == 1 and counts["proposed"] == 0 and set(counts) == set(forms.ALL_STATUSES)


def test_a_parks_exchanges_are_those_with_a_party_in_it():
    assert forms.party_in_park(exchange(), "park-a") and forms.party_in_park(exchange(), "park-b")
    assert not forms.party_in_park(exchange(), "park-c")


@pytest.mark.parametrize(
    "status, who, expected",
    [
        ("proposed", RECEIVER, ["accept", "decline", "cancel"]),  # the counterparty answers
        ("proposed", SUPPLIER, ["cancel"]),  # the proposer waits
        ("accepted", SUPPLIER, ["deliver", "cancel"]),
        ("delivering", RECEIVER, ["deliver", "complete", "cancel"]),
        ("completed", SUPPLIER, []),
        ("declined", RECEIVER, []),
        ("cancelled", SUPPLIER, []),
        ("delivering", OTHER, []),  # not a party
        ("proposed", None, []),  # park managers and admins read
    ],
)
def test_each_party_is_offered_what_the_exchange_allows_it_now(status, who, expected):
    assert forms.actions_for(exchange(status), who) == expected


def test_the_proposer_waits_for_the_counterparty():
    assert forms.waiting_for_counterparty(exchange("proposed"), SUPPLIER)
    assert not forms.waiting_for_counterparty(exchange("proposed"), RECEIVER)
    assert forms.role_of(exchange(), RECEIVER) == "receiver" and forms.role_of(exchange(), OTHER) is None


def test_the_delivery_form_becomes_the_apis_body_with_only_the_kinds_fields():
    form = {
        "delivered_on": "2026-11-29",
        "amount": " 500 ",
        "unit": "GJ",
        "evidence.meter_reading": "FT-301 0000500 GJ",
        "evidence.period": "",
        "evidence.weighbridge_ticket": "W1",
        "substitution.substitutes": "boiler_heat",
        "substitution.fuel": "natural_gas",
        "substitution.boiler_efficiency": "",
        "substitution.material": "gypsum",
    }
    assert forms.delivery_payload(form, "heat") == {
        "delivered_on": "2026-11-29",
        "amount": "500",
        "unit": "GJ",
        "evidence": {"meter_reading": "FT-301 0000500 GJ"},
        "substitution": {"substitutes": "boiler_heat", "fuel": "natural_gas"},
        "confirm_over_delivery": False,
    }
    material = forms.delivery_payload(
        {
            **form,
            "unit": "t",
            "evidence.manifest_number": "320700-2026-1",
            "substitution.substitutes": "virgin_material",
            "confirm_over_delivery": "1",
        },
        "material",
    )
    assert material["evidence"] == {"weighbridge_ticket": "W1", "manifest_number": "320700-2026-1"}
    assert material["substitution"] == {"substitutes": "virgin_material", "material": "gypsum"}
    assert material["confirm_over_delivery"] is True


def test_the_proposal_form_leaves_out_blank_optional_fields():
    body = forms.proposal_payload(
        {
            "offer_id": "o",
            "want_id": "w",
            "agreed_amount": "12.5",
            "agreed_unit": "t",
            "price_cny_per_unit": " ",
            "note": " by rail ",
        }
    )
    assert body == {"offer_id": "o", "want_id": "w", "agreed_amount": "12.5", "agreed_unit": "t", "note": "by rail"}


def test_the_delivery_form_offers_what_is_left_and_what_the_last_delivery_replaced():
    last = {"substitution": {"substitutes": "boiler_heat", "fuel": "coal", "boiler_efficiency": "0.85"}}
    values = forms.delivery_defaults(exchange("delivering", delivered_amount="120.5"), [last], date(2026, 11, 29))
    assert values == {
        "delivered_on": "2026-11-29",
        "unit": "GJ",
        "amount": "379.5",
        "substitution.substitutes": "boiler_heat",
        "substitution.fuel": "coal",
        "substitution.boiler_efficiency": "0.85",
    }
    fresh = forms.delivery_defaults(
        exchange("accepted", kind="water", agreed_unit="m3", agreed_amount="1E+3"), [], date(2026, 11, 29)
    )
    assert fresh["amount"] == "1000" and fresh["substitution.substitutes"] == "fresh_water"
    over = forms.delivery_defaults(exchange("delivering", delivered_amount="600"), [], date(2026, 11, 29))
    assert "amount" not in over, "nothing is left: no amount is suggested"


def test_the_consoles_lists_of_substitutes_fuels_and_evidence_are_the_apis():
    assert forms.SUBSTITUTES == deliveries.SUBSTITUTES
    assert forms.EVIDENCE == deliveries.EVIDENCE
    assert forms.FUELS == get_args(Fuel)


def test_a_listing_summary_flattens_its_kinds_section():
    material = {
        "id": "l1",
        "title": "Fly ash",
        "kind": "material",
        "status": "active",
        "enterprise_id": "e",
        "park_id": "p",
        "max_distance_km": 150,
        "available_from": "2025-01-01",
        "available_until": None,
        "material": {
            "waste_codes": ["441-001-S02"],
            "hazardous": False,
            "quantity": {"amount": 15000, "unit": "t", "recurrence": "per_month"},
            "price_cny_per_t": 40,
        },
    }
    summary = forms.listing_summary(material)
    assert summary["codes"] == ["441-001-S02"] and summary["amount"] == 15000 and summary["price_unit"] == "t"
    assert forms.listing_summary(None) is None


@pytest.mark.parametrize(
    "value, shown",
    [
        ("18450", "18,450"),
        ("23.86", "23.86"),
        ("1E+3", "1,000"),
        ("0.000001", "0.000001"),
        ("1234567.891234", "1,234,567.891234"),
        ("-1500", "-1,500"),
        (None, "—"),
        ("n/a", "—"),
    ],
)
def test_exact_numbers_keep_every_digit_with_separators_and_never_exponents(value, shown):
    assert forms.exact_number(value, "zh_CN") == shown


def test_times_read_in_beijing_time():
    assert forms.local_time("2026-11-29T20:51:07.228246+00:00") == "2026-11-30 04:51"
    assert forms.local_time("2026-11-29T20:51:07+00:00", seconds=True) == "2026-11-30 04:51:07"
    assert forms.local_time(None) == "—"


def test_a_sealed_secret_opens_only_for_its_subscription_with_the_same_key_and_in_time():
    sealed = seal_secret("console-secret", "sub-1", "whsec_abc")
    assert "whsec_abc" not in sealed
    assert open_secret("console-secret", sealed, "sub-1") == "whsec_abc"
    assert open_secret("console-secret", sealed, "sub-2") is None
    assert open_secret("another-secret", sealed, "sub-1") is None
    assert open_secret("console-secret", sealed[:-4] + "AAAA", "sub-1") is None
    assert open_secret("console-secret", None, "sub-1") is None
    assert open_secret("console-secret", sealed, "sub-1", now=time.time() + 599) == "whsec_abc"
    assert open_secret("console-secret", sealed, "sub-1", now=time.time() + 601) is None, "ten minutes at most"
