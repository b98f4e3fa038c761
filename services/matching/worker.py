"""The matching workers.

`matching-worker` follows listing events into the store and the search index, then raises
alerts; an offset is committed only after all of that is durable, so a crash redelivers the
event and the idempotent projection and alert log catch up without doubling anything.
`webhook-dispatcher` sends the queued alerts; run more of them to deliver faster.
"""

from __future__ import annotations

from datetime import UTC, datetime

from services.common.bus import connect_bus
from services.common.config import Settings
from services.common.db import waiter
from services.common.doorbell import SAFETY_WAIT_S
from services.common.worker import run_worker

from .adapters.webhook_sender import WebhookSender
from .bootstrap import bootstrap
from .service_layer.alerts import raise_alerts
from .service_layer.dispatch import deliver_due
from .service_layer.projection import TOPICS, apply_event

MIN_WAIT_S = 0.01  # a delivery due now yet not claimable (another dispatcher's race) is looked at again soon


def follow_listings(matching, bus, stop, group: str = "matching") -> None:
    """`group`: MATCHING_CONSUMER_GROUP (Settings.group); replicas share it, a new one replays."""
    bus.ensure_topics(list(TOPICS))
    with bus.consumer(group, list(TOPICS)) as consumer:
        while not stop():
            for consumed in consumer.poll(max_records=200, timeout_s=SAFETY_WAIT_S):
                changed = apply_event(matching.matches.store, consumed.event)
                if changed:
                    matching.matches.search.upsert(changed)
                    for doc in changed:
                        raise_alerts(matching.matches, matching.webhooks.store, doc)
                consumer.commit(consumed)


def dispatch_webhooks(matching, stop, timeout_s: float = 10.0) -> None:
    """`timeout_s`: WEBHOOK_TIMEOUT_S (Settings.matching)."""
    sender = WebhookSender(timeout_s=timeout_s, allow_private=matching.webhooks.allow_private_targets)
    store = matching.webhooks.store
    # Alerts are queued by the matching worker's commits (and redeliveries by the API's), which
    # ring the database's doorbell; a retry falls due on its own, so it bounds the wait too.
    with waiter(store.engine) as idle:
        while not stop():
            if not deliver_due(store, sender, matching.retry_policy):
                idle.wait(_until_due(store.next_due()))


def _until_due(due: datetime | None) -> float:
    if due is None:
        return SAFETY_WAIT_S
    return min(SAFETY_WAIT_S, max(MIN_WAIT_S, (due - datetime.now(UTC)).total_seconds()))


def _run(name: str, loop) -> None:
    settings = Settings.from_env("matching")
    matching = bootstrap(settings)
    run_worker(name, settings, lambda stop: loop(matching, settings, stop))


def main() -> None:
    _run("matching-worker", lambda m, s, stop: follow_listings(m, connect_bus(s.event_bus_url), stop, s.group))


def dispatcher_main() -> None:
    _run("webhook-dispatcher", lambda m, s, stop: dispatch_webhooks(m, stop, s.matching.webhook_timeout_s))


if __name__ == "__main__":
    main()
