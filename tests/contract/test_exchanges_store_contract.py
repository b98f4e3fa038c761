"""Exchanges (services/listings/service_layer/exchanges.py) behave the same on SQLite and on PostgreSQL.

One body per test, run on each database adapter (`sqlite`, `postgres`), through the listings
service's own bootstrap and use cases: propose → accept → deliveries → complete; decimal
quantities and prices at the edges of the allowed precision read back digit for digit; the
outbox holds the exchange's events on exchanges.v1 and `ExchangeCompleted` exactly once; and
deliveries recorded at the same moment on one exchange are all kept, with the right total."""

from __future__ import annotations

import threading
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from services.common.config import Settings
from services.common.errors import Conflict, InvalidFields
from services.common.events import EXCHANGES_TOPIC, LISTINGS_TOPIC, Event
from services.common.identity import Principal, Role
from services.listings.adapters.tables import exchange_deliveries, exchanges, outbox
from services.listings.bootstrap import bootstrap
from services.listings.domain.exchanges import ExchangeStatus
from services.listings.domain.reference.credit_code import company_credit_code
from services.listings.domain.specs import Side
from services.listings.service_layer import exchanges as use_cases
from services.listings.service_layer import handlers

ADMIN = Principal(Role.ADMIN, "admin-key")
PARK = {
    "name": "Exchange Contract Park",
    "province": "Jiangsu",
    "level": "national",
    "park_type": "chemical_park",
    "centroid": {"lat": 31.3, "lon": 120.7},
}
TODAY = date.today()
BIG = "999999999999.5"  # just below the 10^12 cap
TINY = "0.000001"  # the sixth decimal place, the finest allowed


def credit(n: int) -> str:
    body = f"MA{n:06d}"
    return company_credit_code("320500", body)


@pytest.fixture
def ctx(database_url, tmp_path):
    settings = Settings("listings", tmp_path, database_url, f"sqlite:///{tmp_path / 'events.db'}", "secret")
    return bootstrap(settings)


@pytest.fixture
def parties(ctx):
    """A reclaimed-water supplier with an offer, and a receiver in the same park: their principals."""
    park = handlers.create_park(ctx, ADMIN, PARK)
    made = {}
    for n, name in enumerate(("supplier", "receiver"), start=1):
        enterprise = handlers.register_enterprise(
            ctx,
            ADMIN,
            {
                "park_id": park.id,
                "name": f"{name.title()} Co.",
                "credit_code": credit(n),
                "industry_code": "D4620",
                "location": {"lat": 31.3, "lon": 120.7 + n / 100},
            },
        )
        made[name] = Principal(Role.ENTERPRISE, f"key-{name}", park_id=park.id, enterprise_id=enterprise.id)
    offer = handlers.publish_listing(
        ctx,
        made["supplier"],
        Side.OFFER,
        {
            "enterprise_id": made["supplier"].enterprise_id,
            "kind": "water",
            "title": "Reclaimed water",
            "max_distance_km": 20,
            "water": {"reuse_category": "circulating_cooling", "flow_m3_per_day": 8000},
        },
    )
    made["offer_id"] = offer.id
    return made


def propose(ctx, parties, amount: str = "1000", **extra):
    return use_cases.propose_exchange(
        ctx,
        parties["supplier"],
        {
            "offer_id": parties["offer_id"],
            "receiver_enterprise_id": parties["receiver"].enterprise_id,
            "agreed_amount": amount,
            "agreed_unit": "m3",
            **extra,
        },
    )


def delivery(amount: str, meter: str = "RW-02", **extra) -> dict:
    return {
        "delivered_on": TODAY,
        "amount": amount,
        "unit": "m3",
        "evidence": {"meter_reading": meter},
        "substitution": {"substitutes": "municipal_water"},
        **extra,
    }


