"""The faults the drill makes, each returning its recovery time in seconds."""

from __future__ import annotations

import json
import os
import signal
import threading
import time

from parkloop.harness.engines import Engines
from parkloop.harness.receiver import Receiver
from parkloop.harness.system import System, ready

RECOVERY_TIMEOUT_S = 300.0  # bounds a hung recovery only
QUICK_RETRIES_S = (0.5, 1, 2, 4, 8)
STEADY_RETRY_S = 10.0
JITTER = 0.2  # the dispatcher's: a delay may shrink by this fraction


def retry_schedule(outage_s: float) -> str:
    """WEBHOOK_RETRY_SCHEDULE whose attempts, even with every delay shortened by the jitter, outlast
    a receiver outage of `outage_s` (plus a minute for a dispatcher killed meanwhile); retries come
    every STEADY_RETRY_S once the quick ones are spent, so an alert is late by at most that."""
    delays = list(QUICK_RETRIES_S)
    while sum(delays) * (1 - JITTER) < outage_s + 60:
        delays.append(STEADY_RETRY_S)
    return ",".join(f"{d:g}" for d in delays)


def _pid(system: System, name: str) -> int | None:
    try:
        return system.pid_of(name)
    except (OSError, ValueError):
        return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _until_ready(system: System, since: float, what: str) -> float:
    deadline = since + RECOVERY_TIMEOUT_S
    while time.monotonic() < deadline:
        if ready(system.url):
            return time.monotonic() - since
        time.sleep(0.2)
    raise RuntimeError(f"ParkLoop was not ready within {RECOVERY_TIMEOUT_S:.0f} s of {what}")


def kill(system: System, name: str) -> float:
    """kill -9 the process named; seconds until the supervisor has a new one and the gateway is ready."""
    old = _pid(system, name)
    if old is None:
        raise RuntimeError(f"no PID file for {name} under {system.data_dir / 'run'}")
    killed_at = time.monotonic()
    os.kill(old, signal.SIGKILL)
    deadline = killed_at + RECOVERY_TIMEOUT_S
    while time.monotonic() < deadline:
        new = _pid(system, name)
        if new not in (None, old) and _alive(new) and ready(system.url):
            return time.monotonic() - killed_at
        time.sleep(0.2)
    raise RuntimeError(f"{name} did not come back within {RECOVERY_TIMEOUT_S:.0f} s of kill -9")


def restart_engine(system: System, engines: Engines, engine: str) -> float:
    """Restart the engine through infra/engines; seconds until ParkLoop is ready on it again
    (readiness asks each service's database, bus and search engine)."""
    began = time.monotonic()
    engines.restart(engine)
    return _until_ready(system, began, f"restarting {engine}")


class ReceiverOutage(threading.Thread):
    """The receiver answers 503 from `start_at` (time.monotonic()) for `seconds`. `recovery_s` is then
    how long after it answered again the last alert it had refused (every offer posted until then)
    arrived; None until known."""

    def __init__(self, receiver: Receiver, start_at: float, seconds: float, offers: list[str]):
        super().__init__(daemon=True, name="receiver-outage")
        self.receiver, self.start_at, self.seconds, self.offers = receiver, start_at, seconds, offers
        self.recovery_s: float | None = None
        self.error: str | None = None

    def run(self) -> None:
        time.sleep(max(0.0, self.start_at - time.monotonic()))
        self.receiver.failing = True
        time.sleep(self.seconds)
        self.receiver.failing = False
        back_at = time.monotonic()
        held_back = set(self.offers)
        alerted: set[str] = set()
        seen = 0
        while time.monotonic() < back_at + RECOVERY_TIMEOUT_S:
            deliveries = self.receiver.deliveries[seen:]
            seen += len(deliveries)
            alerted.update(json.loads(body)["data"]["match"]["id"] for _, body, _ in deliveries)
            if held_back <= alerted:
                self.recovery_s = time.monotonic() - back_at
                return
            time.sleep(0.2)
        self.error = f"{len(held_back - alerted)} alerts held back by the outage never arrived"
