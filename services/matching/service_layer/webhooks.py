"""Subscribing to alerts: enterprises manage their own endpoints; park managers and admins read."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from services.common.errors import Forbidden, InvalidFields, NotFound
from services.common.identity import Principal, Role
from services.matching.adapters.store import MatchingStore
from services.matching.adapters.webhook_store import WebhookStore
from services.matching.domain.webhooks.subscriptions import Subscription


@dataclass
class WebhookContext:
    store: WebhookStore
    listings: MatchingStore
    allow_private_targets: bool = False


def subscribe(ctx: WebhookContext, p: Principal, data: dict) -> tuple[Subscription, str]:
    enterprise_id = data.get("enterprise_id") if p.is_admin else p.enterprise_id
    if p.role is Role.PARK_MANAGER or (p.role is Role.ENTERPRISE and p.enterprise_id is None):
        raise Forbidden("only a registered enterprise (or an admin for one) may subscribe")
    if not enterprise_id:
        raise InvalidFields.single("enterprise_id", "an admin must name the enterprise to subscribe for")
    owned = ctx.listings.listing_ids_of(enterprise_id)
    park_id = ctx.listings.park_of(enterprise_id) or p.park_id or ""
    subscription = Subscription.create(enterprise_id, park_id, data["url"], data["min_score"],
                                       data.get("listing_ids"), owned, ctx.allow_private_targets)
    ctx.store.add(subscription)
    return subscription, subscription.secrets[0].secret


def visible(ctx: WebhookContext, p: Principal, subscription_id: str) -> Subscription:
    s = ctx.store.get(subscription_id)
    if s is None or not (p.is_admin or (p.role is Role.PARK_MANAGER and p.park_id == s.park_id)
                         or (p.role is Role.ENTERPRISE and p.enterprise_id == s.enterprise_id)):
        raise NotFound(f"no webhook subscription {subscription_id}")
    return s


def owned(ctx: WebhookContext, p: Principal, subscription_id: str) -> Subscription:
    s = visible(ctx, p, subscription_id)
    if not (p.is_admin or p.enterprise_id == s.enterprise_id):
        raise Forbidden("only the subscribing enterprise or an admin may change a subscription")
    return s


def list_subscriptions(ctx: WebhookContext, p: Principal) -> list[Subscription]:
    if p.is_admin:
        return ctx.store.list()
    if p.role is Role.PARK_MANAGER:
        return ctx.store.list(park_id=p.park_id)
    return ctx.store.list(enterprise_id=p.enterprise_id) if p.enterprise_id else []


def rotate_secret(ctx: WebhookContext, p: Principal, subscription_id: str) -> tuple[Subscription, str]:
    s = owned(ctx, p, subscription_id)
    secret = s.rotate(datetime.now(timezone.utc))
    ctx.store.save(s)
    return s, secret


def unsubscribe(ctx: WebhookContext, p: Principal, subscription_id: str) -> None:
    ctx.store.delete(owned(ctx, p, subscription_id).id)


def redeliver(ctx: WebhookContext, p: Principal, subscription_id: str, delivery_id: str) -> None:
    s = owned(ctx, p, subscription_id)
    if not ctx.store.redeliver(s.id, delivery_id, datetime.now(timezone.utc)):
        raise NotFound(f"no delivery {delivery_id} for this subscription")