def outbox_events(ctx, topic: str | None = None) -> list[tuple[str, Event]]:
    with ctx.uow() as uow:
        rows = uow.conn.execute(sa.select(outbox.c.topic, outbox.c.event).order_by(outbox.c.seq)).all()
    return [(t, Event.from_json(e)) for t, e in rows if topic is None or t == topic]


def test_an_exchange_goes_from_proposal_to_completion_and_completes_once_on_exchanges_v1(ctx, parties):
    supplier, receiver = parties["supplier"], parties["receiver"]
    proposed = propose(ctx, parties, "600", note="月度再生水")
    assert use_cases.get_exchange(ctx, receiver, proposed.id).status is ExchangeStatus.PROPOSED
    with pytest.raises(Conflict):  # nothing is delivered before the receiver accepts
        use_cases.record_delivery(ctx, supplier, proposed.id, delivery("1"))
    accepted = use_cases.change_exchange(ctx, receiver, proposed.id, "accept")
    assert accepted.status is ExchangeStatus.ACCEPTED and accepted.accepted_on == TODAY
    first = use_cases.record_delivery(ctx, supplier, proposed.id, delivery("250.25", "RW-02 0000250"))
    second = use_cases.record_delivery(ctx, receiver, proposed.id, delivery("349.75", "RW-02 0000600"))
    assert [d.id for d in use_cases.list_deliveries(ctx, receiver, proposed.id)] == [first.id, second.id]
    done = use_cases.change_exchange(ctx, receiver, proposed.id, "complete")
    assert done.status is ExchangeStatus.COMPLETED
    with pytest.raises(Conflict):
        use_cases.change_exchange(ctx, supplier, proposed.id, "complete")
    with pytest.raises(Conflict):
        use_cases.record_delivery(ctx, supplier, proposed.id, delivery("1"))

    stored = use_cases.get_exchange(ctx, ADMIN, proposed.id)
    assert stored.to_dict() == done.to_dict() and stored.note == "月度再生水"
    assert stored.completed_at == done.completed_at and stored.completed_at.utcoffset().total_seconds() == 0
    assert [d.to_dict() for d in stored.deliveries] == [first.to_dict(), second.to_dict()]
    assert stored.delivered_amount() == Decimal("600") and stored.version == 5

    on_exchanges = outbox_events(ctx, EXCHANGES_TOPIC)
    assert [e.type for _, e in on_exchanges] == [
        "ExchangeProposed",
        "ExchangeAccepted",
        "ExchangeDeliveryRecorded",
        "ExchangeDeliveryRecorded",
        "ExchangeCompleted",
    ]
    assert all(e.key == proposed.id for _, e in on_exchanges)
    completions = [e for t, e in outbox_events(ctx) if e.type == "ExchangeCompleted"]
    assert len(completions) == 1 and completions[0].payload == dict(stored.completed_payload())
    assert completions[0].payload["deliveries"][1]["amount"] == "349.75"
    assert not any(e.type.startswith("Exchange") for _, e in outbox_events(ctx, LISTINGS_TOPIC))


