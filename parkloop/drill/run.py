"""One drill: the load at its rate for the time given, the faults spaced over it, then the checks."""

from __future__ import annotations

import os
import sys
import threading
import time

from parkloop.harness.engines import Engines
from parkloop.harness.receiver import Receiver
from parkloop.harness.system import System
from parkloop.supervisor import WORKERS

from . import faults
from .checks import check_invariants
from .load import REQUESTS_PER_ROUND, Tally, one_round, open_loop, set_up

PROCESSES = ("gateway", "listings", "matching", "ledger", *WORKERS)
RATE_PER_S = 50.0  # exchanges (rounds) a second: the "for example"
CLIENTS = 48  # rounds in flight at most


def fault_plan(processes, engines) -> list[tuple[str, str]]:
    """Every kill, with the engine restarts spread evenly among them."""
    plan = [("kill -9", name) for name in processes]
    for n, engine in enumerate(engines, start=1):
        plan.insert(n * len(plan) // (len(engines) + 1), ("restart", engine))
    return plan


def run_drill(
    system: System,
    seconds: float,
    processes=PROCESSES,
    engines: Engines | None = None,
    receiver_outage_s: float = 120.0,
    rate_per_s: float = RATE_PER_S,
    clients: int = CLIENTS,
) -> dict:
    """Load for `seconds` with the faults spaced over it (on `engines`, each engine restarted too;
    the receiver's outage overlaps them); returns the figures and the invariant table."""
    load_average_before = os.getloadavg()[0]  # other work on this shared machine, beside the figures
    receiver = Receiver()
    try:
        parties = set_up(system.api, system.admin_key, receiver)
        tally, stop = Tally(), threading.Event()
        loads: dict = {}
        driver = threading.Thread(
            target=lambda: loads.update(open_loop(rate_per_s, lambda: one_round(parties, tally), stop, clients)),
            name="drill-driver",
        )
        started = time.monotonic()
        driver.start()
        plan = fault_plan(processes, tuple(engines.addresses) if engines else ())
        gap = seconds / (len(plan) + 1)
        outage = faults.ReceiverOutage(
            receiver, started + min(gap, max(0.0, seconds - receiver_outage_s)), receiver_outage_s, tally.offers
        )
        outage.start()
        recovery: dict[str, float | None] = {}
        try:
            for n, (action, target) in enumerate(plan, start=1):
                time.sleep(max(0.0, started + n * gap - time.monotonic()))
                if action == "restart":
                    assert engines is not None
                    back_in = faults.restart_engine(system, engines, target)
                else:
                    back_in = faults.kill(system, target)
                recovery[f"{action} {target}"] = back_in
                print(f"{action} {target}: ready again in {back_in:.1f} s", file=sys.stderr)
            time.sleep(max(0.0, started + seconds - time.monotonic()))
        finally:  # also when a fault did not recover: the load stops either way
            stop.set()
            driver.join()
        load_s = time.monotonic() - started
        outage.join()
        outage_name = f"webhook receiver 503 for {receiver_outage_s:g} s"
        recovery[outage_name] = outage.recovery_s  # None: its alerts never all arrived (an invariant fails)
        checking = time.monotonic()
        invariants = check_invariants(system, parties, tally, receiver)
        check_s = time.monotonic() - checking
        if outage.error:
            invariants.append(("alerts held back by the receiver's outage arrive", False, outage.error))
    finally:
        receiver.close()
    requests_sent = sum(tally.statuses.values())
    return {
        "deployment": "PostgreSQL + Kafka + Elasticsearch" if engines else "embedded (SQLite + event log)",
        "load_seconds": round(load_s, 1),
        "check_seconds": round(check_s, 1),  # settling included: drains, the alerts the outage held back
        "load": {
            **loads,
            "requests_per_round": REQUESTS_PER_ROUND,
            "achieved_exchanges_per_s": round(len(tally.exchanges) / load_s, 1),
            "achieved_requests_per_s": round(requests_sent / load_s, 1),
        },
        "requests": requests_sent,
        "answers_by_status": dict(sorted(tally.statuses.items())),
        "server_errors_by_request": dict(tally.failures.most_common()),
        "completed_exchanges": len(tally.exchanges),
        "recovery_seconds": {name: None if s is None else round(s, 2) for name, s in recovery.items()},
        "invariants": [{"check": c, "passed": passed, "detail": d} for c, passed, d in invariants],
        "machine_load_average_1min": {"before": round(load_average_before, 1), "after": round(os.getloadavg()[0], 1)},
        "passed": all(passed for _, passed, _ in invariants),
    }
