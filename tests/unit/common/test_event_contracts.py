"""Every event that crosses a service boundary keeps its written contract (services/common/contracts.py).

The listings domain is driven through every change it records; each event it produces must have a
contract, keep it, and go to the contract's topic. Every contract must still be produced, and every
type a consumer's handler table handles (matching's projection, the ledger's recording) must be one
that is produced, on a topic the consumer follows. The payloads are pinned to the bytes the events
carried before they were written down (the old to_dict() dumps), so stored events read as before.
"""

from __future__ import annotations

import ast
import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from services.common import contracts as c
from services.common.events import Event
from services.common.geo import Location
from services.ledger.service_layer import recording
from services.listings.adapters.repositories import (
    EnterpriseRepository,
    ExchangeRepository,
    ListingRepository,
    ParkRepository,
)
from services.listings.domain.enterprises import DirectedUtilisationApproval, Enterprise, HazardousWasteLicence
from services.listings.domain.exchanges import Actor, Exchange
from services.listings.domain.listings import Listing, Terms
from services.listings.domain.parks import Park, YearlyBaseline
from services.listings.domain.reference import credit_code as gb32100
from services.listings.domain.spec_dicts import spec_from_dict
from services.listings.domain.specs import Kind, Side
from services.matching.service_layer import projection

TODAY = date(2026, 5, 20)
HAZARDOUS_CODE = "900-249-08"
SUZHOU = Location(31.2989, 120.5853)
OFFERS = {  # one of each kind, with every optional part given
    "material": {
        "waste_code": HAZARDOUS_CODE,
        "quantity": {"amount": 12.5, "unit": "t", "recurrence": "per_month"},
        "properties": [{"name": "oil", "value": 35.0, "unit": "%"}],
        "price_cny_per_t": -800.0,
    },
    "heat": {
        "medium": "steam",
        "temperature_c": 185.0,
        "pressure_mpa": 1.0,
        "thermal_power_mw": 4.0,
        "hours_per_day": 24.0,
        "days_per_year": 330,
        "price_cny_per_gj": 60.0,
    },
    "water": {
        "reuse_category": "circulating_cooling",
        "flow_m3_per_day": 800.0,
        "parameters": [{"name": "COD", "value": 30.0, "unit": "mg/L"}],
        "price_cny_per_m3": 2.5,
    },
}
WANTS = {
    "material": {
        "waste_codes": [HAZARDOUS_CODE, "900-218-08"],
        "quantity": {"amount": 100.0, "unit": "t", "recurrence": "per_year"},
        "property_bounds": [{"name": "oil", "unit": "%", "min": 20.0, "max": None}],
        "price_cny_per_t": None,
    },
    "heat": {
        "medium": "hot_water",
        "temperature_c": 90.0,
        "pressure_mpa": None,
        "thermal_power_mw": 2.0,
        "hours_per_day": 16.0,
        "days_per_year": 250,
        "price_cny_per_gj": None,
    },
    "water": {
        "reuse_category": "washing",
        "flow_m3_per_day": 300.0,
        "parameter_bounds": [{"name": "COD", "unit": "mg/L", "min": None, "max": 60.0}],
        "price_cny_per_m3": None,
    },
}
LISTINGS_ROOT = Path(__file__).resolve().parents[3] / "services" / "listings"


def _bytes(payload) -> str:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"))


class Produced:
    """Every event the listings domain records, with the topic its repository writes it to, each checked
    against the payload the aggregate's to_dict() gave at that moment (what the events carried before)."""

    def __init__(self) -> None:
        self.events: list[tuple[str, Event]] = []

    def take(self, aggregate, topic: str, former: dict) -> None:
        event = aggregate.events.pop()
        assert not aggregate.events
        assert _bytes(event.payload) == _bytes(former), event.type
        self.events.append((topic, event))

    @property
    def types(self) -> set[str]:
        return {event.type for _, event in self.events}


