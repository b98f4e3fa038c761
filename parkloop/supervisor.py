"""`parkloop run`: the whole embedded system on one machine — gateway, services, workers.

Each service is its own gunicorn process on a local port next to the gateway's; Ctrl-C
(or SIGTERM) stops them all. A child that dies, web process or worker, is restarted (its work
is durable, so it resumes), after a pause that doubles while it keeps dying soon after starting.
Every child's PID is written to $PARKLOOP_DATA/run/<name>.pid for operators.

Each web process is one gunicorn worker with threads by default; `--web-workers` (or
PARKLOOP_WEB_WORKERS) runs several per service, `4` for all or `gateway=2,listings=3` for some.
Gunicorn's master restarts a dead worker itself; the supervisor restarts a dead master.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import select
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

from services.common.config import SERVICES, data_dir

APPS = {
    "gateway": "gateway.app:create_app()",
    "listings": "services.listings.app:create_app()",
    "matching": "services.matching.app:create_app()",
    "ledger": "services.ledger.app:create_app()",
}
MIGRATED = {
    "gateway": "gateway.bootstrap",
    "listings": "services.listings.bootstrap",
    "matching": "services.matching.bootstrap",
    "ledger": "services.ledger.bootstrap",
}
SAFETY_CHECK_S = 10.0  # children are checked after every signal, and at least this often
FIRST_BACKOFF_S, MAX_BACKOFF_S = 0.5, 30.0
STABLE_AFTER_S = 30.0  # a child that ran this long before dying is restarted at once, as if for the first time
WEB_WORKERS_LIMIT = 32  # gunicorn workers per service: more would only queue on SQLite's one writer
WORKERS = {
    "listings-relay": "services.listings.worker",
    "matching-worker": "services.matching.worker",
    "webhook-dispatcher": "services.matching.dispatcher",
    "ledger-worker": "services.ledger.worker",
}


def migrate_all(services=tuple(MIGRATED)) -> None:
    from services.common.config import Settings
    from services.common.db import migrate

    for name in services:
        migrate(Settings.from_env(name).database_url, importlib.import_module(MIGRATED[name]).MIGRATIONS)


def _environment(port: int) -> dict[str, str]:
    env = dict(os.environ, PARKLOOP_DATA=str(data_dir()), PYTHONUNBUFFERED="1", PARKLOOP_MIGRATE_ON_START="0")
    for offset, name in enumerate(SERVICES, start=1):
        env.setdefault(f"{name.upper()}_URL", f"http://127.0.0.1:{port + offset}")
    return env


def parse_web_workers(spec: str | None) -> dict[str, int]:
    """`N` (every web process) or `name=N,...` (those named; the others keep 1) -> workers per web process.
    Raises ValueError naming what is wrong."""
    names = ("gateway", *SERVICES)
    counts = dict.fromkeys(names, 1)
    if not spec or not spec.strip():
        return counts
    if "=" not in spec:
        return dict.fromkeys(names, _worker_count(spec))
    for part in spec.split(","):
        name, _, count = part.partition("=")
        if name.strip() not in counts:
            raise ValueError(f"web workers: unknown web process {name.strip()!r}; expected one of {', '.join(names)}")
        counts[name.strip()] = _worker_count(count)
    return counts


def _worker_count(text: str) -> int:
    try:
        count = int(text.strip())
    except ValueError:
        raise ValueError(f"web workers: {text.strip()!r} is not a whole number") from None
    if not 1 <= count <= WEB_WORKERS_LIMIT:
        raise ValueError(f"web workers: {count} is outside 1 to {WEB_WORKERS_LIMIT}")
    return count


def _gunicorn(name: str, bind: str, workers: int = 1) -> list[str]:
    # One process per service by default keeps SQLite writers few; threads serve concurrent requests.
    # A line per request would bury the terminal: access lines go to $PARKLOOP_DATA/logs instead.
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "--config",
        "python:parkloop.gunicorn_conf",
        "--bind",
        bind,
        "--workers",
        str(workers),
        "--log-level",
        "warning",
        "--name",
        f"parkloop-{name}",
        "--access-logfile",
        str(data_dir() / "logs" / f"{name}-access.log"),
        APPS[name],
    ]


def _kill_orphaned_workers(argv: list[str]) -> None:
    """A gunicorn master killed outright leaves its worker serving the port until it notices and drains
    (up to its graceful timeout), so the new master could not bind for ~10 s. The worker is a fork: it
    runs the master's exact command line, which holds this process's own port, so nothing else matches."""
    wanted = b"\0".join(arg.encode() for arg in argv) + b"\0"
    for proc in Path("/proc").glob("[0-9]*"):
        with contextlib.suppress(OSError, ValueError):
            if (proc / "cmdline").read_bytes() == wanted:
                os.kill(int(proc.name), signal.SIGKILL)


class Supervisor:
    def __init__(self, port: int, host: str = "127.0.0.1", web_workers: dict[str, int] | None = None):
        self.port, self.host = port, host
        self.web_workers = web_workers or {}
        self.env = _environment(port)
        self.children: dict[str, subprocess.Popen] = {}
        self.argv: dict[str, list[str]] = {}
        self.started_at: dict[str, float] = {}
        self.backoff_s: dict[str, float] = {}
        self.restart_due: dict[str, float] = {}
        self.stopping = False

    def start(self) -> None:
        # Once, before any process starts, so none races another to migrate; in a child process,
        # because migrating imports every service, which the supervisor would then hold (~100 MiB).
        migrating = subprocess.run(
            [sys.executable, "-c", "from parkloop.supervisor import migrate_all; migrate_all()"],
            env=self.env,
            stdout=sys.stderr,
        )
        if migrating.returncode:
            raise RuntimeError(f"migrating the databases failed (exit code {migrating.returncode}); see above")
        (data_dir() / "logs").mkdir(parents=True, exist_ok=True)
        for offset, name in enumerate(SERVICES, start=1):
            self._spawn(name, _gunicorn(name, f"127.0.0.1:{self.port + offset}", self.web_workers.get(name, 1)))
        self._spawn("gateway", _gunicorn("gateway", f"{self.host}:{self.port}", self.web_workers.get("gateway", 1)))
        for name, module in WORKERS.items():
            self._spawn(name, [sys.executable, "-m", module])

    def _spawn(self, name: str, argv: list[str]) -> None:
        self.argv[name] = argv
        # Logs go to stderr: stdout stays for what the command itself prints (a benchmark's JSON).
        self.children[name] = subprocess.Popen(argv, env=self.env, stdout=sys.stderr)
        self.started_at[name] = time.monotonic()
        run_dir = data_dir() / "run"
        run_dir.mkdir(exist_ok=True)
        (run_dir / f"{name}.pid").write_text(f"{self.children[name].pid}\n")

    def wait_ready(self, timeout_s: float = 60) -> None:
        deadline = time.monotonic() + timeout_s
        down = ["gateway"]
        while time.monotonic() < deadline:
            self.check_alive()
            try:
                answer = requests.get(f"http://127.0.0.1:{self.port}/readyz", timeout=15)
                if answer.status_code == 200:
                    return
                down = answer.json().get("down") or down
            except (requests.RequestException, ValueError):
                pass
            time.sleep(0.3)
        raise RuntimeError(f"ParkLoop did not become ready within {timeout_s:.0f} s; down: {', '.join(down)}")

    def check_alive(self) -> float:
        """Restart each dead child when its pause is over; returns the seconds until the next restart is due."""
        now = time.monotonic()
        for name, child in list(self.children.items()):
            if child.poll() is None or self.stopping:
                continue
            if name not in self.restart_due:
                if name not in WORKERS:
                    _kill_orphaned_workers(self.argv[name])
                # Pausing keeps a child that fails at once (a port still taken, a bad setting) from spinning.
                ran_s = now - self.started_at[name]
                pause = 0.0 if ran_s >= STABLE_AFTER_S else self.backoff_s.get(name, FIRST_BACKOFF_S)
                self.backoff_s[name] = min(MAX_BACKOFF_S, max(FIRST_BACKOFF_S, pause * 2))
                self.restart_due[name] = now + pause
                print(f"{name} exited with code {child.returncode}; restarting it in {pause:.1f} s", file=sys.stderr)
            if self.restart_due[name] <= now:
                del self.restart_due[name]
                self._spawn(name, self.argv[name])
        return min([due - now for due in self.restart_due.values()], default=SAFETY_CHECK_S)

    def stop(self) -> None:
        for child in self.children.values():
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 15
        for child in self.children.values():
            try:
                child.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()

    def serve_forever(self) -> None:
        """Until Ctrl-C or SIGTERM. A terminal's Ctrl-C reaches every child too; the flag set
        here keeps their exits from being taken for crashes. Between signals it blocks: a child's
        exit (SIGCHLD) or a stop wakes it through the wake-up socket, so it costs nothing at rest."""
        wake, wake_writer = socket.socketpair()
        for end in (wake, wake_writer):
            end.setblocking(False)
        previous = signal.set_wakeup_fd(wake_writer.fileno())
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: setattr(self, "stopping", True))
        signal.signal(signal.SIGCHLD, lambda *_: None)  # handled, so that it reaches the wake-up socket
        try:
            while not self.stopping:
                next_restart_s = self.check_alive()
                if select.select([wake], [], [], max(0.05, min(SAFETY_CHECK_S, next_restart_s)))[0]:
                    with contextlib.suppress(BlockingIOError):
                        while wake.recv(4096):  # drain: which signals came matters not
                            pass
        finally:
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            signal.set_wakeup_fd(previous)
            wake.close()
            wake_writer.close()
