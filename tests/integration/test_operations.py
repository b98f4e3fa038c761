"""What an operator sees: each service's readiness names the part that is down, its gauges read
the backlogs from its own database and the bus, and the example alert rules in
infra/prometheus/alerts.yml name only metrics that are exported."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from prometheus_client import CollectorRegistry

from gateway.app import create_app as create_gateway
from services.common.bus.sqlite_log import SqliteEventLog
from services.common.config import Settings
from services.common.db import create_engine, migrate
from services.common.events import EXCHANGES_TOPIC, LISTINGS_TOPIC, Event
from services.common.operations import Gauge, Operations
from services.common.outbox import add_to_outbox
from services.ledger import bootstrap as ledger
from services.listings import bootstrap as listings
from services.listings.adapters.tables import outbox
from services.matching import bootstrap as matching

ALERTS = Path(__file__).resolve().parents[2] / "infra" / "prometheus" / "alerts.yml"
SERVICES = {"listings": listings, "matching": matching, "ledger": ledger}


@pytest.fixture
def deployment(tmp_path, monkeypatch) -> dict[str, Settings]:
    """Every service's settings on a fresh embedded data directory, migrated."""
    monkeypatch.setenv("PARKLOOP_DATA", str(tmp_path))
    for name in ("LISTINGS", "MATCHING", "LEDGER"):  # nobody answers here: the gateway reads no service
        monkeypatch.setenv(f"{name}_URL", "http://127.0.0.1:9")
    found = {name: Settings.from_env(name) for name in (*SERVICES, "gateway")}
    for name, module in SERVICES.items():
        migrate(found[name].database_url, module.MIGRATIONS)
    return found


def samples(operations: Operations) -> dict[tuple[str, tuple], float]:
    registry = CollectorRegistry()
    registry.register(operations.collector())
    return {(s.name, tuple(sorted(s.labels.items()))): s.value for family in registry.collect() for s in family.samples}


def event(n: int) -> Event:
    return Event("OfferPublished", f"offer-{n}", {"n": n})


def test_readiness_names_the_part_that_is_down():
    def refuse():
        raise ConnectionError("no route to host")

    state = Operations("matching", {"database": lambda: None, "search": refuse}).readiness()
    assert state == {"ready": False, "checks": {"database": "ok", "search": "down"}}


def test_a_gauge_that_cannot_be_read_is_reported_without_hiding_the_others():
    def broken():
        raise OSError("database is locked")

    ops = Operations(
        "ledger",
        gauges=[Gauge("parkloop_ledger_entries", "x", broken), Gauge("parkloop_x", "y", lambda: [((), 3)])],
    )
    found = samples(ops)
    assert found[("parkloop_x", (("service", "ledger"),))] == 3
    assert found[("parkloop_gauge_read_ok", (("gauge", "parkloop_ledger_entries"), ("service", "ledger")))] == 0
    assert not any(name == "parkloop_ledger_entries" for name, _ in found)


def test_every_embedded_service_is_ready_on_its_database_and_the_log(deployment):
    for name, module in SERVICES.items():
        assert module.operations(deployment[name]).readiness() == {
            "ready": True,
            "checks": {"database": "ok", "bus": "ok"},
        }


def test_the_listings_gauges_show_the_outbox_backlog_and_its_oldest_events_age(deployment):
    settings = deployment["listings"]
    engine = create_engine(settings.database_url)
    with engine.begin() as conn:
        for n in range(6):
            add_to_outbox(conn, outbox, LISTINGS_TOPIC, event(n))
        conn.execute(outbox.update().where(outbox.c.seq == 1).values(published_at=datetime.now(UTC)))
        conn.execute(outbox.update().values(created_at=datetime.now(UTC) - timedelta(minutes=5)))
    found = samples(listings.operations(settings))
    assert found[("parkloop_outbox_backlog_events", (("service", "listings"),))] == 5
    assert 290 < found[("parkloop_outbox_oldest_unpublished_age_seconds", (("service", "listings"),))] < 900


def test_the_consumer_gauges_show_each_groups_lag_per_topic(deployment):
    settings = deployment["ledger"]
    bus = SqliteEventLog(settings.event_bus_url.removeprefix("sqlite:///"))
    bus.publish_many([(LISTINGS_TOPIC, event(n)) for n in range(4)] + [(EXCHANGES_TOPIC, event(9))])
    with bus.consumer("ledger", [LISTINGS_TOPIC]) as consumer:
        consumer.commit(consumer.poll(max_records=3)[-1])
    found = samples(ledger.operations(settings))
    lag = {dict(key)["topic"]: value for (name, key), value in found.items() if name == "parkloop_consumer_lag_events"}
    assert lag == {LISTINGS_TOPIC: 1, EXCHANGES_TOPIC: 1}
    assert found[("parkloop_ledger_entries", (("service", "ledger"),))] == 0


def exported_metric_names(deployment) -> set[str]:
    names = {name for svc, module in SERVICES.items() for name, _ in samples(module.operations(deployment[svc]))}
    gateway = create_gateway(deployment["gateway"])
    gateway.test_client().get("/api/v1/keys/me")  # one request, so the request metrics have samples
    names |= {line.split("{")[0].split(" ")[0] for line in gateway.test_client().get("/metrics").text.splitlines()}
    return names


def test_every_metric_the_example_alert_rules_name_is_exported(deployment):
    rules = [rule for group in yaml.safe_load(ALERTS.read_text())["groups"] for rule in group["rules"]]
    assert rules and all({"alert", "expr", "for", "labels", "annotations"} <= rule.keys() for rule in rules)
    named = {name for rule in rules for name in re.findall(r"\bparkloop_[a-z0-9_]+", rule["expr"])}
    missing = named - exported_metric_names(deployment)
    assert not missing, f"alert rules name metrics nobody exports: {sorted(missing)}"