@pytest.fixture(scope="module")
def produced(catalogue) -> Produced:
    out = Produced()

    park = Park.create(
        "Park A", "Jiangsu", "national", "chemical_park", SUZHOU, [YearlyBaseline(2025, 50000.0, 20000.0, 1e6, 8000.0)]
    )
    out.take(park, ParkRepository.topic, park.to_dict())
    baseline = YearlyBaseline(2026, 52000.0, 19000.0, 9e5, 7500.0)
    park.set_baseline(baseline)
    out.take(park, ParkRepository.topic, {"park_id": park.id, **baseline.__dict__})

    licence = HazardousWasteLicence("JS3205000001", (HAZARDOUS_CODE,), 5000.0, date(2026, 1, 1), date(2026, 12, 31))
    supplier = Enterprise.register(
        park.id, "Supplier Co.", gb32100.company_credit_code("320500", "MA1XK3QB"), "C2614", SUZHOU, [], {}, catalogue
    )
    out.take(supplier, EnterpriseRepository.topic, supplier.to_dict())
    receiver = Enterprise.register(
        park.id,
        "Receiver Co.",
        gb32100.company_credit_code("320500", "MA1XK3QC"),
        "C2614",
        SUZHOU,
        [licence],
        {"name": "王工", "phone": "0512-1234567"},
        catalogue,
    )
    out.take(receiver, EnterpriseRepository.topic, receiver.to_dict())
    approval = DirectedUtilisationApproval(
        "苏环危豁〔2026〕7号", "江苏省生态环境厅", supplier.id, (HAZARDOUS_CODE,), date(2026, 1, 1), date(2026, 12, 31)
    )
    receiver.update(catalogue, approvals=[approval])
    out.take(receiver, EnterpriseRepository.topic, receiver.to_dict())

    def terms(title: str) -> Terms:
        return Terms(title, SUZHOU, 100.0, date(2026, 1, 1))

    listings: dict[tuple[Side, Kind], Listing] = {}
    for side, data, owner in ((Side.OFFER, OFFERS, supplier), (Side.WANT, WANTS, receiver)):
        for kind in Kind:
            listing = Listing.publish(
                side,
                kind,
                owner.id,
                park.id,
                terms(f"{side.value} {kind.value}"),
                spec_from_dict(kind, side, data[kind.value], catalogue),
            )
            out.take(listing, ListingRepository.topic, listing.to_dict())
            listings[side, kind] = listing
    for listing in listings.values():
        listing.edit(terms("edited"), listing.spec)
        out.take(listing, ListingRepository.topic, listing.to_dict())

    def exchange(by: Actor, kind: Kind = Kind.MATERIAL) -> Exchange:
        x = Exchange.propose(
            listings[Side.OFFER, kind],
            listings[Side.WANT, kind],
            receiver,
            by,
            "100",
            {Kind.MATERIAL: "t", Kind.HEAT: "GJ", Kind.WATER: "m3"}[kind],
            "12.5",
            "a note",
            today=TODAY,
        )
        out.take(x, ExchangeRepository.topic, {**x.to_dict(), "by": by.to_dict()})
        return x

    supplying, receiving, admin = Actor(supplier.id), Actor(receiver.id), Actor(None, admin=True)
    done = exchange(supplying)
    done.accept(receiving, today=TODAY)
    out.take(done, ExchangeRepository.topic, {**done.to_dict(), "by": receiving.to_dict()})
    delivery = done.record_delivery(
        supplying,
        receiver,
        TODAY,
        "40.5",
        "t",
        {"weighbridge_ticket": "WB-1", "manifest_number": "M-1"},
        {"substitutes": "virgin_material", "material": "base oil"},
        today=TODAY,
    )
    out.take(
        done, ExchangeRepository.topic, {**done.to_dict(), "by": supplying.to_dict(), "delivery": delivery.to_dict()}
    )
    done.complete(admin, now=datetime(2026, 5, 21, 8, 30, tzinfo=UTC))
    out.take(done, ExchangeRepository.topic, dict(done.completed_payload()))
    declined = exchange(supplying, Kind.HEAT)
    declined.decline(receiving)
    out.take(declined, ExchangeRepository.topic, {**declined.to_dict(), "by": receiving.to_dict()})
    cancelled = exchange(receiving, Kind.WATER)
    cancelled.cancel(receiving)
    out.take(cancelled, ExchangeRepository.topic, {**cancelled.to_dict(), "by": receiving.to_dict()})

    for listing in listings.values():
        for change in (listing.pause, listing.resume, listing.withdraw):
            change()
            out.take(listing, ListingRepository.topic, listing.to_dict())
    return out


