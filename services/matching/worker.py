"""The matching workers.

`matching-worker` follows listing events into the store and the search index, a polled batch
at a time (one index request and refresh per batch), and raises the batch's alerts on a
thread of their own, so the next batch becomes matchable meanwhile. A batch's offsets are
committed only once its alerts are raised, in order, so a crash redelivers what was not and
the idempotent projection and alert log catch up without doubling anything.
`webhook-dispatcher` sends the queued alerts; run more of them to deliver faster.
"""

from __future__ import annotations

from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime
from queue import Queue

from services.common.bus import connect_bus
from services.common.bus.port import ConsumedEvent
from services.common.config import Settings
from services.common.db import waiter
from services.common.doorbell import SAFETY_WAIT_S
from services.common.worker import run_worker

from .adapters.webhook_sender import WebhookSender
from .bootstrap import bootstrap
from .service_layer.alerts import raise_alerts
from .service_layer.dispatch import deliver_due
from .service_layer.projection import TOPICS, apply_events

MIN_WAIT_S = 0.01  # a delivery due now yet not claimable (another dispatcher's race) is looked at again soon
BATCH = 500  # events per poll: one index write and one refresh for all of them
ALERTS_BEHIND = 2  # batches indexed whose alerts are still being raised, at most
SENDS_AT_ONCE = 4  # webhook attempts in flight together: each waits mostly on its receiver and the database
ALERTS_CHECK_S = 0.1  # how soon a poll returns to commit a batch whose alerts are raised


def follow_listings(matching, bus, stop, group: str = "matching") -> None:
    """`group`: MATCHING_CONSUMER_GROUP (Settings.group); replicas share it, a new one replays."""
    bus.ensure_topics(list(TOPICS))
    alerting: deque[tuple[list[ConsumedEvent], Future]] = deque()

    def commit_alerted(consumer, wait: bool) -> None:
        # the consumer is not thread-safe: offsets are committed here, on the polling thread
        while alerting and (wait or alerting[0][1].done() or len(alerting) > ALERTS_BEHIND):
            batch, raised = alerting.popleft()
            raised.result()  # an error stops the worker; the batch is redelivered
            consumer.commit_all(batch)

    with bus.consumer(group, list(TOPICS)) as consumer, ThreadPoolExecutor(1, "alerts") as alerts:
        while not stop():
            batch = consumer.poll(max_records=BATCH, timeout_s=ALERTS_CHECK_S if alerting else SAFETY_WAIT_S)
            if batch:
                changed = apply_events(matching.matches.store, matching.matches.search, (c.event for c in batch))
                # alerts after the index write, so that listings of one batch match each other
                raised = alerts.submit(raise_alerts, matching.matches, matching.webhooks.store, changed)
                alerting.append((batch, raised))
            commit_alerted(consumer, wait=False)
        commit_alerted(consumer, wait=True)


def dispatch_webhooks(matching, stop, timeout_s: float = 10.0) -> None:
    """`timeout_s`: WEBHOOK_TIMEOUT_S (Settings.matching)."""
    senders: Queue[WebhookSender] = Queue()
    for _ in range(SENDS_AT_ONCE):
        senders.put(WebhookSender(timeout_s=timeout_s, allow_private=matching.webhooks.allow_private_targets))
    store = matching.webhooks.store
    # Alerts are queued by the matching worker's commits (and redeliveries by the API's), which
    # ring the database's doorbell; a retry falls due on its own, so it bounds the wait too.
    with waiter(store.engine) as idle:
        while not stop():
            if not deliver_due(store, senders, matching.retry_policy):
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
