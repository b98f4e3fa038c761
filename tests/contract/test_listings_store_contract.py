"""The listings service's use cases behave the same on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from services.common.config import Settings
from services.common.errors import Conflict, InvalidFields
from services.common.events import Event
from services.common.geo import Location
from services.common.identity import Principal, Role
from services.listings.adapters.repositories import ListingQuery
from services.listings.adapters.tables import outbox
from services.listings.bootstrap import bootstrap
from services.listings.domain.listings import Status
from services.listings.domain.reference.credit_code import company_credit_code
from services.listings.domain.specs import Kind, Side
from services.listings.service_layer import handlers

ADMIN = Principal(Role.ADMIN, "admin-key")
PARK = {
    "name": "Contract Park",
    "province": "Jiangsu",
    "level": "national",
    "park_type": "chemical_park",
    "centroid": {"lat": 34.59, "lon": 119.59},
}


def credit(n: int) -> str:
    body = f"MA{n:06d}"
    return company_credit_code("320703", body)


@pytest.fixture
def ctx(database_url, tmp_path):
    settings = Settings("listings", tmp_path, database_url, f"sqlite:///{tmp_path / 'events.db'}", "secret")
    return bootstrap(settings)


@pytest.fixture
def enterprise(ctx):
    park = handlers.create_park(ctx, ADMIN, PARK)
    return handlers.register_enterprise(
        ctx,
        ADMIN,
        {
            "park_id": park.id,
            "name": "Contract Chemicals",
            "credit_code": credit(1),
            "industry_code": "C2614",
            "location": {"lat": 34.6, "lon": 119.6},
            "licences": [
                {
                    "number": "L-1",
                    "codes": ["900-249-08"],
                    "capacity_t_per_year": 500,
                    "valid_from": date(2025, 1, 1),
                    "valid_until": date(2029, 12, 31),
                }
            ],
        },
    )


def publish(ctx, enterprise, side=Side.OFFER, **overrides):
    body = {
        "enterprise_id": enterprise.id,
        "kind": "material",
        "title": "Waste oil",
        "max_distance_km": 100,
        "material": {
            ("waste_code" if side is Side.OFFER else "waste_codes"): "900-249-08"
            if side is Side.OFFER
            else ["900-249-08"],
            "quantity": {"amount": 20, "unit": "t", "recurrence": "per_month"},
        },
        **overrides,
    }
    return handlers.publish_listing(ctx, ADMIN, side, body)


def outbox_types(ctx) -> list[str]:
    with ctx.uow() as uow:
        rows = uow.conn.execute(sa.select(outbox.c.event).order_by(outbox.c.seq)).scalars()
        return [Event.from_json(row).type for row in rows]


def test_a_published_listing_reads_back_equal_with_its_licences_and_events(ctx, enterprise):
    offer = publish(ctx, enterprise)
    assert handlers.get_listing(ctx, ADMIN, Side.OFFER, offer.id).to_dict() == offer.to_dict()
    stored, full = handlers.get_enterprise(ctx, ADMIN, enterprise.id)
    assert full and stored.licensed_for("900-249-08", date(2026, 6, 1))
    assert outbox_types(ctx) == ["ParkCreated", "EnterpriseRegistered", "OfferPublished"]


def test_search_filters_by_code_kind_status_and_great_circle_distance(ctx, enterprise):
    near = publish(ctx, enterprise, location={"lat": 36.0, "lon": 120.0})
    far = publish(ctx, enterprise, location={"lat": 36.2, "lon": 120.0})
    paused = publish(ctx, enterprise, location={"lat": 36.01, "lon": 120.0})
    handlers.change_status(ctx, ADMIN, Side.OFFER, paused.id, "pause")
    query = ListingQuery(
        Side.OFFER,
        kind=Kind.MATERIAL,
        status=Status.ACTIVE,
        code="900-249-08",
        near=Location(36.0, 120.0),
        radius_km=30,
    )
    found, total = handlers.search_listings(ctx, ADMIN, query)
    assert [listing.id for listing, _ in found] == [near.id, far.id] and total == 2
    assert found[1][1] == pytest.approx(22.239, rel=1e-3)
    narrow, _ = handlers.search_listings(ctx, ADMIN, ListingQuery(Side.OFFER, near=Location(36.0, 120.0), radius_km=10))
    assert far.id not in [listing.id for listing, _ in narrow]


def test_an_edit_bumps_the_version_and_records_an_event(ctx, enterprise):
    offer = publish(ctx, enterprise)
    edited = handlers.edit_listing(ctx, ADMIN, Side.OFFER, offer.id, {"title": "Re-refinable waste oil"})
    assert handlers.get_listing(ctx, ADMIN, Side.OFFER, offer.id).terms.title == "Re-refinable waste oil"
    assert edited.version == 2 and outbox_types(ctx)[-1] == "OfferUpdated"


def test_a_second_enterprise_with_the_same_credit_code_is_refused_and_nothing_is_written(ctx, enterprise):
    before = outbox_types(ctx)
    with pytest.raises(Conflict):
        handlers.register_enterprise(
            ctx,
            ADMIN,
            {
                "park_id": enterprise.park_id,
                "name": "Copycat",
                "credit_code": enterprise.credit_code,
                "industry_code": "C26",
                "location": {"lat": 34.6, "lon": 119.6},
            },
        )
    assert outbox_types(ctx) == before


def test_a_refused_listing_leaves_no_row_and_no_event(ctx, enterprise):
    before = outbox_types(ctx)
    with pytest.raises(InvalidFields):
        publish(
            ctx,
            enterprise,
            material={"waste_code": "900-249-41", "quantity": {"amount": 1, "unit": "t", "recurrence": "one_off"}},
        )
    found, total = handlers.search_listings(ctx, ADMIN, ListingQuery(Side.OFFER))
    assert total == 0 and outbox_types(ctx) == before


def test_wants_are_kept_apart_from_offers(ctx, enterprise):
    want = publish(ctx, enterprise, side=Side.WANT)
    assert handlers.search_listings(ctx, ADMIN, ListingQuery(Side.OFFER))[1] == 0
    assert [w.id for w, _ in handlers.search_listings(ctx, ADMIN, ListingQuery(Side.WANT))[0]] == [want.id]


def test_an_enterprises_directed_utilisation_approvals_read_back_equal(ctx, enterprise):
    receiver = handlers.register_enterprise(
        ctx,
        ADMIN,
        {
            "park_id": enterprise.park_id,
            "name": "Contract Recyclers",
            "credit_code": credit(2),
            "industry_code": "N7724",
            "location": {"lat": 34.61, "lon": 119.61},
            "approvals": [
                {
                    "number": "苏环危豁〔2026〕7号",
                    "authority": "江苏省生态环境厅",
                    "supplier_enterprise_id": enterprise.id,
                    "codes": ["90024908"],
                    "valid_from": date(2026, 1, 1),
                    "valid_until": date(2027, 12, 31),
                }
            ],
        },
    )

    stored, _ = handlers.get_enterprise(ctx, ADMIN, receiver.id)

    assert stored.to_dict() == receiver.to_dict()
    assert stored.approvals[0].codes == ("900-249-08",) and stored.approvals[0].capacity_t_per_year is None
    assert stored.may_receive("900-249-08", enterprise.id, date(2026, 6, 1))
    assert not stored.may_receive("900-249-08", "someone-else", date(2026, 6, 1))
    stored_supplier, _ = handlers.get_enterprise(ctx, ADMIN, enterprise.id)
    assert stored_supplier.approvals == []


def test_an_approval_from_an_unregistered_supplier_is_refused_and_nothing_is_written(ctx, enterprise):
    before = outbox_types(ctx)
    with pytest.raises(InvalidFields) as caught:
        handlers.update_enterprise(
            ctx,
            ADMIN,
            enterprise.id,
            {
                "approvals": [
                    {
                        "number": "A-1",
                        "authority": "江苏省生态环境厅",
                        "supplier_enterprise_id": "no-such-enterprise",
                        "codes": ["900-249-08"],
                        "valid_from": date(2026, 1, 1),
                        "valid_until": date(2026, 12, 31),
                    }
                ]
            },
        )

    assert list(caught.value.errors) == ["approvals.0.supplier_enterprise_id"]
    assert handlers.get_enterprise(ctx, ADMIN, enterprise.id)[0].approvals == []
    assert outbox_types(ctx) == before
