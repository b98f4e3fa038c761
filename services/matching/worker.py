"""The matching workers.

`matching-worker` follows listing events into the store and the search index, then raises
alerts; an offset is committed only after all of that is durable, so a crash redelivers the
event and the idempotent projection and alert log catch up without doubling anything.
`webhook-dispatcher` sends the queued alerts; run more of them to deliver faster.
"""

from __future__ import annotations

import time

from services.common.bus import connect_bus
from services.common.config import Settings
from services.common.worker import run_worker

from .adapters.webhook_sender import WebhookSender
from .bootstrap import bootstrap
from .service_layer.alerts import raise_alerts
from .service_layer.dispatch import deliver_due
from .service_layer.projection import TOPICS, apply_event


def follow_listings(matching, bus, stop, group: str = "matching") -> None:
    """`group`: MATCHING_CONSUMER_GROUP (Settings.group); replicas share it, a new one replays."""
    bus.ensure_topics(list(TOPICS))
    with bus.consumer(group, list(TOPICS)) as consumer:
        while not stop():
            for consumed in consumer.poll(max_records=200, timeout_s=0.5):
                changed = apply_event(matching.matches.store, consumed.event)
                if changed:
                    matching.matches.search.upsert(changed)
                    for doc in changed:
                        raise_alerts(matching.matches, matching.webhooks.store, doc)
                consumer.commit(consumed)


def dispatch_webhooks(matching, stop, timeout_s: float = 10.0) -> None:
    """`timeout_s`: WEBHOOK_TIMEOUT_S (Settings.matching)."""
    sender = WebhookSender(timeout_s=timeout_s, allow_private=matching.webhooks.allow_private_targets)
    while not stop():
        if not deliver_due(matching.webhooks.store, sender, matching.retry_policy):
            time.sleep(0.2)  # an idle poll of the queue; bounds alert latency


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
