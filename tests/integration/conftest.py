"""Fixtures for integration tests: real SQLite files under tmp_path, the listings schema
migrated once per session and copied per test, and factories for parks, enterprises and
listings written through the real unit of work."""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime, timedelta

import pytest

from services.common.bus.sqlite_log import SqliteEventLog
from services.common.db import create_engine, migrate
from services.common.geo import Location
from services.listings.adapters.repositories import ListingsUnitOfWork
from services.listings.adapters.tables import outbox
from services.listings.bootstrap import MIGRATIONS
from services.listings.domain.enterprises import Enterprise
from services.listings.domain.listings import Listing, Terms
from services.listings.domain.parks import Park
from services.listings.domain.reference import credit_code as gb32100
from services.listings.domain.reference.waste_codes import WasteCatalogue
from services.listings.domain.spec_dicts import spec_from_dict
from services.listings.domain.specs import Kind, Side

SUZHOU_CENTROID = Location(31.3, 120.7)


@pytest.fixture(scope="session")
def catalogue() -> WasteCatalogue:
    return WasteCatalogue.shipped()


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory):
    path = tmp_path_factory.mktemp("template") / "listings.db"
    migrate(f"sqlite:///{path}", MIGRATIONS)
    return path


@pytest.fixture
def database_url(migrated_template, tmp_path) -> str:
    """A listings database at the newest migration, fresh for each test."""
    path = tmp_path / "listings.db"
    shutil.copy(migrated_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def engine(database_url):
    engine = create_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def uow(engine):
    """A factory of units of work on the test database (call it once per transaction)."""
    return lambda: ListingsUnitOfWork(engine, outbox)


@pytest.fixture
def event_log(tmp_path):
    log = SqliteEventLog(tmp_path / "events.db")
    yield log
    log.close()


def credit_code(n: int) -> str:
    body = f"MA{n:06d}"
    return gb32100.company_credit_code("320500", body)


@pytest.fixture
def make_park():
    def build(name: str = "Suzhou Industrial Park", centroid: Location = SUZHOU_CENTROID) -> Park:
        return Park.create(name, "Jiangsu", "national", "economic_development_zone", centroid)

    return build


@pytest.fixture
def make_enterprise(catalogue):
    counter = iter(range(1, 10_000))

    def build(park: Park, location: Location | None = None, name: str | None = None) -> Enterprise:
        n = next(counter)
        return Enterprise.register(
            park.id, name or f"Enterprise {n}", credit_code(n), "C2614", location or park.centroid, [], {}, catalogue
        )

    return build


@pytest.fixture
def make_listing(catalogue):
    """make_listing(enterprise, side=Side.OFFER, kind=Kind.MATERIAL, location=..., codes=[...], age_s=...)"""
    clock = [datetime(2026, 1, 1, tzinfo=UTC)]

    def build(
        enterprise: Enterprise,
        side: Side = Side.OFFER,
        kind: Kind = Kind.MATERIAL,
        location: Location | None = None,
        codes: list[str] | None = None,
        title: str = "listing",
    ) -> Listing:
        if kind is Kind.MATERIAL:
            codes = codes or ["900-249-08"]
            data = {
                "quantity": {"amount": 10, "unit": "t", "recurrence": "per_month"},
                **({"waste_code": codes[0]} if side is Side.OFFER else {"waste_codes": codes}),
            }
        elif kind is Kind.HEAT:
            data = {
                "medium": "hot_water",
                "temperature_c": 95.0,
                "thermal_power_mw": 2.0,
                "hours_per_day": 24,
                "days_per_year": 330,
            }
        else:
            data = {"reuse_category": "washing", "flow_m3_per_day": 500.0}
        spec = spec_from_dict(kind, side, data, catalogue)
        terms = Terms(title, location or enterprise.location, 200.0, date(2026, 1, 1))
        listing = Listing.publish(side, kind, enterprise.id, enterprise.park_id, terms, spec)
        clock[0] += timedelta(seconds=1)  # distinct, increasing creation times: newest-first is deterministic
        listing.created_at = listing.updated_at = clock[0]
        return listing

    return build
