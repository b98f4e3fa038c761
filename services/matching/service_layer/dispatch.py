"""Delivers queued webhooks: signed, retried with backoff and jitter, each attempt logged;
410 disables the subscription."""

from __future__ import annotations

from datetime import UTC, datetime

from services.matching.adapters.webhook_sender import WebhookSender
from services.matching.adapters.webhook_store import WebhookStore
from services.matching.domain.webhooks.retry import Outcome, RetryPolicy, outcome
from services.matching.domain.webhooks.subscriptions import Subscription


def deliver_due(store: WebhookStore, sender: WebhookSender, policy: RetryPolicy, now: datetime | None = None) -> int:
    """Attempt every delivery due now; returns how many were attempted."""
    now = now or datetime.now(UTC)
    due = store.claim_due(now)
    subscriptions: dict[str, Subscription | None] = {}  # read once per claim: a burst is mostly one subscriber's
    for delivery in due:
        if delivery.subscription_id not in subscriptions:
            subscriptions[delivery.subscription_id] = store.get(delivery.subscription_id)
        subscription = subscriptions[delivery.subscription_id]
        if subscription is None or not subscription.active:
            store.give_up(delivery.id)  # deleted or disabled: nothing more will be sent
            continue
        attempt = sender.send(
            subscription.url,
            subscription.signing_secrets(now),
            delivery.id,
            delivery.event_type,
            delivery.payload,
            now,
            occurred_at=delivery.occurred_at,
        )
        result = outcome(attempt.status_code, attempt.error)
        if result is Outcome.DELIVERED:
            store.record_attempt(delivery.id, attempt, now, "delivered", None)
        elif result is Outcome.DISABLE:
            store.record_attempt(delivery.id, attempt, now, "failed", None)
            subscription.disable("the endpoint answered 410 Gone")
            store.save(subscription)
        else:
            retry_at = policy.next_attempt(delivery.attempts + 1, now, attempt.retry_after)
            store.record_attempt(delivery.id, attempt, now, "pending" if retry_at else "failed", retry_at)
    return len(due)
