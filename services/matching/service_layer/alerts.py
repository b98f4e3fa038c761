"""Alerts: when a listing is published or changed, every subscriber whose listing gains a
match at or above its threshold gets one `match.found`, and never the same match twice."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime

from services.matching.adapters.search import Hit
from services.matching.adapters.webhook_store import Alert, WebhookStore
from services.matching.domain.criteria import MatchFilters
from services.matching.domain.documents import ListingDoc
from services.matching.domain.webhooks.subscriptions import Subscription

from .matches import MatchingContext, ranked_matches_many

CANDIDATES = 200  # the best this many counterparts are considered for alerts


def match_payload(listing: ListingDoc, match: ListingDoc, hit) -> dict:
    return {
        "listing_id": listing.id,
        "listing_side": listing.side,
        "match": {
            "id": match.id,
            "side": match.side,
            "kind": match.kind,
            "title": match.title,
            "enterprise_id": match.enterprise_id,
            "park_id": match.park_id,
            "codes": list(match.codes),
        },
        "score": round(hit.score.total, 6),
        "distance_km": round(hit.distance_km, 3),
        "components": {n: round(c["value"], 6) for n, c in hit.score.components.items()},
    }


def raise_alerts(
    ctx: MatchingContext, webhooks: WebhookStore, changed: Sequence[ListingDoc], now: datetime | None = None
) -> int:
    """The alerts a batch of changed listings causes, recorded together (one transaction for
    the batch); returns how many were new. The batch's searches are asked together: on the
    engines a few `msearch` requests instead of one round trip per listing."""
    active = [doc for doc in changed if doc.status == "active"]
    found = ranked_matches_many(ctx, active, MatchFilters(), 0, CANDIDATES)
    subscriptions: dict[str, list[Subscription]] = {}  # enterprise -> its subscriptions, read once per batch
    pairs = zip(active, found, strict=True)
    alerts = [alert for doc, hits in pairs for alert in _alerts(webhooks, doc, hits, subscriptions)]
    return webhooks.alert_all(alerts, now or datetime.now(UTC))


def _alerts(
    webhooks: WebhookStore, changed: ListingDoc, hits: list[Hit], subscriptions: dict[str, list[Subscription]]
) -> Iterator[Alert]:
    for hit in hits:
        # Both sides gain the match: the counterpart's owner and the changed listing's owner.
        for listing, match in ((hit.doc, changed), (changed, hit.doc)):
            if listing.enterprise_id not in subscriptions:
                subscriptions[listing.enterprise_id] = webhooks.list(enterprise_id=listing.enterprise_id)
            for subscription in subscriptions[listing.enterprise_id]:
                if subscription.covers(listing.id, hit.score.total):
                    yield Alert(subscription.id, listing.id, match.id, match_payload(listing, match, hit))
