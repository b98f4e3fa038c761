"""A webhook subscription: an enterprise's endpoint, alerted when its listings gain matches
at or above its minimum score."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from services.common.errors import FieldCollector

from .signing import new_secret
from .targets import check_target

ROTATION_OVERLAP = timedelta(hours=24)  # the old secret keeps signing this long after a rotation


@dataclass(frozen=True)
class SigningSecret:
    secret: str
    expires_at: datetime | None = None  # None: the current secret

    def live(self, now: datetime) -> bool:
        return self.expires_at is None or now < self.expires_at


@dataclass
class Subscription:
    id: str
    enterprise_id: str
    park_id: str
    url: str
    secrets: list[SigningSecret]
    min_score: float
    listing_ids: list[str] | None = None
    active: bool = True
    disabled_reason: str | None = None
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    @classmethod
    def create(
        cls,
        enterprise_id: str,
        park_id: str,
        url: str,
        min_score: float,
        listing_ids: list[str] | None,
        owned_listing_ids: set[str],
        allow_private: bool,
    ) -> Subscription:
        errors = FieldCollector()
        errors.check("url", lambda u: check_target(u, allow_private=allow_private), url)
        errors.require("min_score", 0 <= min_score <= 1, "must be between 0 and 1")
        for i, listing_id in enumerate(listing_ids or []):
            errors.require(f"listing_ids.{i}", listing_id in owned_listing_ids, "is not one of your listings")
        errors.raise_if_any()
        return cls(
            str(uuid.uuid4()), enterprise_id, park_id, url, [SigningSecret(new_secret())], min_score, listing_ids
        )

    def covers(self, listing_id: str, score: float) -> bool:
        return self.active and score >= self.min_score and (self.listing_ids is None or listing_id in self.listing_ids)

    def rotate(self, now: datetime) -> str:
        """A new current secret; the previous one still signs (beside it) for a day."""
        fresh = new_secret()
        kept = [
            SigningSecret(s.secret, now + ROTATION_OVERLAP) if s.expires_at is None else s
            for s in self.secrets
            if s.live(now)
        ]
        self.secrets = [SigningSecret(fresh), *kept]
        return fresh

    def signing_secrets(self, now: datetime) -> list[str]:
        return [s.secret for s in self.secrets if s.live(now)]

    def disable(self, reason: str) -> None:
        self.active, self.disabled_reason = False, reason