def test_every_produced_event_has_a_contract_keeps_it_and_goes_to_its_topic(produced):
    for topic, event in produced.events:
        assert event.type in c.CONTRACTS, f"{event.type} is produced but has no contract in contracts.py"
        contract = c.CONTRACTS[event.type]
        contract.check(event.payload, event.schema_version)
        assert topic == contract.topic, f"{event.type} goes to {topic}; its contract says {contract.topic}"
        assert event.schema_version == contract.latest


def test_every_contract_is_produced(produced):
    assert set(c.CONTRACTS) - produced.types == set(), "contracts nobody produces any more: remove or produce them"


@pytest.mark.parametrize(
    "consumer, topics",
    [
        pytest.param(projection.HANDLERS, projection.TOPICS, id="matching"),
        pytest.param(recording.HANDLERS, recording.TOPICS, id="ledger"),
    ],
)
def test_every_type_a_consumer_handles_is_produced_on_a_topic_it_follows(produced, consumer, topics):
    assert set(consumer) - produced.types == set(), "handled, but never produced"
    assert set(consumer) <= set(c.CONTRACTS)
    assert {c.CONTRACTS[t].topic for t in consumer} <= set(topics)


def test_matching_follows_listings_and_enterprises_and_the_ledger_parks_and_completed_exchanges():
    assert set(projection.HANDLERS) == set(c.LISTING_EVENTS) | set(c.ENTERPRISE_EVENTS)
    assert set(recording.HANDLERS) == {c.PARK_CREATED, c.PARK_BASELINE_SET, c.EXCHANGE_COMPLETED}


def _event_calls(root: Path):
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Event":
                yield path, node


def test_producers_name_events_by_their_contract_constants_never_by_strings_they_assemble():
    calls = list(_event_calls(LISTINGS_ROOT))
    assert calls, "the producers moved: point this test at them"
    for path, call in calls:
        first = call.args[0] if call.args else next(k.value for k in call.keywords if k.arg == "type")
        assert not isinstance(first, (ast.Constant, ast.JoinedStr, ast.BinOp)), (
            f"{path.name}:{call.lineno} names an event with a string; use a constant from contracts.py"
        )


def test_a_payload_missing_a_field_breaks_its_contract_and_the_message_names_it(produced):
    _, event = next((t, e) for t, e in produced.events if e.type == c.OFFER_PUBLISHED)
    broken = {k: v for k, v in event.payload.items() if k != "enterprise_id"}
    with pytest.raises(c.ContractViolation, match="enterprise_id: Field required"):
        c.check(c.OFFER_PUBLISHED, broken)
    with pytest.raises(c.ContractViolation, match="max_distance_km"):
        c.check(c.OFFER_PUBLISHED, {**event.payload, "max_distance_km": "100"})


def test_fields_a_contract_does_not_name_are_allowed_and_a_version_it_does_not_know_is_not(produced):
    _, event = next((t, e) for t, e in produced.events if e.type == c.ENTERPRISE_REGISTERED)
    assert c.check(c.ENTERPRISE_REGISTERED, {**event.payload, "website": "https://example.cn"})
    without = {k: v for k, v in event.payload.items() if k != "approvals"}  # additive: absent in early events
    assert c.check(c.ENTERPRISE_REGISTERED, without)
    with pytest.raises(c.ContractViolation, match="v2 is not a version"):
        c.check(c.ENTERPRISE_REGISTERED, event.payload, schema_version=2)
    with pytest.raises(c.ContractViolation, match="no contract for event type 'OfferArchived'"):
        c.check("OfferArchived", event.payload)
