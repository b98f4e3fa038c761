"""`parkloop bench gateway`: a listing read through the gateway (authentication and
forwarding) against the same read straight to the listings service, interleaved."""

from __future__ import annotations

import os
import secrets
import tempfile
import time
from pathlib import Path

import requests

from services.common.identity import Principal, Role, sign_principal

from .common import environment, free_port_block, percentiles


def run(scale: int | None) -> dict:
    from parkloop.demo import load_demo
    from parkloop.supervisor import Supervisor

    requests_per_path = scale or 500
    with tempfile.TemporaryDirectory() as data:
        admin_key = "plk_" + secrets.token_urlsafe(24)
        os.environ.update(PARKLOOP_DATA=data, PARKLOOP_ADMIN_KEY=admin_key)
        port = free_port_block()
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
                    (direct, f"http://127.0.0.1:{port + 1}/api/v1/offers/{offer_id}", straight),
                ):
                    headers = sign_principal(principal, secret) if session is direct else None
                    started = time.perf_counter()
                    response = session.get(url, headers=headers)
                    samples.append(time.perf_counter() - started)
                    response.raise_for_status()
        finally:
            supervisor.stop()
    g, s = percentiles(via_gateway), percentiles(straight)
    return {
        "benchmark": "gateway",
        "scale": {"requests_per_path": requests_per_path, "listings": 21},
        "via_gateway": g,
        "direct_to_service": s,
        "gateway_overhead": {
            "p50_ms": round(g["p50_ms"] - s["p50_ms"], 3),
            "p95_ms": round(g["p95_ms"] - s["p95_ms"], 3),
            "p50_ratio": round(g["p50_ms"] / s["p50_ms"], 2),
        },
        **environment(),
    }
