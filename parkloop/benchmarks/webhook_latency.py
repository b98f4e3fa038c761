"""`parkloop bench webhook`: offer published → signed `match.found` received, one offer at a time,
through the whole embedded system (gateway, listings, outbox relay, event log, matching worker,
webhook dispatcher) with a receiver on 127.0.0.1.

Two sizes: a park with only the subscribed want, and one where `--scale` (1,000 by default) other
wants compete, so every offer is matched against all of them; `growth` says how p95 grows.
The baseline in the same run is the POST of the offer alone (answered once the offer and its
event are committed), so `after_post_ms` is what the system adds on top.
"""

from __future__ import annotations

import os
import secrets
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

import requests

from .common import environment, free_port_block, percentiles

OFFERS = 20
WAIT_S = 30


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


def bench_enterprises(
    url: str, admin_key: str, names=("Bench Buyer", "Bench Seller"), north_km: dict[str, float] | None = None
) -> list[requests.Session]:
    """A park and one registered enterprise per name, each as a session holding its own key; all
    at one spot but those in `north_km`, that far north of it."""
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
    sessions = []
    for n, name in enumerate(names, start=1):
        key = admin.post(f"{url}/keys", json={"role": "enterprise", "label": name, "park_id": park}).json()["key"]
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {key}"
        session.post(
            f"{url}/enterprises",
            json={
                "name": name,
                "credit_code": credit_code(f"MA1BN{n:03d}"),
                "industry_code": "C2614",
                "location": {"lat": 31.0 + (north_km or {}).get(name, 0.0) / 111.2, "lon": 121.0},
            },
        ).raise_for_status()
        sessions.append(session)
    return sessions


def trading_pair(url: str, admin_key: str) -> tuple[requests.Session, requests.Session]:
    """A park with a buyer and a seller enterprise: their API sessions."""
    buyer, seller = bench_enterprises(url, admin_key)
    return buyer, seller


def webhook_latency(offers: int = OFFERS, competing_wants: int = 0) -> dict:
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
            # The competing wants are 5 km further away, so the buyer's want stays among the matches
            # an offer alerts (the best CANDIDATES of them).
            buyer, seller, others = bench_enterprises(
                url, admin_key, ("Bench Buyer", "Bench Seller", "Bench Others"), {"Bench Others": 5.0}
            )
            for _ in range(competing_wants):
                others.post(f"{url}/wants", json=HEAT_WANT).raise_for_status()
            buyer.post(f"{url}/wants", json=HEAT_WANT).raise_for_status()
            buyer.post(
                f"{url}/webhooks", json={"url": f"http://127.0.0.1:{server.server_address[1]}/hook", "min_score": 0}
            ).raise_for_status()

            def one(n: int) -> tuple[float, float] | None:
                started = time.perf_counter()
                offer = seller.post(f"{url}/offers", json=steam_offer(n))
                posted = time.perf_counter()
                offer_id = offer.json()["id"]
                deadline = time.monotonic() + WAIT_S
                while time.monotonic() < deadline:
                    hit = [t for body, t in list(arrivals.items()) if offer_id in body]
                    if hit:
                        return hit[0] - started, posted - started
                    time.sleep(0.002)
                return None

            one(-1)  # a warm-up: it arrives once everything posted before it has been matched
            samples = [sample for n in range(offers) if (sample := one(n))]
        finally:
            supervisor.stop()
            server.shutdown()
    delivered = [total for total, _ in samples]
    posts = [post for _, post in samples]
    result = {"offers": offers, "received": len(samples), "competing_wants": competing_wants}
    if samples:
        result |= percentiles(delivered)
        result["post_only"] = percentiles(posts)
        result["after_post_ms"] = round(result["p50_ms"] - result["post_only"]["p50_ms"], 3)
    return result


def run(scale: int | None) -> dict:
    competing = 1_000 if scale is None else scale
    small, large = webhook_latency(OFFERS, 0), webhook_latency(OFFERS, competing)
    return {
        "benchmark": "webhook",
        "scale": {"offers_per_size": OFFERS, "competing_wants": [0, competing]},
        "sizes": {"alone": small, f"{competing}_competing_wants": large},
        "growth": {"p95_ms": f"{small.get('p95_ms')} -> {large.get('p95_ms')} with {competing} competing wants"},
        **environment(),
    }
