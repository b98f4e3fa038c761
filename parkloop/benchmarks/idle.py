"""`parkloop bench idle`: what `parkloop run` costs while nobody uses it, per process and in total.

`parkloop run` is started as a user starts it (demo park loaded), left to settle, and then every
process of it (the supervisor, each gunicorn master and worker, each worker process) is read from
/proc: CPU time over a minute, as a share of one core, and resident memory (RSS, and PSS, which
splits the pages a gunicorn master shares with its worker, so the PSS total is what the system
really holds). It runs twice: on the demo park, then with `--scale` more listings posted (1,000 by
default), so `growth` says whether being idle costs more with more data. Linux only (/proc).
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

from parkloop.harness.bodies import steam_offer

from .common import environment, free_port_block
from .webhook_latency import bench_enterprises

MEASURE_S = 60.0
SETTLE_S = 10.0  # after start-up and loading: the relay, the consumers and the dispatcher catch up
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PAGE_KIB = os.sysconf("SC_PAGE_SIZE") // 1024


def run(scale: int | None) -> dict:
    extra = 1_000 if scale is None else scale
    sizes = {"demo": _measure(0), f"demo+{extra}": _measure(extra)}
    small, large = sizes.values()
    return {
        "benchmark": "idle",
        "scale": {"measured_s": MEASURE_S, "sizes": {"demo": 21, f"demo+{extra}": 21 + extra}},
        "sizes": sizes,
        "growth": {
            "cpu_percent_of_one_core": f"{small['total']['cpu_percent']} -> {large['total']['cpu_percent']}",
            "pss_mib": f"{small['total']['pss_mib']} -> {large['total']['pss_mib']}",
        },
        **environment(),
    }


def _measure(extra_listings: int) -> dict:
    with tempfile.TemporaryDirectory() as data:
        admin_key = "plk_" + secrets.token_urlsafe(24)
        port = free_port_block()
        env = dict(os.environ, PARKLOOP_DATA=data, PARKLOOP_ADMIN_KEY=admin_key, PARKLOOP_DEMO="1")
        run_argv = [sys.executable, "-m", "parkloop.cli", "run", "--port", str(port)]
        system = subprocess.Popen(run_argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            url = f"http://127.0.0.1:{port}"
            _wait_for_demo(url, admin_key, Path(data))
            if extra_listings:
                _post_offers(f"{url}/api/v1", admin_key, extra_listings)
            time.sleep(SETTLE_S)
            processes = process_tree(system.pid)
            before = {pid: cpu_s(pid) for pid in processes}
            started = time.monotonic()
            time.sleep(MEASURE_S)
            elapsed = time.monotonic() - started
            rows = []
            for pid, name in processes.items():
                used = cpu_s(pid) - before[pid]
                rss, pss = _memory_kib(pid)
                rows.append(
                    {
                        "process": name,
                        "cpu_percent": round(100 * used / elapsed, 3),
                        "rss_mib": round(rss / 1024, 1),
                        "pss_mib": round(pss / 1024, 1),
                    }
                )
        finally:
            system.terminate()
            system.wait(30)
    rows.sort(key=lambda row: row["process"])
    return {
        "processes": rows,
        "total": {
            "processes": len(rows),
            "cpu_percent": round(sum(r["cpu_percent"] for r in rows), 3),
            "rss_mib": round(sum(r["rss_mib"] for r in rows), 1),
            "pss_mib": round(sum(r["pss_mib"] for r in rows), 1),
        },
    }


def _wait_for_demo(url: str, admin_key: str, data: Path, timeout_s: float = 120) -> None:
    """`parkloop run` prints its URL once the demo is loaded; here, the demo keys file says so."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if (data / "demo-keys.json").exists():
            try:
                if requests.get(f"{url}/readyz", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
        time.sleep(0.5)
    raise RuntimeError(f"parkloop run did not load its demo within {timeout_s:.0f} s")


def _post_offers(api: str, admin_key: str, count: int) -> None:
    _, seller = bench_enterprises(api, admin_key)
    for n in range(count):
        seller.post(f"{api}/offers", json=steam_offer(title=f"Steam {n}")).raise_for_status()


def process_tree(root: int) -> dict[int, str]:
    """Every process under `root` (itself included), by pid, named by what it runs."""
    found: dict[int, str] = {}
    pending = [root]
    while pending:
        pid = pending.pop()
        found[pid] = _name(pid)
        children = Path(f"/proc/{pid}/task/{pid}/children")
        pending.extend(int(child) for child in children.read_text().split())
    return found


def _name(pid: int) -> str:
    argv = Path(f"/proc/{pid}/cmdline").read_bytes().decode().split("\0")
    if "--name" in argv:  # a gunicorn master; its worker has the same command line
        return argv[argv.index("--name") + 1] + (" (worker)" if _is_gunicorn_worker(pid) else " (master)")
    if "-m" in argv:
        module = argv[argv.index("-m") + 1]
        return "parkloop run (supervisor)" if module == "parkloop.cli" else module
    return " ".join(argv)[:80]


def _is_gunicorn_worker(pid: int) -> bool:
    parent = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1]
    return "--name" in Path(f"/proc/{parent}/cmdline").read_bytes().decode().split("\0")


def cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime + stime


def _memory_kib(pid: int) -> tuple[int, int]:
    rss = int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE_KIB
    rollup = Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()
    pss = next(int(line.split()[1]) for line in rollup if line.startswith("Pss:"))
    return rss, pss
