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


def receiver():
    """A webhook receiver on 127.0.0.1: (server, body -> arrival time); `server.deliveries`
    counts every delivery, so a message sent twice shows."""
    arrivals: dict[str, float] = {}
    deliveries: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            deliveries.append(body.decode())
            arrivals.setdefault(body.decode(), time.perf_counter())
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    server.deliveries = deliveries  # type: ignore[attr-defined]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, arrivals


HEAT_WANT = {
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
}


def steam_offer(n: int) -> dict:
    return {
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
    }


def trading_pair(url: str, admin_key: str) -> tuple[requests.Session, requests.Session]:
    """A park with a buyer and a seller enterprise: their API sessions."""
    from parkloop.demo import credit_code

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
        key = admin.post(f"{url}/keys", json={"role": "enterprise", "label": name, "park_id": park}).json()["key"]
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

    return enterprise("Bench Buyer", "MA1BN001"), enterprise("Bench Seller", "MA1BN002")


def webhook_latency(offers: int) -> dict:
    from parkloop.supervisor import Supervisor

    server, arrivals = receiver()
    with tempfile.TemporaryDirectory() as data:
        admin_key = "plk_" + secrets.token_urlsafe(24)
        os.environ.update(PARKLOOP_DATA=data, PARKLOOP_ADMIN_KEY=admin_key, WEBHOOK_ALLOW_PRIVATE_TARGETS="1")
        port = free_port_block()
        supervisor = Supervisor(port)
        supervisor.start()
        try:
            supervisor.wait_ready()
            url = f"http://127.0.0.1:{port}/api/v1"
            buyer, seller = trading_pair(url, admin_key)
            buyer.post(f"{url}/wants", json=HEAT_WANT).raise_for_status()
            buyer.post(
                f"{url}/webhooks", json={"url": f"http://127.0.0.1:{server.server_address[1]}/hook", "min_score": 0}
            ).raise_for_status()
            samples = []
            for n in range(offers):
                started = time.perf_counter()
                offer = seller.post(f"{url}/offers", json=steam_offer(n)).json()
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