def test_decimal_amounts_at_the_edges_of_the_allowed_precision_read_back_exactly(ctx, parties):
    supplier, receiver = parties["supplier"], parties["receiver"]
    proposed = propose(ctx, parties, BIG, price_cny_per_unit="-123456789012.654321")
    use_cases.change_exchange(ctx, receiver, proposed.id, "accept")
    use_cases.record_delivery(ctx, supplier, proposed.id, delivery(TINY))
    use_cases.record_delivery(ctx, supplier, proposed.id, delivery("999999999999.499999"))
    use_cases.record_delivery(ctx, supplier, proposed.id, delivery("12.500000", confirm_over_delivery=True))
    use_cases.change_exchange(ctx, supplier, proposed.id, "complete")

    stored = use_cases.get_exchange(ctx, ADMIN, proposed.id)
    assert stored.agreed_amount == Decimal(BIG) and str(stored.agreed_amount) == BIG
    assert stored.price_cny_per_unit == Decimal("-123456789012.654321")
    assert [str(d.amount) for d in stored.deliveries] == [TINY, "999999999999.499999", "12.5"]
    assert stored.delivered_amount() == Decimal("1000000000012")
    data = stored.to_dict()
    assert (data["agreed_amount"], data["price_cny_per_unit"], data["delivered_amount"]) == (
        BIG,
        "-123456789012.654321",
        "1000000000012",
    )
    with ctx.uow() as uow:  # the columns hold the canonical decimal strings themselves
        row = uow.conn.execute(
            sa.select(exchanges.c.agreed_amount, exchanges.c.price_cny_per_unit).where(exchanges.c.id == proposed.id)
        ).one()
        amounts = (
            uow.conn.execute(
                sa.select(exchange_deliveries.c.amount)
                .where(exchange_deliveries.c.exchange_id == proposed.id)
                .order_by(exchange_deliveries.c.seq)
            )
            .scalars()
            .all()
        )
    assert tuple(row) == (BIG, "-123456789012.654321") and amounts == [TINY, "999999999999.499999", "12.5"]
    [completion] = [e for _, e in outbox_events(ctx, EXCHANGES_TOPIC) if e.type == "ExchangeCompleted"]
    assert completion.payload["agreed_amount"] == BIG
    assert [d["amount"] for d in completion.payload["deliveries"]] == [TINY, "999999999999.499999", "12.5"]


def test_amounts_beyond_the_allowed_precision_are_refused_and_nothing_is_written(ctx, parties):
    before = outbox_events(ctx)
    for amount in ("0.0000001", "1000000000000", "0", "-5", "1e400", "NaN"):
        with pytest.raises(InvalidFields):
            propose(ctx, parties, amount)
    assert outbox_events(ctx) == before
    assert use_cases.list_exchanges(ctx, ADMIN, None, None, 0, 10) == ([], 0)


@pytest.mark.parametrize("writers", [2, 4])
def test_deliveries_recorded_at_the_same_moment_on_one_exchange_are_all_kept(ctx, parties, writers):
    supplier, receiver = parties["supplier"], parties["receiver"]
    proposed = propose(ctx, parties, "1000")
    use_cases.change_exchange(ctx, receiver, proposed.id, "accept")
    amounts = [f"{n}.00000{n}" for n in range(1, writers + 1)]
    start, recorded, errors = threading.Barrier(writers), [], []

    def record(n: int, amount: str) -> None:
        try:
            start.wait(10)
            who = supplier if n % 2 else receiver
            recorded.append(use_cases.record_delivery(ctx, who, proposed.id, delivery(amount, f"RW-{n}")))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=record, args=(n, a)) for n, a in enumerate(amounts)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    stored = use_cases.get_exchange(ctx, ADMIN, proposed.id)
    assert sorted(d.id for d in stored.deliveries) == sorted(d.id for d in recorded)
    assert sorted(str(d.amount) for d in stored.deliveries) == sorted(amounts)
    assert stored.delivered_amount() == sum(map(Decimal, amounts)) and stored.status is ExchangeStatus.DELIVERING
    assert stored.version == 2 + writers  # each delivery bumped the version once
    with ctx.uow() as uow:
        seqs = (
            uow.conn.execute(
                sa.select(exchange_deliveries.c.seq).where(exchange_deliveries.c.exchange_id == proposed.id)
            )
            .scalars()
            .all()
        )
    assert sorted(seqs) == list(range(writers))
    recorded_events = [e for _, e in outbox_events(ctx, EXCHANGES_TOPIC) if e.type == "ExchangeDeliveryRecorded"]
    assert sorted(e.payload["delivery"]["id"] for e in recorded_events) == sorted(d.id for d in recorded)

    use_cases.change_exchange(ctx, supplier, proposed.id, "complete")
    [completion] = [e for _, e in outbox_events(ctx, EXCHANGES_TOPIC) if e.type == "ExchangeCompleted"]
    assert sorted(d["amount"] for d in completion.payload["deliveries"]) == sorted(amounts)


