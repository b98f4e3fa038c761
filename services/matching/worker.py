"""The matching workers.

`matching-worker` follows listing events into the store and the search index, then raises
alerts; an offset is committed only after all of that is durable, so a crash redelivers the
event and the idempotent projection and alert log catch up without doubling anything.
`webhook-dispatcher` sends the queued alerts; run more of them to deliver faster.
"""
from __future__ import annotations

import os
import time

from services.common.bus import connect_bus
from services.common.config import Settings
from services.common.worker import run_worker

from .adapters.webhook_sender import WebhookSender
from .bootstrap import bootstrap
from .service_layer.alerts import raise_alerts
from .service_layer.dispatch import deliver_due
from .service_layer.projection import TOPICS, apply_event

GROUP = os.environ.get("MATCHING_CONSUMER_GROUP", "matching")  # replicas share it; a new one replays


def follow_listings(matching, bus, stop) -> None:
    bus.ensure_topics(list(TOPICS))
    with bus.consumer(GROUP, list(TOPICS)) as consumer:
        while not stop():
            for consumed in consumer.poll(max_records=200, timeout_s=0.5):
                changed = apply_event(matching.matches.store, consumed.event)
                if changed:
                    matching.matches.search.upsert(changed)
                    for doc in changed:
                        raise_alerts(matching.matches, matching.webhooks.store, doc)
                consumer.commit(consumed)


def dispatch_webhooks(matching, stop) -> None:
    sender = WebhookSender(timeout_s=float(os.environ.get("WEBHOOK_TIMEOUT_S", 10)),
                           allow_private=matching.webhooks.allow_private_targets)
    while not stop():
        if not deliver_due(matching.webhooks.store, sender, matching.retry_policy):
            time.sleep(0.2)  # an idle poll of the queue; bounds alert latency


def _run(name: str, loop) -> None:
    settings = Settings.from_env("matching")
    matching = bootstrap(settings)
    run_worker(name, lambda stop: loop(matching, settings, stop))


def main() -> None:
    _run("matching-worker", lambda m, s, stop: follow_listings(m, connect_bus(s.event_bus_url), stop))


def dispatcher_main() -> None:
    _run("webhook-dispatcher", lambda m, s, stop: dispatch_webhooks(m, stop))


if __name__ == "__main__":
    main()
