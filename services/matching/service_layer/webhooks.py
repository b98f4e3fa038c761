"""Subscribing to alerts: enterprises manage their own endpoints; park managers and admins read
(the rules: domain/access.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from services.common.errors import NotFound
from services.common.identity import Principal
from services.matching.adapters.store import MatchingStore
from services.matching.adapters.webhook_store import WebhookStore
from services.matching.domain import access
from services.matching.domain.webhooks.subscriptions import Subscription


@dataclass
class WebhookContext:
    store: WebhookStore
    listings: MatchingStore
    allow_private_targets: bool = False


def subscribe(ctx: WebhookContext, p: Principal, data: dict) -> tuple[Subscription, str]:
    enterprise_id = access.subscriber(p, data.get("enterprise_id"))
    owned = ctx.listings.listing_ids_of(enterprise_id)
    park_id = ctx.listings.park_of(enterprise_id) or p.park_id or ""
    subscription = Subscription.create(
        enterprise_id,
        park_id,
        data["url"],
        data["min_score"],
        data.get("listing_ids"),
        owned,
        ctx.allow_private_targets,
    )
    ctx.store.add(subscription)
    return subscription, subscription.secrets[0].secret


def visible(ctx: WebhookContext, p: Principal, subscription_id: str) -> Subscription:
    s = ctx.store.get(subscription_id)
    if s is None or not access.subscription_visible(p, s):
        raise NotFound(f"no webhook subscription {subscription_id}")
    return s


def owned(ctx: WebhookContext, p: Principal, subscription_id: str) -> Subscription:
    s = visible(ctx, p, subscription_id)
    access.may_change_subscription(p, s)
    return s


def list_subscriptions(ctx: WebhookContext, p: Principal) -> list[Subscription]:
    scope = access.subscription_scope(p)
    if scope.nothing:
        return []
    return ctx.store.list(enterprise_id=scope.enterprise_id, park_id=scope.park_id)


def rotate_secret(ctx: WebhookContext, p: Principal, subscription_id: str) -> tuple[Subscription, str]:
    s = owned(ctx, p, subscription_id)
    secret = s.rotate(datetime.now(UTC))
    ctx.store.save(s)
    return s, secret


def unsubscribe(ctx: WebhookContext, p: Principal, subscription_id: str) -> None:
    ctx.store.delete(owned(ctx, p, subscription_id).id)


def redeliver(ctx: WebhookContext, p: Principal, subscription_id: str, delivery_id: str) -> None:
    s = owned(ctx, p, subscription_id)
    if not ctx.store.redeliver(s.id, delivery_id, datetime.now(UTC)):
        raise NotFound(f"no delivery {delivery_id} for this subscription")
