"""Offer published → signed `match.found` received, through the whole embedded system
(gateway, listings, relay, matching worker, dispatcher) with a receiver on 127.0.0.1."""

from __future__ import annotations

import os
import secrets
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

import requests

from .common import free_port_block, percentiles


def _receiver():
    arrivals: dict[str, float] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            arrivals[body.decode()] = time.perf_counter()
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, arrivals


def webhook_latency(offers: int) -> dict:
    from parkloop.demo import credit_code
    from parkloop.supervisor import Supervisor

    server, arrivals = _receiver()
    with tempfile.TemporaryDirectory() as data:
        admin_key = "plk_" + secrets.token_urlsafe(24)
        os.environ.update(PARKLOOP_DATA=data, PARKLOOP_ADMIN_KEY=admin_key, WEBHOOK_ALLOW_PRIVATE_TARGETS="1")
        port = free_port_block()
        supervisor = Supervisor(port)
        supervisor.start()
        try:
            supervisor.wait_ready()
            url = f"http://127.0.0.1:{port}/api/v1"
            admin = requests.Session()
            admin.headers["Authorization"] = f"Bearer {admin_key}"
            park = admin.post(
                f"{url}/parks",
                json={
                    "name": "Bench Park",
                    "province": "Jiangsu",
                    "level": "provincial",
                    "park_type": "chemical_park",
                    "centroid": {"lat": 31.0, "lon": 121.0},
                },
            ).json()["id"]

            def enterprise(name, org):
                key = admin.post(f"{url}/keys", json={"role": "enterprise", "label": name, "park_id": park}).json()[
                    "key"
                ]
                session = requests.Session()
                session.headers["Authorization"] = f"Bearer {key}"
                session.post(
                    f"{url}/enterprises",
                    json={
                        "name": name,
                        "credit_code": credit_code(org),
                        "industry_code": "C2614",
                        "location": {"lat": 31.0, "lon": 121.0},
                    },
                ).raise_for_status()
                return session

            buyer, seller = enterprise("Bench Buyer", "MA1BN001"), enterprise("Bench Seller", "MA1BN002")
            buyer.post(
                f"{url}/wants",
                json={
                    "kind": "heat",
                    "title": "Heat",
                    "max_distance_km": 10,
                    "heat": {
                        "medium": "hot_water",
                        "temperature_c": 80,
                        "thermal_power_mw": 2,
                        "hours_per_day": 24,
                        "days_per_year": 330,
                    },
                },
            ).raise_for_status()
            buyer.post(
                f"{url}/webhooks", json={"url": f"http://127.0.0.1:{server.server_address[1]}/hook", "min_score": 0}
            ).raise_for_status()
            samples = []
            for n in range(offers):
                started = time.perf_counter()
                offer = seller.post(
                    f"{url}/offers",
                    json={
                        "kind": "heat",
                        "title": f"Steam {n}",
                        "max_distance_km": 10,
                        "heat": {
                            "medium": "steam",
                            "temperature_c": 200,
                            "pressure_mpa": 1.0,
                            "thermal_power_mw": 3,
                            "hours_per_day": 24,
                            "days_per_year": 330,
                        },
                    },
                ).json()
                deadline = time.monotonic() + 30
                while time.monotonic() < deadline:
                    hit = [t for body, t in list(arrivals.items()) if offer["id"] in body]
                    if hit:
                        samples.append(hit[0] - started)
                        break
                    time.sleep(0.01)
        finally:
            supervisor.stop()
            server.shutdown()
    return {"offers": offers, "received": len(samples), **(percentiles(samples) if samples else {})}
