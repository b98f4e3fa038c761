"""The matching workers.

`matching-worker` follows listing events into the store and the search index, a polled batch
at a time (one index request and refresh per batch), and raises alerts on a thread of their
own, so that the next batches become matchable meanwhile. Whatever was indexed while the alert
thread was busy is alerted next, together (one round of searches and one transaction), so
alerting keeps up with a burst however small its batches. Offsets are committed only once a
batch's alerts are raised, in order, so a crash redelivers what was not, and the idempotent
projection and alert log catch up without doubling anything.
`webhook-dispatcher` sends the queued alerts; run more of them to deliver faster.
"""

from __future__ import annotations

import math
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

from .adapters.tables import webhook_deliveries
from .adapters.webhook_sender import WebhookSender
from .bootstrap import bootstrap
from .domain.documents import ListingDoc
from .service_layer.alerts import raise_alerts
from .service_layer.dispatch import deliver_due
from .service_layer.projection import TOPICS, apply_events

MIN_WAIT_S = 0.01  # a delivery due now yet not claimable (another dispatcher's race) is looked at again soon
BATCH = 500  # events per poll: one index write and one refresh for all of them
ALERTS_BEHIND = 2_000  # events indexed whose alerts are not yet raised, at most (what a crash redelivers)
SENDS_AT_ONCE = 4  # webhook attempts in flight together: each waits mostly on its receiver and the database
ALERTS_CHECK_S = 0.05  # how soon a poll returns to hand on or commit alerts while some are pending


class _Alerting:
    """Indexed batches on their way to their alerts, in order: those waiting for the alert thread,
    then those it is raising. Only the polling thread touches this (the consumer is not thread-safe)."""

    def __init__(self, matching, thread: ThreadPoolExecutor):
        self.matching, self.thread = matching, thread
        self.waiting: list[tuple[list[ConsumedEvent], list[ListingDoc]]] = []
        self.raising: deque[tuple[list[list[ConsumedEvent]], Future]] = deque()

    def __bool__(self) -> bool:
        return bool(self.waiting or self.raising)

    def behind(self) -> int:
        return sum(len(b) for b, _ in self.waiting) + sum(len(b) for batches, _ in self.raising for b in batches)

    def add(self, batch: list[ConsumedEvent], changed: list[ListingDoc]) -> None:
        self.waiting.append((batch, changed))

    def hand_on(self) -> None:
        """Give the alert thread, once it is free, everything indexed meanwhile as one job."""
        if not self.waiting:
            return
        if self.raising and (not self.raising[-1][1].done() or self.raising[-1][1].exception()):
            return  # busy, or failed: the worker stops at that job's commit, and its batches are redelivered
        latest: dict[str, ListingDoc] = {}
        for _, changed in self.waiting:
            for doc in changed:
                latest.pop(doc.id, None)  # each listing once, as it stands last, in the order of its last change
                latest[doc.id] = doc
        m = self.matching
        raised = self.thread.submit(raise_alerts, m.matches, m.webhooks.store, list(latest.values()))
        self.raising.append(([batch for batch, _ in self.waiting], raised))
        self.waiting = []

    def commit_raised(self, consumer, behind_at_most: float = math.inf) -> None:
        """Commit, in order, the batches whose alerts are raised; wait for more of them while
        more than `behind_at_most` events are still to be alerted."""
        while self.raising and (self.raising[0][1].done() or self.behind() > behind_at_most):
            batches, raised = self.raising.popleft()
            raised.result()  # an error stops the worker; the batches are redelivered
            for batch in batches:
                consumer.commit_all(batch)
            self.hand_on()


def follow_listings(matching, bus, stop, group: str = "matching") -> None:
    """`group`: MATCHING_CONSUMER_GROUP (Settings.group); replicas share it, a new one replays."""
    bus.ensure_topics(list(TOPICS))
    with bus.consumer(group, list(TOPICS)) as consumer, ThreadPoolExecutor(1, "alerts") as thread:
        alerting = _Alerting(matching, thread)
        while not stop():
            batch = consumer.poll(max_records=BATCH, timeout_s=ALERTS_CHECK_S if alerting else SAFETY_WAIT_S)
            if batch:
                changed = apply_events(matching.matches.store, matching.matches.search, (c.event for c in batch))
                # alerts after the index write, so that listings of one batch match each other
                alerting.add(batch, changed)
            alerting.hand_on()
            alerting.commit_raised(consumer, ALERTS_BEHIND)
        while alerting:
            alerting.hand_on()
            alerting.commit_raised(consumer, 0)


def dispatch_webhooks(matching, stop, timeout_s: float = 10.0) -> None:
    """`timeout_s`: WEBHOOK_TIMEOUT_S (Settings.matching)."""
    senders: Queue[WebhookSender] = Queue()
    for _ in range(SENDS_AT_ONCE):
        senders.put(WebhookSender(timeout_s=timeout_s, allow_private=matching.webhooks.allow_private_targets))
    store = matching.webhooks.store
    # Alerts are queued by the matching worker's commits (and redeliveries by the API's), which
    # wake it (the SQLite file's doorbell, PostgreSQL's notification); a retry falls due on its
    # own, so it bounds the wait too.
    with waiter(store.engine, webhook_deliveries.name) as idle:
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
