"""`parkloop bench gateway`: reads through the gateway (authentication and forwarding) against the
same reads straight to the listings service, interleaved so both see the same machine load.

Two sizes of answer: one offer (about 1 KB) and a page of 200 offers (about 200 KB), so `growth`
says how the gateway's overhead grows with what it carries.
"""

from __future__ import annotations

import os
import secrets
import tempfile
import time
from pathlib import Path

import requests

from parkloop.harness.bodies import steam_offer
from services.common.identity import Principal, Role, sign_principal

from . import idle
from .common import environment, free_port_block, percentiles
from .webhook_latency import bench_enterprises

PAGE = 200


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
            api = f"http://127.0.0.1:{port}/api/v1"
            offer_id = gateway.get(f"{api}/offers").json()["items"][0]["id"]
            _, seller = bench_enterprises(api, admin_key)
            for n in range(PAGE):
                seller.post(f"{api}/offers", json=steam_offer(title=f"Steam {n}")).raise_for_status()
            secret = (Path(data) / "internal.secret").read_text().strip()
            reads = {"one_offer": f"/api/v1/offers/{offer_id}", f"page_of_{PAGE}": f"/api/v1/offers?page_size={PAGE}"}
            gateway_pid = int((Path(data) / "run" / "gateway.pid").read_text())
            sizes = {
                name: _compare(gateway, port, path, secret, requests_per_path, gateway_pid)
                for name, path in reads.items()
            }
        finally:
            supervisor.stop()
    one, page = sizes.values()
    return {
        "benchmark": "gateway",
        "scale": {"requests_per_path": requests_per_path, "listings": 21 + PAGE},
        "sizes": sizes,
        # the headline figures: one offer, as issue 10's goal states them
        "via_gateway": one["via_gateway"],
        "direct_to_service": one["direct_to_service"],
        "gateway_overhead": one["gateway_overhead"],
        "growth": {
            "overhead_p50_ms": f"{one['gateway_overhead']['p50_ms']} -> {page['gateway_overhead']['p50_ms']} "
            f"from {one['answer_bytes']} to {page['answer_bytes']} bytes"
        },
        **environment("urllib3"),
    }


def _cpu_s(master: int) -> float:
    """CPU time (user + system) of a gunicorn master and its workers: what the gateway spends, whatever the
    machine's load does to the latencies."""
    return sum(idle.cpu_s(pid) for pid in idle.process_tree(master))


def _compare(gateway: requests.Session, port: int, path: str, secret: str, count: int, gateway_pid: int) -> dict:
    direct = requests.Session()
    cpu_before = _cpu_s(gateway_pid)
    principal = Principal(Role.ADMIN, "bench")
    via_gateway, straight = [], []
    size = 0
    for _ in range(count):  # interleaved, so both see the same machine load
        for session, base, samples in (
            (gateway, f"http://127.0.0.1:{port}", via_gateway),
            (direct, f"http://127.0.0.1:{port + 1}", straight),
        ):
            headers = sign_principal(principal, secret) if session is direct else None
            started = time.perf_counter()
            response = session.get(base + path, headers=headers)
            samples.append(time.perf_counter() - started)
            response.raise_for_status()
            size = len(response.content)
    gateway_cpu_ms = round(1000 * (_cpu_s(gateway_pid) - cpu_before) / count, 3)
    g, s = percentiles(via_gateway), percentiles(straight)
    return {
        "answer_bytes": size,
        "gateway_cpu_ms_per_request": gateway_cpu_ms,
        "via_gateway": g,
        "direct_to_service": s,
        "gateway_overhead": {
            "p50_ms": round(g["p50_ms"] - s["p50_ms"], 3),
            "p95_ms": round(g["p95_ms"] - s["p95_ms"], 3),
            "p50_ratio": round(g["p50_ms"] / s["p50_ms"], 2),
        },
    }
