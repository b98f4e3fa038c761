"""`parkloop bench load`: mixed traffic through the gateway of the embedded default (`parkloop run`),
stepped up until it fails, with locust (headless, one process per step), once with one gunicorn worker
per web process and once with one per core (`parkloop run --web-workers N`). A step is sustained when no
request failed and the 95th percentile stayed under 200 ms; the figure is the highest sustained request
rate. At that step a CPU profile (py-spy sampling the gateway's and the services' gunicorn processes)
names where the time goes. `--scale` is each step's length in seconds (default 20)."""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from parkloop.harness import parties, system
from parkloop.harness.bodies import heat_want, steam_offer

from .common import environment

USERS = (2, 4, 8, 16, 24, 32, 48, 64, 96)
P95_LIMIT_MS = 200
LOCUSTFILE = Path(__file__).with_name("load_locustfile.py")
PROFILED = ("gateway", "listings", "matching", "ledger")
TOP = 12
SEVERAL_WEB_WORKERS = max(2, os.cpu_count() or 2)  # the variant with several: one per core


def _setup(api: str, admin_key: str) -> dict:
    """A park, a steam supplier with an offer, and a dye works with a heat want the offer matches."""
    admin = parties.session(admin_key)
    park_id = parties.create_park(api, admin, "Load Park")
    supplier = parties.register_enterprise(api, admin, park_id, "Load Steam Co")
    receiver = parties.register_enterprise(api, admin, park_id, "Load Dye Works")
    offer = parties.ok(supplier.session.post(f"{api}/offers", json=steam_offer(title="Load-test steam")))
    want = parties.ok(receiver.session.post(f"{api}/wants", json=heat_want()))
    deadline = time.monotonic() + 60
    while admin.get(f"{api}/wants/{want['id']}/matches").status_code != 200:  # matching caught up
        if time.monotonic() > deadline:
            raise RuntimeError("matching never indexed the load test's want")
        time.sleep(0.3)
    return {
        "keys": {"admin": admin_key, "supplier": supplier.key, "receiver": receiver.key},
        "offer_id": offer["id"],
        "want_id": want["id"],
        "receiver_id": receiver.id,
    }


def _step(url: str, setup_file: Path, users: int, seconds: int, out: Path) -> dict:
    prefix = out / f"step-{users}"
    subprocess.run(
        [
            os.path.join(os.path.dirname(sys.executable), "locust"),
            *("-f", str(LOCUSTFILE), "--headless", "--host", url, "--only-summary", "--loglevel", "WARNING"),
            *("-u", str(users), "-r", str(users), "-t", f"{seconds}s", "--csv", str(prefix), "--stop-timeout", "10"),
        ],
        env={**os.environ, "PARKLOOP_LOAD_SETUP": str(setup_file)},
        check=False,  # locust exits 1 when a request failed: the stats say so
        capture_output=True,
        timeout=seconds + 120,
    )
    with open(f"{prefix}_stats.csv") as fh:
        rows = {row["Name"]: row for row in csv.DictReader(fh)}
    total = rows["Aggregated"]
    step = {
        "users": users,
        "requests": int(total["Request Count"]),
        "failures": int(total["Failure Count"]),
        "requests_per_s": round(float(total["Requests/s"]), 1),
        "p50_ms": float(total["50%"]),
        "p95_ms": float(total["95%"]),
        "p95_ms_by_request": {name: float(row["95%"]) for name, row in rows.items() if name != "Aggregated"},
    }
    step["sustained"] = step["failures"] == 0 and step["p95_ms"] < P95_LIMIT_MS
    return step


def _profile(pids: dict[str, int], seconds: int, out: Path) -> dict[str, subprocess.Popen]:
    """py-spy, sampling each gunicorn master and its workers, for `seconds`."""
    return {
        name: subprocess.Popen(
            [
                os.path.join(os.path.dirname(sys.executable), "py-spy"),
                # --gil: only the thread running Python is sampled (not workers waiting for work or I/O)
                *("record", "--pid", str(pid), "--subprocesses", "--gil", "--format", "raw"),
                *("--rate", "100", "--duration", str(seconds), "--output", str(out / f"{name}.folded")),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for name, pid in pids.items()
    }


def top_frames(folded: Path, limit: int = TOP) -> list[dict]:
    """The functions the samples were in (self time), busiest first, as a share of all samples; idle
    waits (a worker blocked in select/accept/poll) are not work and are left out."""
    own: Counter[str] = Counter()
    total = 0
    for line in folded.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        leaf = re.sub(r":\d+\)$", ")", stack.rsplit(";", 1)[-1])  # a function, whichever of its lines
        if any(idle in leaf for idle in ("select (", "poll (", "accept (", "wait (", "sleep (", "epoll")):
            continue
        own[leaf] += int(count)
        total += int(count)
    return [{"function": name, "share": round(n / total, 3)} for name, n in own.most_common(limit)] if total else []


def run(scale: int | None) -> dict:
    seconds = scale or 20
    variants = {f"{n}_web_workers": _variant(n, seconds) for n in (1, SEVERAL_WEB_WORKERS)}
    return {
        "benchmark": "load",
        "scale": {
            "seconds_per_step": seconds,
            "users_per_step": list(USERS),
            "tasks_per_user_s": 2.0,
            "web_workers_per_service": [1, SEVERAL_WEB_WORKERS],
        },
        "scenario": "through the gateway: GET offers/{id} 4, GET wants/{id}/matches 3, GET ledger/entries 2, "
        "POST offers 1, exchange proposed-accepted-delivered-completed (4 POSTs) 1; weights per task",
        "sustained_when": f"no failed request and p95 < {P95_LIMIT_MS} ms",
        "variants": variants,
        "highest_sustained_requests_per_s": {
            name: (v["highest_sustained"] or {}).get("requests_per_s", 0.0) for name, v in variants.items()
        },
        **environment("locust"),
    }


def _variant(web_workers: int, seconds: int) -> dict:
    """`parkloop run --web-workers N` stepped up until a step is not sustained, then profiled at the best step."""
    with tempfile.TemporaryDirectory() as data:
        out = Path(data) / "load"
        out.mkdir(parents=True)
        running = system.start(Path(data) / "parkloop", env={"PARKLOOP_WEB_WORKERS": str(web_workers)})
        try:
            setup_file = out / "setup.json"
            setup_file.write_text(json.dumps(_setup(running.api, running.admin_key)))
            steps = []
            for users in USERS:
                steps.append(_step(running.url, setup_file, users, seconds, out))
                if not steps[-1]["sustained"]:
                    break
            best = max((s for s in steps if s["sustained"]), key=lambda s: s["requests_per_s"], default=None)
            profile = {}
            if best:
                recorders = _profile({name: running.pid_of(name) for name in PROFILED}, seconds, out)
                again = _step(running.url, setup_file, best["users"], seconds, out)
                for name, recorder in recorders.items():
                    recorder.wait(seconds + 60)
                    folded = out / f"{name}.folded"
                    profile[name] = top_frames(folded) if folded.exists() else []
                profile["during"] = {k: again[k] for k in ("users", "requests_per_s", "p95_ms", "failures")}
        finally:
            running.stop()
    return {
        "web_workers_per_service": web_workers,  # gunicorn workers of each web process, 8 threads each
        "steps": steps,
        "highest_sustained": best,
        "cpu_profile_at_highest_sustained": profile,
        "machine_load_average_1min": round(os.getloadavg()[0], 1),  # other work on this machine, at the end
    }
