"""Repositories: domain objects in, domain objects out; SQL stays in this module."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone

import sqlalchemy as sa

from services.common.events import LISTINGS_TOPIC
from services.common.geo import Location, bounding_box, distance_km
from services.common.unit_of_work import SqlUnitOfWork, TrackingRepository
from services.listings.domain.enterprises import Enterprise, HazardousWasteLicence
from services.listings.domain.listings import Listing, Status, Terms
from services.listings.domain.parks import Park, ParkLevel, ParkType, YearlyBaseline
from services.listings.domain.spec_dicts import restore_spec, spec_to_dict, waste_codes_of
from services.listings.domain.specs import Kind, Side

from .tables import enterprises, listing_codes, listings, parks


class ParkRepository(TrackingRepository):
    def add(self, park: Park) -> None:
        self.conn.execute(parks.insert().values(**self._row(park)))
        self._track(park)

    def save(self, park: Park) -> None:
        self.conn.execute(parks.update().where(parks.c.id == park.id).values(**self._row(park)))
        self._track(park)

    def get(self, park_id: str) -> Park | None:
        row = self.conn.execute(sa.select(parks).where(parks.c.id == park_id)).first()
        return self._park(row) if row else None

    def list(self, park_id: str | None = None) -> list[Park]:
        query = sa.select(parks).order_by(parks.c.name)
        if park_id:
            query = query.where(parks.c.id == park_id)
        return [self._park(row) for row in self.conn.execute(query)]

    @staticmethod
    def _row(park: Park) -> dict:
        return {"id": park.id, "name": park.name, "province": park.province, "level": park.level.value,
                "park_type": park.park_type.value, "lat": park.centroid.lat, "lon": park.centroid.lon,
                "baselines": [dict(b.__dict__) for b in park.baselines]}

    @staticmethod
    def _park(row) -> Park:
        return Park(row.id, row.name, row.province, ParkLevel(row.level), ParkType(row.park_type),
                    Location(row.lat, row.lon), [YearlyBaseline(**b) for b in row.baselines])


class EnterpriseRepository(TrackingRepository):
    def add(self, e: Enterprise) -> None:
        self.conn.execute(enterprises.insert().values(**self._row(e)))
        self._track(e)

    def save(self, e: Enterprise) -> None:
        self.conn.execute(enterprises.update().where(enterprises.c.id == e.id).values(**self._row(e)))
        self._track(e)

    def get(self, enterprise_id: str) -> Enterprise | None:
        row = self.conn.execute(sa.select(enterprises).where(enterprises.c.id == enterprise_id)).first()
        return self._enterprise(row) if row else None

    def credit_code_taken(self, credit_code: str, except_id: str | None = None) -> bool:
        query = sa.select(enterprises.c.id).where(enterprises.c.credit_code == credit_code)
        if except_id:
            query = query.where(enterprises.c.id != except_id)
        return self.conn.execute(query).first() is not None

    def list(self, park_id: str | None, offset: int, limit: int) -> tuple[list[Enterprise], int]:
        where = [enterprises.c.park_id == park_id] if park_id else []
        total = self.conn.scalar(sa.select(sa.func.count()).select_from(enterprises).where(*where))
        rows = self.conn.execute(sa.select(enterprises).where(*where).order_by(enterprises.c.name)
                                 .offset(offset).limit(limit))
        return [self._enterprise(row) for row in rows], total

    @staticmethod
    def _row(e: Enterprise) -> dict:
        return {"id": e.id, "park_id": e.park_id, "name": e.name, "credit_code": e.credit_code,
                "industry_code": e.industry_code, "lat": e.location.lat, "lon": e.location.lon,
                "licences": [lic.to_dict() for lic in e.licences], "contact": e.contact}

    @staticmethod
    def _enterprise(row) -> Enterprise:
        licences = [HazardousWasteLicence(lic["number"], tuple(lic["codes"]), lic["capacity_t_per_year"],
                                          date.fromisoformat(lic["valid_from"]), date.fromisoformat(lic["valid_until"]))
                    for lic in row.licences]
        return Enterprise(row.id, row.park_id, row.name, row.credit_code, row.industry_code,
                          Location(row.lat, row.lon), licences, dict(row.contact))


@dataclass(frozen=True)
class ListingQuery:
    """What a user can filter listings by; `near` + `radius_km` is great-circle distance."""

    side: Side
    kind: Kind | None = None
    status: Status | None = None
    code: str | None = None
    park_id: str | None = None
    enterprise_id: str | None = None
    near: Location | None = None
    radius_km: float | None = None
    offset: int = 0
    limit: int = 20


class ListingRepository(TrackingRepository):
    def add(self, listing: Listing) -> None:
        self.conn.execute(listings.insert().values(**self._row(listing)))
        self._write_codes(listing)
        self._track(listing)

    def save(self, listing: Listing) -> None:
        self.conn.execute(listings.update().where(listings.c.id == listing.id).values(**self._row(listing)))
        self.conn.execute(listing_codes.delete().where(listing_codes.c.listing_id == listing.id))
        self._write_codes(listing)
        self._track(listing)

    def get(self, listing_id: str, side: Side) -> Listing | None:
        row = self.conn.execute(
            sa.select(listings).where(listings.c.id == listing_id, listings.c.side == side.value)).first()
        return self._listing(row) if row else None

    def search(self, q: ListingQuery, scope: dict) -> tuple[list[tuple[Listing, float | None]], int]:
        """Matching listings with their distance from `q.near` (km), nearest first when given."""
        query = sa.select(listings).where(listings.c.side == q.side.value, *self._scope(scope))
        for column, value in ((listings.c.kind, q.kind), (listings.c.status, q.status)):
            if value is not None:
                query = query.where(column == value.value)
        for column, value in ((listings.c.park_id, q.park_id), (listings.c.enterprise_id, q.enterprise_id)):
            if value:
                query = query.where(column == value)
        if q.code:
            query = query.where(listings.c.id.in_(
                sa.select(listing_codes.c.listing_id).where(listing_codes.c.code == q.code)))
        if q.near is None:
            total = self.conn.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
            rows = self.conn.execute(query.order_by(listings.c.created_at.desc(), listings.c.id)
                                     .offset(q.offset).limit(q.limit))
            return [(self._listing(row), None) for row in rows], total
        # A bounding box narrows the rows in SQL; the exact great-circle test is done here.
        min_lat, max_lat, min_lon, max_lon = bounding_box(q.near, q.radius_km)
        query = query.where(listings.c.lat.between(min_lat, max_lat), _longitude_between(min_lon, max_lon))
        found = [(listing, distance_km(q.near, listing.terms.location))
                 for listing in map(self._listing, self.conn.execute(query))]
        found = sorted(((l, d) for l, d in found if d <= q.radius_km), key=lambda pair: (pair[1], pair[0].id))
        return found[q.offset:q.offset + q.limit], len(found)

    @staticmethod
    def _scope(scope: dict) -> list:
        if "park_id" in scope:
            return [listings.c.park_id == scope["park_id"]]
        if "active_or_owned_by" in scope:
            return [sa.or_(listings.c.status == Status.ACTIVE.value,
                           listings.c.enterprise_id == scope["active_or_owned_by"])]
        return []

    def _write_codes(self, listing: Listing) -> None:
        codes = waste_codes_of(listing.spec)
        if codes:
            self.conn.execute(listing_codes.insert(), [{"listing_id": listing.id, "code": c} for c in codes])

    @staticmethod
    def _row(listing: Listing) -> dict:
        t = listing.terms
        return {"id": listing.id, "side": listing.side.value, "kind": listing.kind.value,
                "status": listing.status.value, "enterprise_id": listing.enterprise_id,
                "park_id": listing.park_id, "title": t.title, "lat": t.location.lat, "lon": t.location.lon,
                "max_distance_km": t.max_distance_km, "available_from": t.available_from,
                "available_until": t.available_until, "spec": spec_to_dict(listing.side, listing.spec),
                "created_at": listing.created_at, "updated_at": listing.updated_at, "version": listing.version}

    @staticmethod
    def _listing(row) -> Listing:
        side, kind = Side(row.side), Kind(row.kind)
        terms = Terms(row.title, Location(row.lat, row.lon), row.max_distance_km, row.available_from,
                      row.available_until)
        return Listing(row.id, side, kind, row.enterprise_id, row.park_id, terms, restore_spec(kind, side, row.spec),
                       Status(row.status), _aware(row.created_at), _aware(row.updated_at), row.version)


def _longitude_between(min_lon: float, max_lon: float):
    """A longitude band that may cross the antimeridian (e.g. 170 .. 190 is 170..180 or -180..-170)."""
    if min_lon < -180:
        return sa.or_(listings.c.lon >= min_lon + 360, listings.c.lon <= max_lon)
    if max_lon > 180:
        return sa.or_(listings.c.lon >= min_lon, listings.c.lon <= max_lon - 360)
    return listings.c.lon.between(min_lon, max_lon)


def _aware(moment: datetime) -> datetime:
    """SQLite hands datetimes back without their zone; they were stored as UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


class ListingsUnitOfWork(SqlUnitOfWork):
    topic = LISTINGS_TOPIC

    def open_repositories(self, conn):
        self.parks = ParkRepository(conn)
        self.enterprises = EnterpriseRepository(conn)
        self.listings = ListingRepository(conn)
        return [self.parks, self.enterprises, self.listings]
