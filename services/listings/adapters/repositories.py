"""Repositories: domain objects in, domain objects out; SQL stays in this module."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from services.common.db import as_utc
from services.common.events import EXCHANGES_TOPIC, LISTINGS_TOPIC
from services.common.geo import Location, bounding_box, distance_km
from services.common.unit_of_work import SqlUnitOfWork, TrackingRepository
from services.listings.domain.access import ExchangeScope, ListingScope, ParkScope
from services.listings.domain.deliveries import Delivery, decimal_str
from services.listings.domain.enterprises import DirectedUtilisationApproval, Enterprise, HazardousWasteLicence
from services.listings.domain.exchanges import Exchange, ExchangeStatus, Party
from services.listings.domain.listings import Listing, Status, Terms
from services.listings.domain.parks import Park, ParkLevel, ParkType, YearlyBaseline
from services.listings.domain.spec_dicts import restore_spec, spec_to_dict, waste_codes_of
from services.listings.domain.specs import Kind, Side

from .tables import enterprises, exchange_deliveries, exchanges, listing_codes, listings, parks


class ParkRepository(TrackingRepository):
    topic = LISTINGS_TOPIC

    def add(self, park: Park) -> None:
        self.conn.execute(parks.insert().values(**self._row(park)))
        self._track(park)

    def save(self, park: Park) -> None:
        self.conn.execute(parks.update().where(parks.c.id == park.id).values(**self._row(park)))
        self._track(park)

    def get(self, park_id: str) -> Park | None:
        row = self.conn.execute(sa.select(parks).where(parks.c.id == park_id)).first()
        return self._park(row) if row else None

    def list(self, scope: ParkScope) -> list[Park]:
        query = sa.select(parks).order_by(parks.c.name)
        if scope.park_id:
            query = query.where(parks.c.id == scope.park_id)
        if scope.province is not None:
            query = query.where(parks.c.province == scope.province)
        return [self._park(row) for row in self.conn.execute(query)]

    @staticmethod
    def _row(park: Park) -> dict:
        return {
            "id": park.id,
            "name": park.name,
            "province": park.province,
            "level": park.level.value,
            "park_type": park.park_type.value,
            "lat": park.centroid.lat,
            "lon": park.centroid.lon,
            "baselines": [dict(b.__dict__) for b in park.baselines],
        }

    @staticmethod
    def _park(row) -> Park:
        return Park(
            row.id,
            row.name,
            row.province,
            ParkLevel(row.level),
            ParkType(row.park_type),
            Location(row.lat, row.lon),
            [YearlyBaseline(**b) for b in row.baselines],
        )


class EnterpriseRepository(TrackingRepository):
    topic = LISTINGS_TOPIC

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
        rows = self.conn.execute(
            sa.select(enterprises).where(*where).order_by(enterprises.c.name).offset(offset).limit(limit)
        )
        return [self._enterprise(row) for row in rows], total

    @staticmethod
    def _row(e: Enterprise) -> dict:
        return {
            "id": e.id,
            "park_id": e.park_id,
            "name": e.name,
            "credit_code": e.credit_code,
            "industry_code": e.industry_code,
            "lat": e.location.lat,
            "lon": e.location.lon,
            "licences": [lic.to_dict() for lic in e.licences],
            "contact": e.contact,
            "approvals": [approval.to_dict() for approval in e.approvals],
        }

    @staticmethod
    def _enterprise(row) -> Enterprise:
        licences = [
            HazardousWasteLicence(
                lic["number"],
                tuple(lic["codes"]),
                lic["capacity_t_per_year"],
                date.fromisoformat(lic["valid_from"]),
                date.fromisoformat(lic["valid_until"]),
            )
            for lic in row.licences
        ]
        approvals = [
            DirectedUtilisationApproval(
                a["number"],
                a["authority"],
                a["supplier_enterprise_id"],
                tuple(a["codes"]),
                date.fromisoformat(a["valid_from"]),
                date.fromisoformat(a["valid_until"]),
                a["capacity_t_per_year"],
            )
            for a in row.approvals
        ]
        return Enterprise(
            row.id,
            row.park_id,
            row.name,
            row.credit_code,
            row.industry_code,
            Location(row.lat, row.lon),
            licences,
            dict(row.contact),
            approvals,
        )


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
    topic = LISTINGS_TOPIC

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
            sa.select(listings).where(listings.c.id == listing_id, listings.c.side == side.value)
        ).first()
        return self._listing(row) if row else None

    def search(self, q: ListingQuery, scope: ListingScope) -> tuple[list[tuple[Listing, float | None]], int]:
        """Matching listings with their distance from `q.near` (km), nearest first when given."""
        query = sa.select(listings).where(listings.c.side == q.side.value, *self._scope(scope))
        for column, value in ((listings.c.kind, q.kind), (listings.c.status, q.status)):
            if value is not None:
                query = query.where(column == value.value)
        for column, value in ((listings.c.park_id, q.park_id), (listings.c.enterprise_id, q.enterprise_id)):
            if value:
                query = query.where(column == value)
        if q.code:
            query = query.where(
                listings.c.id.in_(sa.select(listing_codes.c.listing_id).where(listing_codes.c.code == q.code))
            )
        if q.near is None:
            total = self.conn.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
            rows = self.conn.execute(
                query.order_by(listings.c.created_at.desc(), listings.c.id).offset(q.offset).limit(q.limit)
            )
            return [(self._listing(row), None) for row in rows], total
        # A bounding box narrows the rows in SQL; the exact great-circle test is done here.
        min_lat, max_lat, min_lon, max_lon = bounding_box(q.near, q.radius_km)
        query = query.where(listings.c.lat.between(min_lat, max_lat), _longitude_between(min_lon, max_lon))
        found = [
            (listing, distance_km(q.near, listing.terms.location))
            for listing in map(self._listing, self.conn.execute(query))
        ]
        found = sorted(
            ((listing, d) for listing, d in found if d <= q.radius_km), key=lambda pair: (pair[1], pair[0].id)
        )
        return found[q.offset : q.offset + q.limit], len(found)

    @staticmethod
    def _scope(scope: ListingScope) -> list:
        """access.listing_scope's restriction in SQL."""
        if scope.nothing:
            return [sa.false()]
        where = []
        if scope.park_id is not None:
            where.append(listings.c.park_id == scope.park_id)
        if scope.active_only:
            active = listings.c.status == Status.ACTIVE.value
            where.append(
                active if scope.owner_id is None else sa.or_(active, listings.c.enterprise_id == scope.owner_id)
            )
        return where

    def _write_codes(self, listing: Listing) -> None:
        codes = waste_codes_of(listing.spec)
        if codes:
            self.conn.execute(listing_codes.insert(), [{"listing_id": listing.id, "code": c} for c in codes])

    @staticmethod
    def _row(listing: Listing) -> dict:
        t = listing.terms
        return {
            "id": listing.id,
            "side": listing.side.value,
            "kind": listing.kind.value,
            "status": listing.status.value,
            "enterprise_id": listing.enterprise_id,
            "park_id": listing.park_id,
            "title": t.title,
            "lat": t.location.lat,
            "lon": t.location.lon,
            "max_distance_km": t.max_distance_km,
            "available_from": t.available_from,
            "available_until": t.available_until,
            "spec": spec_to_dict(listing.side, listing.spec),
            "created_at": listing.created_at,
            "updated_at": listing.updated_at,
            "version": listing.version,
        }

    @staticmethod
    def _listing(row) -> Listing:
        side, kind = Side(row.side), Kind(row.kind)
        terms = Terms(
            row.title, Location(row.lat, row.lon), row.max_distance_km, row.available_from, row.available_until
        )
        return Listing(
            row.id,
            side,
            kind,
            row.enterprise_id,
            row.park_id,
            terms,
            restore_spec(kind, side, row.spec),
            Status(row.status),
            as_utc(row.created_at),
            as_utc(row.updated_at),
            row.version,
        )


