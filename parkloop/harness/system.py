"""Start ParkLoop the way a user does (`parkloop run`) on a data directory of its own, and stop it."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import requests

from parkloop.benchmarks.common import free_port_block

START_TIMEOUT_S = 120.0  # bounds a hung start only


@dataclass
class System:
    url: str  # the gateway, e.g. http://127.0.0.1:18800
    admin_key: str
    data_dir: Path
    process: subprocess.Popen

    @property
    def api(self) -> str:
        return f"{self.url}/api/v1"

    def pid_of(self, name: str) -> int:
        return int((self.data_dir / "run" / f"{name}.pid").read_text())

    def stop(self) -> None:
        stop(self.process)


def ready(url: str) -> bool:
    try:
        return requests.get(f"{url}/readyz", timeout=5).status_code == 200
    except requests.RequestException:
        return False


def start(
    data_dir: Path,
    *,
    port: int | None = None,
    admin_key: str | None = None,
    demo: bool = False,
    env: dict | None = None,
) -> System:
    """`parkloop run` on `data_dir` (embedded default unless `env` names other engines), ready to use;
    with `demo`, once the demo park is loaded. Webhook receivers on 127.0.0.1 are allowed."""
    port = port or free_port_block()
    admin_key = admin_key or "plk_" + secrets.token_urlsafe(24)
    environment = dict(
        os.environ,
        PARKLOOP_DATA=str(data_dir),
        PORT=str(port),
        PARKLOOP_ADMIN_KEY=admin_key,
        PARKLOOP_DEMO="1" if demo else "0",
        WEBHOOK_ALLOW_PRIVATE_TARGETS="1",
        WEBHOOK_RETRY_SCHEDULE="0.5,1,2",
    )
    for name in ("LISTINGS_URL", "MATCHING_URL", "LEDGER_URL", "EVENT_BUS"):
        environment.pop(name, None)
    environment.update(env or {})
    data_dir.mkdir(parents=True, exist_ok=True)
    log = data_dir / "parkloop.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "parkloop.cli", "run"],
            env=environment,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # a kill of the group on a hung stop reaches every child
        )
    url = f"http://127.0.0.1:{port}"
    marker = data_dir / "demo-loaded.json"
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("ParkLoop exited while starting:\n" + log.read_text()[-3000:])
        if ready(url) and (not demo or marker.exists()):
            return System(url, admin_key, data_dir, process)
        time.sleep(0.3)
    stop(process)
    raise RuntimeError("ParkLoop did not start:\n" + log.read_text()[-3000:])


def stop(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGINT)
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(30)
