"""Benchmarks: `parkloop bench NAME` prints one JSON object with the figures, the scale and
the versions. Each compares against a baseline measured side by side in the same run,
because the ratio, not the absolute time, is what survives a noisy shared machine."""
from __future__ import annotations

import os
import platform
import secrets
import statistics
import tempfile
import time
from importlib import metadata
from pathlib import Path

import requests

from services.common.identity import Principal, Role, sign_principal


def _percentiles(samples_s: list[float]) -> dict:
    ms = sorted(s * 1000 for s in samples_s)
    return {"p50_ms": round(statistics.median(ms), 3), "p95_ms": round(ms[int(0.95 * (len(ms) - 1))], 3)}


def _versions() -> dict:
    return {"python": platform.python_version(),
            **{name: metadata.version(name) for name in ("parkloop", "flask", "gunicorn", "sqlalchemy")}}


def bench_gateway(requests_per_path: int) -> dict:
    """A listing read through the gateway (auth + forwarding) vs. straight to the listings service."""
    from parkloop.demo import load_demo
    from parkloop.supervisor import Supervisor

    with tempfile.TemporaryDirectory() as data:
        admin_key = "plk_" + secrets.token_urlsafe(24)
        os.environ.update(PARKLOOP_DATA=data, PARKLOOP_ADMIN_KEY=admin_key)
        port = 18480
        supervisor = Supervisor(port)
        supervisor.start()
        try:
            supervisor.wait_ready()
            load_demo(f"http://127.0.0.1:{port}", Path(data), admin_key)
            gateway = requests.Session()
            gateway.headers["Authorization"] = f"Bearer {admin_key}"
            offer_id = gateway.get(f"http://127.0.0.1:{port}/api/v1/offers").json()["items"][0]["id"]
            direct = requests.Session()
            secret = (Path(data) / "internal.secret").read_text().strip()
            principal = Principal(Role.ADMIN, "bench")
            via_gateway, straight = [], []
            for _ in range(requests_per_path):  # interleaved, so both see the same machine load
                for session, url, samples in (
                        (gateway, f"http://127.0.0.1:{port}/api/v1/offers/{offer_id}", via_gateway),
                        (direct, f"http://127.0.0.1:{port + 1}/api/v1/offers/{offer_id}", straight)):
                    headers = sign_principal(principal, secret) if session is direct else None
                    started = time.perf_counter()
                    response = session.get(url, headers=headers)
                    samples.append(time.perf_counter() - started)
                    response.raise_for_status()
        finally:
            supervisor.stop()
    g, s = _percentiles(via_gateway), _percentiles(straight)
    return {"benchmark": "gateway", "scale": {"requests_per_path": requests_per_path, "listings": 21},
            "via_gateway": g, "direct_to_service": s,
            "gateway_overhead": {"p50_ms": round(g["p50_ms"] - s["p50_ms"], 3),
                                 "p95_ms": round(g["p95_ms"] - s["p95_ms"], 3),
                                 "p50_ratio": round(g["p50_ms"] / s["p50_ms"], 2)},
            "versions": _versions(), "machine": {"cpus": os.cpu_count(), "platform": platform.platform()}}


BENCHMARKS = {"gateway": bench_gateway}


def run_benchmark(name: str, requests_per_path: int) -> dict:
    return BENCHMARKS[name](requests_per_path)
