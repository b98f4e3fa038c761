"""The matching worker under a burst, on the embedded event log: listings become matchable while
earlier ones' alerts are still being raised, whatever was indexed meanwhile is alerted next in
one go, each match is alerted once, and a batch's offset is committed only after its alerts, so
a crash while raising them loses none and doubles none."""

from __future__ import annotations

import shutil
import threading
import time
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from cryptography.fernet import Fernet
from helpers.matching import factories as f
from helpers.matching import published

from services.common.bus.sqlite_log import SqliteEventLog
from services.common.db import create_engine
from services.common.doorbell import interrupt_waits
from services.common.events import LISTINGS_TOPIC
from services.matching import worker
from services.matching.adapters.embedded_search import EmbeddedSearch
from services.matching.adapters.secret_box import SecretBox
from services.matching.adapters.store import MatchingStore
from services.matching.adapters.webhook_store import WebhookStore
from services.matching.domain.webhooks.subscriptions import SigningSecret, Subscription, new_secret
from services.matching.service_layer.matches import MatchingContext

GROUP = "matching"
OFFERS = 6


@pytest.fixture
def system(matching_template, tmp_path, monkeypatch):
    """Matching on its own database and event log, with the heat want's owner subscribed to its matches."""
    monkeypatch.setattr(worker, "BATCH", 2)  # a burst in several batches
    path = tmp_path / "matching.db"
    shutil.copy(matching_template, path)
    engine = create_engine(f"sqlite:///{path}")
    store = MatchingStore(engine)
    webhooks = WebhookStore(engine, SecretBox(Fernet.generate_key().decode()))
    webhooks.add(
        Subscription(
            id="sub-dye",
            enterprise_id=f.enterprise_id("pta"),
            park_id=f.PARK,
            url="https://hooks.example.com/parkloop",
            secrets=[SigningSecret(new_secret())],
            min_score=0.0,
            listing_ids=None,
            created_at=datetime.now(UTC),
        )
    )
    matching = SimpleNamespace(
        matches=MatchingContext(store, EmbeddedSearch(engine), today=lambda: f.TODAY),
        webhooks=SimpleNamespace(store=webhooks),
    )
    bus = SqliteEventLog(tmp_path / "events.db")
    yield SimpleNamespace(matching=matching, bus=bus, store=store, webhooks=webhooks)
    bus.close()
    engine.dispose()


def publish_burst(bus) -> list[str]:
    """The want, then OFFERS steam offers nearby, each of which matches it."""
    want = f.make_listing("want", "heat", owner="pta", listing_id="want-pta-heat")
    offers = [f.make_listing("offer", "heat", owner="power", listing_id=f"offer-power-heat-{n}") for n in range(OFFERS)]
    bus.publish_many([(LISTINGS_TOPIC, published(listing)) for listing in [want, *offers]])
    return [offer.id for offer in offers]


def alerted(webhooks) -> list[str]:
    """The offers the want's owner was alerted to, one entry per queued delivery."""
    deliveries, _ = webhooks.deliveries("sub-dye", 0, 100)
    return sorted(d["payload"]["match"]["id"] for d in deliveries)


def wait_for(condition, timeout_s: float = 30.0):
    deadline = time.monotonic() + timeout_s
    while not (found := condition()):
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)
    return found


class HeldAlerts:
    """`raise_alerts` whose first call waits until released (a slow search engine), recording
    which listings each call was given; `fail_first`: the first call fails instead (a crash)."""

    def __init__(self, fail_first: bool = False):
        self.calls: list[list[str]] = []
        self.started, self.release = threading.Event(), threading.Event()
        self.fail_first = fail_first
        self.real = worker.raise_alerts

    def __call__(self, ctx, webhooks, changed):
        self.calls.append([doc.id for doc in changed])
        if len(self.calls) == 1:
            self.started.set()
            assert self.release.wait(30)
            if self.fail_first:
                raise ConnectionError("the search engine went away")
        return self.real(ctx, webhooks, changed)


def run_worker(system, stop: threading.Event, errors: list) -> threading.Thread:
    def follow():
        try:
            worker.follow_listings(system.matching, system.bus, stop.is_set, GROUP)
        except Exception as error:  # what run_worker would log before starting it again
            errors.append(error)

    thread = threading.Thread(target=follow, daemon=True)
    thread.start()
    return thread


def test_listings_become_matchable_while_earlier_alerts_are_raised_and_each_is_alerted_once(system, monkeypatch):
    held = HeldAlerts()
    monkeypatch.setattr(worker, "raise_alerts", held)
    offers = publish_burst(system.bus)
    stop, errors = threading.Event(), []
    thread = run_worker(system, stop, errors)
    try:
        assert held.started.wait(30)
        # the first batch's alerts are held, yet every later listing is indexed meanwhile ...
        wait_for(lambda: all(system.store.get(offer) is not None for offer in offers))
        # ... and nothing is committed past the batch whose alerts are not raised
        assert system.bus.lag(GROUP, [LISTINGS_TOPIC])[LISTINGS_TOPIC] == OFFERS + 1
        held.release.set()
        assert wait_for(lambda: alerted(system.webhooks) if len(alerted(system.webhooks)) == OFFERS else None)
        wait_for(lambda: system.bus.lag(GROUP, [LISTINGS_TOPIC])[LISTINGS_TOPIC] == 0)
    finally:
        held.release.set()
        stop.set()
        interrupt_waits()
        thread.join(30)
    assert not errors and not thread.is_alive()
    assert alerted(system.webhooks) == sorted(offers)  # each once
    # what was indexed while the first alerts were held was alerted in one go, each listing once
    assert len(held.calls) == 2, held.calls
    assert sorted(held.calls[0] + held.calls[1]) == sorted(["want-pta-heat", *offers])


def test_a_failure_while_raising_alerts_commits_nothing_and_the_restart_alerts_each_match_once(system, monkeypatch):
    held = HeldAlerts(fail_first=True)
    monkeypatch.setattr(worker, "raise_alerts", held)
    offers = publish_burst(system.bus)
    stop, errors = threading.Event(), []
    thread = run_worker(system, stop, errors)
    assert held.started.wait(30)
    wait_for(lambda: all(system.store.get(offer) is not None for offer in offers))
    held.release.set()
    thread.join(30)
    assert [type(e) for e in errors] == [ConnectionError] and not thread.is_alive()
    assert alerted(system.webhooks) == []  # the failed batch's alerts were not half-recorded ...
    assert system.bus.lag(GROUP, [LISTINGS_TOPIC])[LISTINGS_TOPIC] == OFFERS + 1  # ... nor its offset committed

    monkeypatch.setattr(worker, "raise_alerts", held.real)
    errors.clear()
    thread = run_worker(system, stop, errors)  # the worker started again: the events are redelivered
    try:
        wait_for(lambda: len(alerted(system.webhooks)) == OFFERS)
        wait_for(lambda: system.bus.lag(GROUP, [LISTINGS_TOPIC])[LISTINGS_TOPIC] == 0)
    finally:
        stop.set()
        interrupt_waits()
        thread.join(30)
    assert not errors
    assert alerted(system.webhooks) == sorted(offers)