def _longitude_between(min_lon: float, max_lon: float):
    """A longitude band that may cross the antimeridian (e.g. 170 .. 190 is 170..180 or -180..-170)."""
    if min_lon < -180:
        return sa.or_(listings.c.lon >= min_lon + 360, listings.c.lon <= max_lon)
    if max_lon > 180:
        return sa.or_(listings.c.lon >= min_lon, listings.c.lon <= max_lon - 360)
    return listings.c.lon.between(min_lon, max_lon)


class ExchangeRepository(TrackingRepository):
    """Exchanges and their deliveries; their events go to exchanges.v1, not listings.v1."""

    topic = EXCHANGES_TOPIC

    def add(self, exchange: Exchange) -> None:
        self.conn.execute(exchanges.insert().values(**self._row(exchange)))
        self._write_new_deliveries(exchange, stored=0)
        self._track(exchange)

    def save(self, exchange: Exchange) -> None:
        stored = self.conn.scalar(sa.select(sa.func.count()).where(exchange_deliveries.c.exchange_id == exchange.id))
        self.conn.execute(exchanges.update().where(exchanges.c.id == exchange.id).values(**self._row(exchange)))
        self._write_new_deliveries(exchange, stored)
        self._track(exchange)

    def get(self, exchange_id: str, for_update: bool = False) -> Exchange | None:
        """`for_update` locks the row (PostgreSQL) so two changes to one exchange serialise."""
        query = sa.select(exchanges).where(exchanges.c.id == exchange_id)
        row = self.conn.execute(query.with_for_update() if for_update else query).first()
        return self._exchange(row, self._deliveries([exchange_id]).get(exchange_id, [])) if row else None

    def list(
        self,
        scope: ExchangeScope,
        status: ExchangeStatus | None,
        kind: Kind | None,
        offset: int,
        limit: int,
        park_id: str | None = None,
    ):
        """Newest first, restricted by `scope` (domain.access.exchange_scope) and, when given, to a park."""
        where = self._scope(scope)
        if park_id is not None:
            where.append(sa.or_(exchanges.c.supplier_park_id == park_id, exchanges.c.receiver_park_id == park_id))
        for column, value in ((exchanges.c.status, status), (exchanges.c.kind, kind)):
            if value is not None:
                where.append(column == value.value)
        total = self.conn.scalar(sa.select(sa.func.count()).select_from(exchanges).where(*where))
        rows = self.conn.execute(
            sa.select(exchanges)
            .where(*where)
            .order_by(exchanges.c.created_at.desc(), exchanges.c.id)
            .offset(offset)
            .limit(limit)
        ).all()
        deliveries = self._deliveries([row.id for row in rows])
        return [self._exchange(row, deliveries.get(row.id, [])) for row in rows], total

    @staticmethod
    def _scope(scope: ExchangeScope) -> list:
        """access.exchange_scope's restriction in SQL."""
        if scope.nothing:
            return [sa.false()]
        if scope.park_id is not None:
            return [
                sa.or_(exchanges.c.supplier_park_id == scope.park_id, exchanges.c.receiver_park_id == scope.park_id)
            ]
        if scope.enterprise_id is not None:
            return [
                sa.or_(exchanges.c.supplier_id == scope.enterprise_id, exchanges.c.receiver_id == scope.enterprise_id)
            ]
        return []

    def _write_new_deliveries(self, exchange: Exchange, stored: int) -> None:
        new = exchange.deliveries[stored:]
        if new:
            self.conn.execute(
                exchange_deliveries.insert(),
                [
                    {
                        "id": d.id,
                        "exchange_id": exchange.id,
                        "seq": stored + i,
                        "delivered_on": d.delivered_on,
                        "amount": decimal_str(d.amount),
                        "unit": d.unit,
                        "evidence": d.evidence,
                        "substitution": d.substitution,
                        "recorded_by": d.recorded_by,
                        "recorded_at": d.recorded_at,
                    }
                    for i, d in enumerate(new)
                ],
            )

    def _deliveries(self, exchange_ids: list[str]) -> dict[str, list[Delivery]]:
        found: dict[str, list[Delivery]] = {}
        if exchange_ids:
            rows = self.conn.execute(
                sa.select(exchange_deliveries)
                .where(exchange_deliveries.c.exchange_id.in_(exchange_ids))
                .order_by(exchange_deliveries.c.exchange_id, exchange_deliveries.c.seq)
            )
            for r in rows:
                found.setdefault(r.exchange_id, []).append(
                    Delivery(
                        r.id,
                        r.delivered_on,
                        Decimal(r.amount),
                        r.unit,
                        dict(r.evidence),
                        dict(r.substitution),
                        r.recorded_by,
                        as_utc(r.recorded_at),
                    )
                )
        return found

    @staticmethod
    def _row(e: Exchange) -> dict:
        return {
            "id": e.id,
            "kind": e.kind.value,
            "status": e.status.value,
            "offer_id": e.offer_id,
            "want_id": e.want_id,
            "supplier_id": e.supplier.enterprise_id,
            "supplier_park_id": e.supplier.park_id,
            "receiver_id": e.receiver.enterprise_id,
            "receiver_park_id": e.receiver.park_id,
            "proposed_by": e.proposed_by,
            "waste_code": e.waste_code,
            "hazardous": e.hazardous,
            "agreed_amount": decimal_str(e.agreed_amount),
            "agreed_unit": e.agreed_unit,
            "price_cny_per_unit": None if e.price_cny_per_unit is None else decimal_str(e.price_cny_per_unit),
            "note": e.note,
            "proposed_on": e.proposed_on,
            "accepted_on": e.accepted_on,
            "completed_at": e.completed_at,
            "created_at": e.created_at,
            "updated_at": e.updated_at,
            "version": e.version,
        }

    @staticmethod
    def _exchange(row, deliveries: list[Delivery]) -> Exchange:
        return Exchange(
            id=row.id,
            kind=Kind(row.kind),
            offer_id=row.offer_id,
            want_id=row.want_id,
            supplier=Party(row.supplier_id, row.supplier_park_id),
            receiver=Party(row.receiver_id, row.receiver_park_id),
            proposed_by=row.proposed_by,
            waste_code=row.waste_code,
            hazardous=row.hazardous,
            agreed_amount=Decimal(row.agreed_amount),
            agreed_unit=row.agreed_unit,
            price_cny_per_unit=None if row.price_cny_per_unit is None else Decimal(row.price_cny_per_unit),
            note=row.note,
            proposed_on=row.proposed_on,
            status=ExchangeStatus(row.status),
            accepted_on=row.accepted_on,
            completed_at=as_utc(row.completed_at),
            deliveries=deliveries,
            created_at=as_utc(row.created_at),
            updated_at=as_utc(row.updated_at),
            version=row.version,
        )


class ListingsUnitOfWork(SqlUnitOfWork):
    def open_repositories(self, conn):
        self.parks = ParkRepository(conn)
        self.enterprises = EnterpriseRepository(conn)
        self.listings = ListingRepository(conn)
        self.exchanges = ExchangeRepository(conn)
        return [self.parks, self.enterprises, self.listings, self.exchanges]
