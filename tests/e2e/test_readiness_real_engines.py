"""What an operator sees during a Kafka outage, on PostgreSQL and Kafka (`parkloop run`): writes are
still accepted into the outbox, `/readyz` answers 503 naming the bus of each service, `/metrics`
shows the outbox backlog and its age; once the broker is back, the outbox drains and all is ready."""

from __future__ import annotations

import subprocess
import uuid
from contextlib import ExitStack
from pathlib import Path

import pytest
import requests
from real_engines import engine_address, fresh_postgres_database

from .conftest import PARK, eventually, start_system, stop_system

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]

KAFKA_SH = ["bash", str(Path(__file__).resolve().parents[2] / "infra/engines/kafka.sh")]


@pytest.fixture(scope="module")
def kafka_system(tmp_path_factory):
    kafka = engine_address("PARKLOOP_TEST_KAFKA_BOOTSTRAP", "Kafka")
    run = uuid.uuid4().hex[:8]
    with ExitStack() as stack:
        env = {
            f"{name}_DATABASE_URL": stack.enter_context(fresh_postgres_database())
            for name in ("GATEWAY", "LISTINGS", "MATCHING", "LEDGER")
        }
        env.update(
            EVENT_BUS=f"kafka://{kafka}",
            MATCHING_CONSUMER_GROUP=f"matching-{run}",
            LEDGER_CONSUMER_GROUP=f"ledger-{run}",
        )
        running = start_system(tmp_path_factory.mktemp("outage"), demo=False, extra_env=env)
        try:
            yield running
        finally:
            stop_system(running.process)


def gauge(system, name: str, service: str) -> float:
    for line in requests.get(f"{system.url}/metrics", timeout=30).text.splitlines():
        if line.startswith(f'{name}{{service="{service}"}} '):
            return float(line.rsplit(" ", 1)[1])
    raise AssertionError(f"{name} for {service} is not exported")


def test_while_kafka_is_down_readiness_names_the_bus_and_the_outbox_backlog_shows(kafka_system):
    system = kafka_system
    engines_dir = engine_address("PARKLOOP_TEST_ENGINES_DIR", "the engines directory")
    admin = system.client(system.admin_key)
    subprocess.run([*KAFKA_SH, "stop", engines_dir], check=True, capture_output=True, timeout=120)
    try:
        for n in range(3):  # accepted into the outbox: the database is up
            assert admin.post("parks", {**PARK, "name": f"Outage Park {n}"}).status_code == 201
        answer = eventually(
            lambda: requests.get(f"{system.url}/readyz", timeout=30),
            lambda answer: answer.status_code == 503 and "listings.bus" in answer.json()["down"],
            "readiness to name the bus",
        )
        state = answer.json()
        assert state["parts"]["listings"]["checks"] == {"database": "ok", "bus": "down"}
        assert state["parts"]["gateway"]["ready"]
        assert set(state["down"]) == {"listings.bus", "matching.bus", "ledger.bus"}
        assert gauge(system, "parkloop_outbox_backlog_events", "listings") >= 3
        assert gauge(system, "parkloop_outbox_oldest_unpublished_age_seconds", "listings") > 0
    finally:
        subprocess.run([*KAFKA_SH, "restart", engines_dir], check=True, capture_output=True, timeout=180)
    eventually(
        lambda: (
            requests.get(f"{system.url}/readyz", timeout=30).status_code,
            gauge(system, "parkloop_outbox_backlog_events", "listings"),
        ),
        lambda seen: seen == (200, 0),
        "ready again with the outbox published",
        timeout_s=120,
    )
