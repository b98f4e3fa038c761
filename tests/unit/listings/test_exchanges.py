"""An exchange's lifecycle: proposed on a match, accepted or declined by the counterparty,
delivered with evidence, completed (emitting the ExchangeCompleted contract exactly) or
cancelled; every refused transition is a conflict naming the current state, every bad
field is named, and a hazardous waste only goes to a receiver licensed for it or holding a
点对点 directed-utilisation approval from that supplier."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from services.common.contracts import Delivery as DeliveryContract
from services.common.contracts import ExchangeCompletedPayload, check_exchange_completed
from services.common.contracts import Party as PartyContract
from services.common.errors import Conflict, Forbidden, InvalidFields
from services.common.geo import Location
from services.common.identity import Principal, Role
from services.listings.domain.access import ExchangeScope, acting_as, exchange_scope, exchange_visible, proposer
from services.listings.domain.deliveries import exact_decimal
from services.listings.domain.enterprises import DirectedUtilisationApproval, Enterprise, HazardousWasteLicence
from services.listings.domain.exchanges import Actor, Exchange, ExchangeStatus
from services.listings.domain.listings import Listing
from services.listings.domain.spec_dicts import spec_from_dict
from services.listings.domain.specs import Kind, Side

HAZARDOUS = "900-249-08"
GENERAL = "441-001-S02"
TODAY = date(2026, 5, 20)
HERE = Location(31.3, 120.6)
SUPPLIER, RECEIVER, STRANGER = Actor("supplier"), Actor("receiver"), Actor("stranger")
ADMIN = Actor(None, admin=True)


def licence(code=HAZARDOUS, valid_from=date(2026, 1, 1), valid_until=date(2026, 12, 31)):
    return HazardousWasteLicence("JS3205000001", (code,), 5000.0, valid_from, valid_until)


def approval(supplier="supplier", code=HAZARDOUS, valid_from=date(2026, 1, 1), valid_until=date(2026, 12, 31)):
    return DirectedUtilisationApproval(
        "苏环危豁〔2026〕7号", "江苏省生态环境厅", supplier, (code,), valid_from, valid_until
    )


def enterprise(enterprise_id: str, park_id: str = "park-A", licences=(), approvals=()) -> Enterprise:
    return Enterprise(
        enterprise_id,
        park_id,
        enterprise_id.title(),
        "91320500MA1XK3QB0X",
        "C2614",
        HERE,
        list(licences),
        approvals=list(approvals),
    )


@pytest.fixture
def listing(catalogue, terms_factory):
    def build(
        side: Side = Side.OFFER,
        kind: Kind = Kind.MATERIAL,
        owner: str = "supplier",
        park: str = "park-A",
        code: str = GENERAL,
    ) -> Listing:
        data = {
            Kind.MATERIAL: ({"waste_code": code} if side is Side.OFFER else {"waste_codes": [code]})
            | {"quantity": {"amount": 10, "unit": "t", "recurrence": "per_month"}},
            Kind.HEAT: {
                "medium": "hot_water",
                "temperature_c": 95.0,
                "thermal_power_mw": 2.0,
                "hours_per_day": 24,
                "days_per_year": 330,
            },
            Kind.WATER: {"reuse_category": "washing", "flow_m3_per_day": 500.0},
        }[kind]
        terms = terms_factory(available_from=date(2026, 1, 1))
        return Listing.publish(side, kind, owner, park, terms, spec_from_dict(kind, side, data, catalogue))

    return build


@pytest.fixture
def propose(listing):
    """propose(kind=..., code=..., by=..., with_want=True, receiver=..., amount=..., unit=...)"""

    def build(
        kind: Kind = Kind.MATERIAL,
        code: str = GENERAL,
        by: Actor = SUPPLIER,
        with_want: bool = True,
        receiver: Enterprise | None = None,
        amount="100",
        unit: str | None = None,
        today: date = TODAY,
        offer: Listing | None = None,
        want: Listing | None = None,
        **extra,
    ) -> Exchange:
        offer = offer or listing(Side.OFFER, kind, code=code)
        if with_want and want is None:
            want = listing(Side.WANT, kind, owner="receiver", park="park-B", code=code)
        receiver = receiver or enterprise("receiver", "park-B", [licence(code)] if code == HAZARDOUS else [])
        unit = unit or {Kind.MATERIAL: "t", Kind.HEAT: "GJ", Kind.WATER: "m3"}[kind]
        return Exchange.propose(offer, want, receiver, by, amount, unit, today=today, **extra)

    return build


def accepted(exchange: Exchange, on: date = TODAY) -> Exchange:
    exchange.accept(RECEIVER if exchange.proposed_by == "supplier" else SUPPLIER, today=on)
    return exchange


EVIDENCE = {
    Kind.MATERIAL: {"weighbridge_ticket": "WB-0001"},
    Kind.HEAT: {"meter_reading": "HM-7 1234.5 GJ"},
    Kind.WATER: {"period": "2026-05"},
}
SUBSTITUTION = {
    Kind.MATERIAL: {"substitutes": "virgin_material", "material": "natural gypsum"},
    Kind.HEAT: {"substitutes": "boiler_heat", "fuel": "coal", "boiler_efficiency": "0.85"},
    Kind.WATER: {"substitutes": "fresh_water"},
}
UNIT = {Kind.MATERIAL: "t", Kind.HEAT: "GJ", Kind.WATER: "m3"}


def deliver(
    exchange: Exchange,
    amount="40",
    by: Actor = SUPPLIER,
    on: date = TODAY,
    unit: str | None = None,
    evidence: dict | None = None,
    substitution: dict | None = None,
    receiver: Enterprise | None = None,
    **extra,
):
    receiver = receiver or enterprise(
        "receiver", "park-B", [licence(exchange.waste_code)] if exchange.hazardous else []
    )
    return exchange.record_delivery(
        by,
        receiver,
        on,
        amount,
        unit or UNIT[exchange.kind],
        EVIDENCE[exchange.kind] if evidence is None else evidence,
        SUBSTITUTION[exchange.kind] if substitution is None else substitution,
        today=TODAY,
        **extra,
    )


def refused_fields(call, *args, **kwargs) -> dict[str, list[str]]:
    with pytest.raises(InvalidFields) as caught:
        call(*args, **kwargs)
    return caught.value.errors


# --- proposing -------------------------------------------------------------------------


def test_proposing_on_an_offer_and_a_want_records_exchange_proposed(propose):
    exchange = propose()

    (event,) = exchange.events
    assert exchange.status is ExchangeStatus.PROPOSED
    assert event.type == "ExchangeProposed" and event.key == exchange.id
    assert event.payload["status"] == "proposed" and event.payload["by"] == {
        "enterprise_id": "supplier",
        "admin": False,
    }
    assert exchange.supplier.to_dict() == {"enterprise_id": "supplier", "park_id": "park-A"}
    assert exchange.receiver.to_dict() == {"enterprise_id": "receiver", "park_id": "park-B"}
    assert exchange.to_dict()["agreed_amount"] == "100" and exchange.proposed_on == TODAY


def test_the_receiver_may_propose_too(propose):
    assert propose(by=RECEIVER).proposed_by == "receiver"


def test_an_offer_and_a_receiving_enterprise_without_a_want_make_an_exchange(propose):
    exchange = propose(with_want=False, kind=Kind.HEAT, unit="MWh")

    assert exchange.want_id is None and exchange.receiver.enterprise_id == "receiver"
    assert exchange.waste_code is None and exchange.hazardous is False


def test_an_enterprise_owning_neither_side_may_not_propose(propose):
    with pytest.raises(Forbidden):
        propose(by=STRANGER)


def test_an_admin_proposes_for_a_side_it_names(propose):
    assert propose(by=Actor("receiver", admin=True)).proposed_by == "receiver"
    assert "on_behalf_of" in refused_fields(propose, by=Actor("stranger", admin=True))


def test_a_want_of_another_kind_is_refused_naming_want_id(propose, listing):
    errors = refused_fields(propose, want=listing(Side.WANT, Kind.HEAT, owner="receiver"))

    assert "is a heat want" in errors["want_id"][0]


def test_a_want_that_does_not_accept_the_offered_code_is_refused(propose, listing):
    errors = refused_fields(propose, want=listing(Side.WANT, owner="receiver", code="441-001-S03"))

    assert "does not accept waste code 441-001-S02" in errors["want_id"][0]


def test_an_enterprise_cannot_exchange_with_itself(propose):
    errors = refused_fields(propose, with_want=False, receiver=enterprise("supplier"))

    assert "itself" in errors["receiver_enterprise_id"][0]


@pytest.mark.parametrize("action", ["pause", "withdraw"])
def test_an_offer_that_is_not_active_cannot_be_exchanged(propose, listing, action):
    offer = listing()
    getattr(offer, action)()

    with pytest.raises(Conflict, match="paused|withdrawn"):
        propose(offer=offer)


def test_a_paused_want_cannot_be_exchanged(propose, listing):
    want = listing(Side.WANT, owner="receiver")
    want.pause()

    with pytest.raises(Conflict, match="want is paused"):
        propose(want=want)


@pytest.mark.parametrize("kind, unit", [(Kind.MATERIAL, "m3"), (Kind.HEAT, "t"), (Kind.WATER, "GJ")])
def test_an_agreed_unit_that_does_not_fit_the_kind_is_refused(propose, kind, unit):
    assert list(refused_fields(propose, kind=kind, unit=unit)) == ["agreed_unit"]


@pytest.mark.parametrize(
    "amount, message",
    [
        ("0", "greater than 0"),
        ("-5", "greater than 0"),
        ("1.0000001", "at most 6 decimal places"),
        ("abc", "decimal number"),
        ("NaN", "finite"),
        ("1e13", "below"),
    ],
)
def test_an_agreed_amount_must_be_a_bounded_positive_decimal(propose, amount, message):
    errors = refused_fields(propose, amount=amount)

    assert message in errors["agreed_amount"][0]


def test_a_negative_price_is_a_gate_fee_and_amounts_keep_their_digits(propose):
    exchange = propose(amount="120.50", price_cny_per_unit=Decimal("-800.00"), note="  by truck  ")

    data = exchange.to_dict()
    assert (data["agreed_amount"], data["price_cny_per_unit"], data["note"]) == ("120.5", "-800", "by truck")


# --- the hazardous-waste legality gate -------------------------------------------------


def test_a_hazardous_waste_needs_a_receiver_licensed_for_its_code(propose):
    errors = refused_fields(propose, code=HAZARDOUS, receiver=enterprise("receiver", "park-B"))

    assert errors["want_id"] == [
        "the receiver holds no hazardous-waste licence or directed-utilisation approval "
        "covering 900-249-08 from this supplier valid on 2026-05-20"
    ]


def test_without_a_want_the_refusal_names_the_receiving_enterprise(propose):
    errors = refused_fields(propose, code=HAZARDOUS, with_want=False, receiver=enterprise("receiver", "park-B"))

    assert list(errors) == ["receiver_enterprise_id"]


def test_a_licence_not_valid_on_the_proposal_date_does_not_count(propose):
    expired = enterprise("receiver", "park-B", [licence(valid_until=TODAY - timedelta(days=1))])

    assert "want_id" in refused_fields(propose, code=HAZARDOUS, receiver=expired)


def test_a_licensed_receiver_gets_a_hazardous_exchange(propose):
    exchange = propose(code=HAZARDOUS)

    assert exchange.hazardous and exchange.waste_code == HAZARDOUS


def test_a_receiver_with_only_a_directed_utilisation_approval_from_this_supplier_gets_the_exchange(propose):
    approved = enterprise("receiver", "park-B", approvals=[approval(supplier="supplier")])

    exchange = propose(code=HAZARDOUS, receiver=approved)

    assert exchange.hazardous and exchange.receiver.enterprise_id == "receiver"


def test_an_approval_from_another_supplier_does_not_let_the_receiver_take_this_offer(propose):
    approved_elsewhere = enterprise("receiver", "park-B", approvals=[approval(supplier="another-supplier")])

    errors = refused_fields(propose, code=HAZARDOUS, receiver=approved_elsewhere)

    assert list(errors) == ["want_id"]
    assert "directed-utilisation approval covering 900-249-08 from this supplier" in errors["want_id"][0]


@pytest.mark.parametrize(
    "stale",
    [
        approval(valid_until=TODAY - timedelta(days=1)),
        approval(code="900-218-08"),
    ],
    ids=["expired", "other code"],
)
def test_an_approval_expired_or_for_another_code_does_not_count(propose, stale):
    errors = refused_fields(
        propose, code=HAZARDOUS, with_want=False, receiver=enterprise("receiver", "park-B", approvals=[stale])
    )

    assert list(errors) == ["receiver_enterprise_id"]


# --- accepting, declining, cancelling ----------------------------------------------------


def test_the_counterparty_accepts_and_the_acceptance_date_is_kept(propose):
    exchange = propose()

    exchange.accept(RECEIVER, today=TODAY)

    assert exchange.status is ExchangeStatus.ACCEPTED and exchange.accepted_on == TODAY
    assert [e.type for e in exchange.events] == ["ExchangeProposed", "ExchangeAccepted"]
    assert exchange.version == 2


def test_the_proposer_cannot_accept_its_own_proposal(propose):
    with pytest.raises(Forbidden, match="counterparty"):
        propose(by=RECEIVER).accept(RECEIVER, today=TODAY)


@pytest.mark.parametrize("action", ["accept", "decline", "cancel", "complete"])
def test_an_enterprise_that_is_not_a_party_cannot_act(propose, action):
    exchange = propose()

    with pytest.raises(Forbidden):
        getattr(exchange, action)(STRANGER)


def test_an_admin_may_accept_for_the_counterparty(propose):
    exchange = propose()

    exchange.accept(ADMIN, today=TODAY)

    assert exchange.status is ExchangeStatus.ACCEPTED
    assert exchange.events[-1].payload["by"] == {"enterprise_id": None, "admin": True}


def test_the_counterparty_declines(propose):
    exchange = propose()

    exchange.decline(RECEIVER)

    assert exchange.status is ExchangeStatus.DECLINED and exchange.events[-1].type == "ExchangeDeclined"


def test_the_proposer_cannot_decline_its_own_proposal(propose):
    with pytest.raises(Forbidden):
        propose().decline(SUPPLIER)


@pytest.mark.parametrize("by", [SUPPLIER, RECEIVER])
@pytest.mark.parametrize("stage", ["proposed", "accepted", "delivering"])
def test_either_party_may_cancel_before_completion(propose, by, stage):
    exchange = propose()
    if stage != "proposed":
        accepted(exchange)
    if stage == "delivering":
        deliver(exchange)

    exchange.cancel(by)

    assert exchange.status is ExchangeStatus.CANCELLED and exchange.events[-1].type == "ExchangeCancelled"


@pytest.mark.parametrize(
    "setup, action, state",
    [
        (lambda e: accepted(e), lambda e: e.accept(RECEIVER, today=TODAY), "accepted"),
        (lambda e: e.decline(RECEIVER), lambda e: e.accept(RECEIVER, today=TODAY), "declined"),
        (lambda e: accepted(e), lambda e: e.decline(RECEIVER), "accepted"),
        (lambda e: e.cancel(SUPPLIER), lambda e: e.accept(RECEIVER, today=TODAY), "cancelled"),
        (lambda e: e.cancel(SUPPLIER), lambda e: e.cancel(RECEIVER), "cancelled"),
        (lambda e: e.decline(RECEIVER), lambda e: e.cancel(SUPPLIER), "declined"),
        (lambda e: None, lambda e: e.complete(SUPPLIER), "proposed"),
        (lambda e: (deliver(accepted(e)), e.complete(SUPPLIER)), lambda e: e.cancel(SUPPLIER), "completed"),
        (lambda e: (deliver(accepted(e)), e.complete(SUPPLIER)), lambda e: e.complete(RECEIVER), "completed"),
        (lambda e: (deliver(accepted(e)), e.complete(SUPPLIER)), lambda e: deliver(e), "completed"),
        (lambda e: e.cancel(SUPPLIER), lambda e: deliver(e), "cancelled"),
    ],
)
def test_a_transition_from_the_wrong_state_is_a_conflict_naming_that_state(propose, setup, action, state):
    exchange = propose()
    setup(exchange)
    events = len(exchange.events)

    with pytest.raises(Conflict, match=f"a {state} exchange"):
        action(exchange)
    assert len(exchange.events) == events and exchange.status.value == state


# --- deliveries ------------------------------------------------------------------------


def test_a_delivery_before_acceptance_is_a_conflict(propose):
    with pytest.raises(Conflict, match="proposed"):
        deliver(propose())


def test_the_first_delivery_moves_the_exchange_to_delivering(propose):
    exchange = accepted(propose())

    delivery = deliver(exchange, amount="40.250", by=RECEIVER)

    assert exchange.status is ExchangeStatus.DELIVERING
    assert exchange.events[-1].type == "ExchangeDeliveryRecorded"
    assert exchange.events[-1].payload["delivery"]["amount"] == "40.25"
    assert delivery.recorded_by == "receiver" and exchange.to_dict()["delivered_amount"] == "40.25"


def test_a_delivery_in_the_future_is_refused(propose):
    errors = refused_fields(deliver, accepted(propose()), on=TODAY + timedelta(days=1))

    assert errors["delivered_on"] == ["must not be in the future"]


def test_a_delivery_before_the_exchange_was_accepted_is_refused(propose):
    errors = refused_fields(deliver, accepted(propose(), on=TODAY), on=TODAY - timedelta(days=1))

    assert "before the exchange was accepted (2026-05-20)" in errors["delivered_on"][0]


@pytest.mark.parametrize("kind, unit", [(Kind.MATERIAL, "m3"), (Kind.HEAT, "t"), (Kind.WATER, "MWh")])
def test_a_delivery_unit_that_does_not_fit_the_kind_is_refused(propose, kind, unit):
    errors = refused_fields(deliver, accepted(propose(kind=kind)), unit=unit)

    assert list(errors) == ["unit"]


@pytest.mark.parametrize("amount", ["0", "-1", "0.0000001"])
def test_a_delivery_amount_must_be_a_bounded_positive_decimal(propose, amount):
    assert "amount" in refused_fields(deliver, accepted(propose()), amount=amount)


def test_a_material_delivery_needs_a_weighbridge_ticket(propose):
    errors = refused_fields(deliver, accepted(propose()), evidence={})

    assert list(errors) == ["evidence.weighbridge_ticket"]


def test_a_hazardous_delivery_needs_its_transfer_manifest_number(propose):
    exchange = accepted(propose(code=HAZARDOUS))

    errors = refused_fields(deliver, exchange, evidence={"weighbridge_ticket": "WB-1"})

    assert list(errors) == ["evidence.manifest_number"]
    deliver(exchange, evidence={"weighbridge_ticket": "WB-1", "manifest_number": "3205202605200001"})
    assert exchange.deliveries[0].evidence["manifest_number"] == "3205202605200001"


def test_a_hazardous_delivery_on_a_day_the_licence_does_not_cover_is_refused(propose):
    exchange = accepted(propose(code=HAZARDOUS))
    lapsed = enterprise("receiver", "park-B", [licence(valid_until=TODAY - timedelta(days=1))])

    errors = refused_fields(
        deliver, exchange, receiver=lapsed, evidence={"weighbridge_ticket": "WB-1", "manifest_number": "M-1"}
    )

    assert "no hazardous-waste licence or directed-utilisation approval" in errors["delivered_on"][0]


def test_a_hazardous_delivery_counts_on_the_approval_from_this_supplier_on_the_delivery_day(propose):
    approved = enterprise("receiver", "park-B", approvals=[approval(valid_until=TODAY - timedelta(days=1))])
    three_days_ago = TODAY - timedelta(days=3)
    exchange = accepted(propose(code=HAZARDOUS, receiver=approved, today=three_days_ago), on=three_days_ago)
    evidence = {"weighbridge_ticket": "WB-1", "manifest_number": "M-1"}

    deliver(exchange, receiver=approved, on=TODAY - timedelta(days=1), evidence=evidence)
    errors = refused_fields(deliver, exchange, receiver=approved, on=TODAY, evidence=evidence)

    assert len(exchange.deliveries) == 1
    assert list(errors) == ["delivered_on"]


@pytest.mark.parametrize("kind", [Kind.HEAT, Kind.WATER])
def test_heat_and_water_need_a_meter_reading_or_a_period(propose, kind):
    exchange = accepted(propose(kind=kind))

    assert list(refused_fields(deliver, exchange, evidence={})) == ["evidence"]
    assert deliver(exchange, evidence={"meter_reading": "WM-3 88120"}).evidence == {"meter_reading": "WM-3 88120"}


def test_evidence_of_another_kind_is_refused(propose):
    errors = refused_fields(
        deliver, accepted(propose(kind=Kind.HEAT)), evidence={"period": "2026-05", "weighbridge_ticket": "WB-1"}
    )

    assert list(errors) == ["evidence.weighbridge_ticket"]


@pytest.mark.parametrize(
    "kind, substitution, field",
    [
        (Kind.HEAT, {"substitutes": "fresh_water"}, "substitution.substitutes"),
        (Kind.WATER, {"substitutes": "boiler_heat", "fuel": "coal"}, "substitution.fuel"),
        (Kind.MATERIAL, {"substitutes": "municipal_water"}, "substitution.substitutes"),
        (Kind.HEAT, {"substitutes": "boiler_heat"}, "substitution.fuel"),
        (Kind.HEAT, {"substitutes": "boiler_heat", "fuel": "peat"}, "substitution.fuel"),
        (
            Kind.HEAT,
            {"substitutes": "boiler_heat", "fuel": "coal", "boiler_efficiency": "1.01"},
            "substitution.boiler_efficiency",
        ),
        (
            Kind.HEAT,
            {"substitutes": "boiler_heat", "fuel": "coal", "boiler_efficiency": "0"},
            "substitution.boiler_efficiency",
        ),
        (Kind.WATER, {"substitutes": "municipal_water", "material": "gypsum"}, "substitution.material"),
    ],
)
def test_a_substitution_must_fit_the_kind(propose, kind, substitution, field):
    errors = refused_fields(deliver, accepted(propose(kind=kind)), substitution=substitution)

    assert field in errors


def test_every_bad_delivery_field_is_named_at_once(propose):
    errors = refused_fields(
        deliver,
        accepted(propose(kind=Kind.HEAT)),
        amount="0",
        unit="t",
        evidence={},
        substitution={"substitutes": "fresh_water"},
        on=TODAY + timedelta(days=2),
    )

    assert {"delivered_on", "amount", "unit", "evidence", "substitution.substitutes", "substitution.fuel"} <= set(
        errors
    )


def test_delivering_beyond_the_agreed_quantity_needs_confirmation(propose):
    exchange = accepted(propose(amount="100"))
    deliver(exchange, amount="60")

    errors = refused_fields(deliver, exchange, amount="40.5")

    assert "total to 100.5 t, above the agreed 100 t" in errors["confirm_over_delivery"][0]
    assert len(exchange.deliveries) == 1
    deliver(exchange, amount="40.5", confirm_over_delivery=True)
    assert exchange.to_dict()["delivered_amount"] == "100.5"


def test_exactly_the_agreed_quantity_needs_no_confirmation(propose):
    exchange = accepted(propose(amount="100"))

    deliver(exchange, amount="60")
    deliver(exchange, amount="40")

    assert exchange.delivered_amount() == Decimal(100)


def test_heat_delivered_in_mwh_counts_against_an_agreement_in_gj(propose):
    exchange = accepted(propose(kind=Kind.HEAT, amount="36"))
    deliver(exchange, amount="5", unit="MWh")  # 18 GJ

    deliver(exchange, amount="18", unit="GJ")

    assert exchange.to_dict()["delivered_amount"] == "36"
    assert "confirm_over_delivery" in refused_fields(deliver, exchange, amount="0.001", unit="MWh")


# --- completing ------------------------------------------------------------------------


def test_an_accepted_exchange_without_deliveries_cannot_complete(propose):
    with pytest.raises(Conflict, match="accepted exchange before a delivery"):
        accepted(propose()).complete(SUPPLIER)


@pytest.mark.parametrize("by", [SUPPLIER, RECEIVER, ADMIN])
def test_either_party_completes_a_delivering_exchange(propose, by):
    exchange = accepted(propose())
    deliver(exchange)

    exchange.complete(by)

    assert exchange.status is ExchangeStatus.COMPLETED and exchange.completed_at.tzinfo is not None


def test_completing_emits_exchange_completed_exactly_as_the_contract_says(propose):
    exchange = accepted(propose(code=HAZARDOUS, amount="25.5"))
    deliver(
        exchange,
        amount="12.250",
        evidence={"weighbridge_ticket": "WB-9", "manifest_number": "M-9"},
        substitution={"substitutes": "virgin_material"},
    )
    deliver(exchange, amount="13.25", by=RECEIVER, evidence={"weighbridge_ticket": "WB-10", "manifest_number": "M-10"})
    moment = datetime(2026, 5, 20, 18, 30, tzinfo=timezone(timedelta(hours=8)))

    exchange.complete(SUPPLIER, now=moment)

    event = exchange.events[-1]
    payload = event.payload
    assert event.type == "ExchangeCompleted" and event.key == exchange.id
    assert check_exchange_completed(payload) and set(payload) == set(ExchangeCompletedPayload.__annotations__)
    assert set(payload["supplier"]) == set(payload["receiver"]) == set(PartyContract.__annotations__)
    assert payload == {
        "exchange_id": exchange.id,
        "kind": "material",
        "offer_id": exchange.offer_id,
        "want_id": exchange.want_id,
        "supplier": {"enterprise_id": "supplier", "park_id": "park-A"},
        "receiver": {"enterprise_id": "receiver", "park_id": "park-B"},
        "waste_code": HAZARDOUS,
        "hazardous": True,
        "agreed_amount": "25.5",
        "agreed_unit": "t",
        "completed_at": "2026-05-20T10:30:00+00:00",
        "deliveries": [
            {
                "id": exchange.deliveries[0].id,
                "delivered_on": "2026-05-20",
                "amount": "12.25",
                "unit": "t",
                "evidence": {"weighbridge_ticket": "WB-9", "manifest_number": "M-9"},
                "substitution": {"substitutes": "virgin_material"},
            },
            {
                "id": exchange.deliveries[1].id,
                "delivered_on": "2026-05-20",
                "amount": "13.25",
                "unit": "t",
                "evidence": {"weighbridge_ticket": "WB-10", "manifest_number": "M-10"},
                "substitution": {"substitutes": "virgin_material", "material": "natural gypsum"},
            },
        ],
    }
    for delivery in payload["deliveries"]:
        assert set(delivery) == set(DeliveryContract.__annotations__)
        assert isinstance(delivery["amount"], str)


def test_a_completed_heat_exchange_carries_fuel_and_efficiency_as_strings(propose):
    exchange = accepted(propose(kind=Kind.HEAT, with_want=False, amount="1000"))
    deliver(
        exchange,
        amount="500",
        substitution={"substitutes": "boiler_heat", "fuel": "natural_gas", "boiler_efficiency": Decimal("0.920")},
    )

    exchange.complete(RECEIVER)

    payload = exchange.events[-1].payload
    assert payload["want_id"] is None and payload["waste_code"] is None and payload["hazardous"] is False
    assert payload["deliveries"][0]["substitution"] == {
        "substitutes": "boiler_heat",
        "fuel": "natural_gas",
        "boiler_efficiency": "0.92",
    }
    assert payload["deliveries"][0]["evidence"] == {"meter_reading": "HM-7 1234.5 GJ"}


def test_every_event_of_an_exchange_is_keyed_by_its_id_and_has_its_own_id(propose):
    exchange = accepted(propose())
    deliver(exchange)
    exchange.complete(SUPPLIER)

    assert [e.type for e in exchange.events] == [
        "ExchangeProposed",
        "ExchangeAccepted",
        "ExchangeDeliveryRecorded",
        "ExchangeCompleted",
    ]
    assert {e.key for e in exchange.events} == {exchange.id}
    assert len({e.id for e in exchange.events}) == 4


# --- exact decimals --------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, canonical", [("12.50", "12.5"), ("1E+2", "100"), (Decimal("0.000001"), "0.000001"), (7, "7"), (" 3.0 ", "3")]
)
def test_exact_decimals_are_canonical_and_never_in_exponent_notation(raw, canonical):
    assert format(exact_decimal(raw), "f") == canonical


def test_a_price_may_be_zero_or_negative_but_a_quantity_may_not():
    assert format(exact_decimal("-0", positive=False), "f") == "0"
    assert exact_decimal("-12.5", positive=False) == Decimal("-12.5")
    with pytest.raises(ValueError):
        exact_decimal("-0")


# --- who sees and acts -----------------------------------------------------------------

PRINCIPALS = {
    "admin": Principal(Role.ADMIN, "k-admin"),
    "supplier": Principal(Role.ENTERPRISE, "k-s", park_id="park-A", enterprise_id="supplier"),
    "receiver": Principal(Role.ENTERPRISE, "k-r", park_id="park-B", enterprise_id="receiver"),
    "stranger": Principal(Role.ENTERPRISE, "k-x", park_id="park-A", enterprise_id="stranger"),
    "unbound": Principal(Role.ENTERPRISE, "k-u", park_id="park-A"),
    "manager-of-A": Principal(Role.PARK_MANAGER, "k-pa", park_id="park-A"),
    "manager-of-B": Principal(Role.PARK_MANAGER, "k-pb", park_id="park-B"),
    "manager-of-C": Principal(Role.PARK_MANAGER, "k-pc", park_id="park-C"),
}


@pytest.mark.parametrize(
    "who, sees",
    [
        ("admin", True),
        ("supplier", True),
        ("receiver", True),
        ("stranger", False),
        ("unbound", False),
        ("manager-of-A", True),
        ("manager-of-B", True),
        ("manager-of-C", False),
    ],
)
def test_who_sees_an_exchange(propose, who, sees):
    assert exchange_visible(PRINCIPALS[who], propose()) is sees


def test_park_managers_read_but_never_act():
    with pytest.raises(Forbidden):
        acting_as(PRINCIPALS["manager-of-A"])
    with pytest.raises(Forbidden):
        proposer(PRINCIPALS["manager-of-A"], None)


def test_an_admin_must_name_the_side_it_proposes_for_and_an_enterprise_proposes_for_itself():
    assert "on_behalf_of" in refused_fields(proposer, PRINCIPALS["admin"], None)
    assert proposer(PRINCIPALS["admin"], "receiver") == Actor("receiver", admin=True)
    assert proposer(PRINCIPALS["supplier"], None) == Actor("supplier")
    with pytest.raises(Forbidden):
        proposer(PRINCIPALS["supplier"], "receiver")
    with pytest.raises(Forbidden, match="register"):
        proposer(PRINCIPALS["unbound"], None)


def test_list_scopes_follow_the_same_rules():
    assert exchange_scope(PRINCIPALS["admin"]) == ExchangeScope()
    assert exchange_scope(PRINCIPALS["manager-of-B"]) == ExchangeScope(park_id="park-B")
    assert exchange_scope(PRINCIPALS["receiver"]) == ExchangeScope(enterprise_id="receiver")
    assert exchange_scope(PRINCIPALS["unbound"]).nothing
