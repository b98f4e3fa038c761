"""Delivers queued webhooks: signed, retried with backoff and jitter, each attempt logged;
410 disables the subscription."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from queue import Queue

from services.matching.adapters.webhook_sender import WebhookSender
from services.matching.adapters.webhook_store import DueWebhookDelivery, WebhookStore
from services.matching.domain.webhooks.retry import Outcome, RetryPolicy, outcome
from services.matching.domain.webhooks.subscriptions import Subscription


def deliver_due(
    store: WebhookStore, senders: Queue[WebhookSender], policy: RetryPolicy, now: datetime | None = None
) -> int:
    """Attempt every delivery due now, as many at once as there are `senders` (a sender is not
    shared between threads); returns how many were attempted. Each is still claimed before and
    recorded right after its own attempt."""
    now = now or datetime.now(UTC)
    due = store.claim_due(now)
    subscriptions = {i: store.get(i) for i in {d.subscription_id for d in due}}  # a burst is mostly one subscriber's
    with ThreadPoolExecutor(senders.qsize(), "webhook-send") as pool:
        list(pool.map(lambda d: _deliver(store, senders, policy, now, d, subscriptions[d.subscription_id]), due))
    return len(due)


def _deliver(
    store: WebhookStore,
    senders: Queue[WebhookSender],
    policy: RetryPolicy,
    now: datetime,
    delivery: DueWebhookDelivery,
    subscription: Subscription | None,
) -> None:
    if subscription is None or not subscription.active:
        store.give_up(delivery.id)  # deleted or disabled (perhaps by an attempt of this round): nothing more is sent
        return
    sender = senders.get()
    try:
        attempt = sender.send(
            subscription.url,
            subscription.signing_secrets(now),
            delivery.id,
            delivery.event_type,
            delivery.payload,
            now,
            occurred_at=delivery.occurred_at,
        )
    finally:
        senders.put(sender)
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
