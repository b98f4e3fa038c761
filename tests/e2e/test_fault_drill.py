"""A short fault drill: kill -9 some processes of a busy embedded ParkLoop and fail the webhook
receiver for a while; nothing accepted may be lost or counted twice (`parkloop drill` is the long one)."""

from __future__ import annotations

import secrets

from parkloop.benchmarks.common import free_port_block
from parkloop.drill import run_drill, start_embedded


def test_nothing_accepted_is_lost_or_doubled_while_processes_are_killed_under_load(tmp_path):
    port, admin_key = free_port_block(), "plk_" + secrets.token_urlsafe(24)
    running = start_embedded(tmp_path, port, admin_key)
    try:
        figures = run_drill(
            f"http://127.0.0.1:{port}",
            admin_key,
            tmp_path,
            seconds=25,
            faults=("gateway", "listings-relay", "ledger-worker", "webhook-dispatcher"),
            receiver_outage_s=4,
            clients=1,
        )
    finally:
        running.stop()
    failed = [row for row in figures["invariants"] if not row["passed"]]
    assert not failed, failed
    assert figures["completed_exchanges"] > 0
    assert set(figures["recovery_seconds"]) >= {"gateway", "ledger-worker", "webhook receiver 503"}
