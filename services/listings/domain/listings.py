"""A listing (an offer or a want) and its lifecycle: active ⇄ paused → withdrawn.

Every change records a past-tense event (`OfferPublished`, `WantPaused`…, named in
services/common/contracts.py, built in events.py) that the unit of work writes to the outbox in
the same transaction as the listing itself.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from services.common.errors import Conflict, FieldCollector
from services.common.events import Event, utcnow
from services.common.geo import Location

from .events import ListingChange, listing_changed
from .spec_dicts import Spec, spec_to_dict
from .specs import Kind, Side

MAX_DISTANCE_KM = 5000.0  # beyond China's breadth: a typo, not a logistics plan


class Status(StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"
    WITHDRAWN = "withdrawn"


@dataclass(frozen=True)
class Terms:
    """Where, how far and when: the parts of a listing every kind shares."""

    title: str
    location: Location
    max_distance_km: float
    available_from: date
    available_until: date | None = None

    def __post_init__(self):
        errors = FieldCollector()
        errors.require("title", bool(self.title and self.title.strip()), "must not be blank")
        errors.require(
            "max_distance_km",
            0 < self.max_distance_km <= MAX_DISTANCE_KM,
            f"must be above 0 and at most {MAX_DISTANCE_KM:g} km",
        )
        errors.require(
            "available_until",
            self.available_until is None or self.available_until >= self.available_from,
            "must not be before available_from",
        )
        errors.raise_if_any()


@dataclass
class Listing:
    id: str
    side: Side
    kind: Kind
    enterprise_id: str
    park_id: str
    terms: Terms
    spec: Spec
    status: Status = Status.ACTIVE
    created_at: datetime = field(default_factory=utcnow)
    updated_at: datetime = field(default_factory=utcnow)
    version: int = 1
    events: list[Event] = field(default_factory=list, repr=False, compare=False)

    @classmethod
    def publish(cls, side: Side, kind: Kind, enterprise_id: str, park_id: str, terms: Terms, spec: Spec) -> Listing:
        listing = cls(str(uuid.uuid4()), side, kind, enterprise_id, park_id, terms, spec)
        listing._record(ListingChange.PUBLISHED)
        return listing

    def edit(self, terms: Terms, spec: Spec) -> None:
        self._require(Status.ACTIVE, Status.PAUSED, action="edit")
        self.terms, self.spec = terms, spec
        self._record(ListingChange.UPDATED)

    def pause(self) -> None:
        self._require(Status.ACTIVE, action="pause")
        self.status = Status.PAUSED
        self._record(ListingChange.PAUSED)

    def resume(self) -> None:
        self._require(Status.PAUSED, action="resume")
        self.status = Status.ACTIVE
        self._record(ListingChange.RESUMED)

    def withdraw(self) -> None:
        self._require(Status.ACTIVE, Status.PAUSED, action="withdraw")
        self.status = Status.WITHDRAWN
        self._record(ListingChange.WITHDRAWN)

    def available_on(self, day: date) -> bool:
        return self.terms.available_from <= day and (
            self.terms.available_until is None or day <= self.terms.available_until
        )

    def _require(self, *allowed: Status, action: str) -> None:
        if self.status not in allowed:
            raise Conflict(f"cannot {action} a {self.status.value} {self.side.value}")

    def _record(self, change: ListingChange) -> None:
        self.updated_at = utcnow()
        if change is not ListingChange.PUBLISHED:
            self.version += 1
        self.events.append(listing_changed(self, change))

    def to_dict(self) -> dict:
        t = self.terms
        return {
            "id": self.id,
            "side": self.side.value,
            "kind": self.kind.value,
            "status": self.status.value,
            "enterprise_id": self.enterprise_id,
            "park_id": self.park_id,
            "title": t.title,
            "location": t.location.to_dict(),
            "max_distance_km": t.max_distance_km,
            "available_from": t.available_from.isoformat(),
            "available_until": t.available_until.isoformat() if t.available_until else None,
            self.kind.value: spec_to_dict(self.side, self.spec),
            "created_at": self.created_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
            "version": self.version,
        }