def test_completing_from_both_sides_at_once_completes_once(ctx, parties):
    supplier, receiver = parties["supplier"], parties["receiver"]
    proposed = propose(ctx, parties, "10")
    use_cases.change_exchange(ctx, receiver, proposed.id, "accept")
    use_cases.record_delivery(ctx, supplier, proposed.id, delivery("10"))
    start, outcomes = threading.Barrier(2), []

    def complete(who):
        start.wait(10)
        try:
            use_cases.change_exchange(ctx, who, proposed.id, "complete")
            outcomes.append("completed")
        except Conflict:
            outcomes.append("conflict")
        except Exception as exc:  # noqa: BLE001 - reported below
            outcomes.append(repr(exc))

    threads = [threading.Thread(target=complete, args=(who,)) for who in (supplier, receiver)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(outcomes) == ["completed", "conflict"]
    assert [e.type for _, e in outbox_events(ctx, EXCHANGES_TOPIC)].count("ExchangeCompleted") == 1


def test_a_stored_directed_utilisation_approval_lets_its_receiver_take_that_suppliers_hazardous_waste(ctx, parties):
    supplier, receiver = parties["supplier"], parties["receiver"]
    handlers.update_enterprise(
        ctx,
        ADMIN,
        receiver.enterprise_id,
        {
            "approvals": [
                {
                    "number": "苏环危豁〔2026〕7号",
                    "authority": "江苏省生态环境厅",
                    "supplier_enterprise_id": supplier.enterprise_id,
                    "codes": ["900-249-08"],
                    "valid_from": date(2020, 1, 1),
                    "valid_until": date(2099, 12, 31),
                }
            ]
        },
    )
    waste_oil = {
        "kind": "material",
        "title": "Waste mineral oil",
        "max_distance_km": 50,
        "material": {"waste_code": "900-249-08", "quantity": {"amount": 20, "unit": "t", "recurrence": "per_month"}},
    }
    offer = handlers.publish_listing(ctx, supplier, Side.OFFER, {"enterprise_id": supplier.enterprise_id, **waste_oil})
    strangers = handlers.register_enterprise(
        ctx,
        ADMIN,
        {
            "park_id": supplier.park_id,
            "name": "Stranger Co.",
            "credit_code": credit(3),
            "industry_code": "C2614",
            "location": {"lat": 31.3, "lon": 120.74},
        },
    )
    other_offer = handlers.publish_listing(ctx, ADMIN, Side.OFFER, {"enterprise_id": strangers.id, **waste_oil})

    proposed = use_cases.propose_exchange(
        ctx,
        supplier,
        {
            "offer_id": offer.id,
            "receiver_enterprise_id": receiver.enterprise_id,
            "agreed_amount": "5",
            "agreed_unit": "t",
        },
    )
    use_cases.change_exchange(ctx, receiver, proposed.id, "accept")
    use_cases.record_delivery(
        ctx,
        supplier,
        proposed.id,
        {
            "delivered_on": TODAY,
            "amount": "5",
            "unit": "t",
            "evidence": {"weighbridge_ticket": "WB-1", "manifest_number": "3205202605200001"},
            "substitution": {"substitutes": "virgin_material", "material": "base oil"},
        },
    )
    with pytest.raises(InvalidFields) as caught:
        use_cases.propose_exchange(
            ctx,
            ADMIN,
            {
                "offer_id": other_offer.id,
                "receiver_enterprise_id": receiver.enterprise_id,
                "agreed_amount": "5",
                "agreed_unit": "t",
                "on_behalf_of": strangers.id,
            },
        )

    assert use_cases.get_exchange(ctx, ADMIN, proposed.id).delivered_amount() == Decimal("5")
    assert list(caught.value.errors) == ["receiver_enterprise_id"]
