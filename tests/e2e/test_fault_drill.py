"""Short fault drills (`parkloop drill` is the long one): kill -9 some processes of a busy ParkLoop and
fail the webhook receiver for a while, on the embedded default and on PostgreSQL + Kafka +
Elasticsearch (the engines `make test` starts), where each engine is also restarted through
infra/engines. Nothing accepted may be lost or counted twice."""

from __future__ import annotations

from pathlib import Path

import pytest
from real_engines import engine_address

from parkloop.drill import run_drill
from parkloop.drill.deployment import deployment
from parkloop.harness import engines as real_engines

OUTAGE_S = 4


def assert_nothing_lost_or_doubled(figures: dict, faults: set[str]) -> None:
    failed = [row for row in figures["invariants"] if not row["passed"]]
    assert not failed, failed
    assert figures["completed_exchanges"] > 0
    assert set(figures["recovery_seconds"]) == faults | {f"webhook receiver 503 for {OUTAGE_S} s"}


def test_nothing_accepted_is_lost_or_doubled_while_processes_are_killed_under_load(tmp_path):
    killed = ("gateway", "listings-relay", "ledger-worker", "webhook-dispatcher")
    with deployment(tmp_path, None, OUTAGE_S) as (running, _):
        figures = run_drill(running, seconds=25, processes=killed, receiver_outage_s=OUTAGE_S, rate_per_s=3, clients=4)
    assert_nothing_lost_or_doubled(figures, {f"kill -9 {name}" for name in killed})


@pytest.mark.postgres
@pytest.mark.kafka
@pytest.mark.elasticsearch
def test_nothing_accepted_is_lost_or_doubled_while_engines_restart_under_load(tmp_path):
    engines_dir = Path(engine_address("PARKLOOP_TEST_ENGINES_DIR", "the engines directory"))
    if real_engines.running(engines_dir) is None:
        pytest.fail(f"PostgreSQL, Kafka and Elasticsearch are not all running in {engines_dir} (engines.env)")
    killed = ("gateway", "ledger-worker")
    with deployment(tmp_path, None, OUTAGE_S, engines_dir) as (running, engines):
        figures = run_drill(
            running, 30, processes=killed, engines=engines, receiver_outage_s=OUTAGE_S, rate_per_s=3, clients=4
        )
    restarted = {f"restart {engine}" for engine in real_engines.ENGINES}
    assert_nothing_lost_or_doubled(figures, {f"kill -9 {name}" for name in killed} | restarted)
