"""`parkloop bench webhook`: offer published → signed `match.found` received, one offer at a time,
through the whole embedded system (gateway, listings, outbox relay, event log, matching worker,
webhook dispatcher) with a receiver on 127.0.0.1.

Two sizes: a park with only the subscribed want, and one where `--scale` (1,000 by default) other
wants compete, so every offer is matched against all of them; `growth` says how p95 grows.
The baseline in the same run is the POST of the offer alone (answered once the offer and its
event are committed), so `after_post_ms` is what the system adds on top.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import requests

from parkloop.harness import parties, system
from parkloop.harness.bodies import HERE, heat_want, steam_offer
from parkloop.harness.receiver import Receiver

from .common import environment, percentiles

OFFERS = 20
WAIT_S = 30


def bench_enterprises(
    api: str, admin_key: str, names=("Bench Buyer", "Bench Seller"), north_km: dict[str, float] | None = None
) -> list[requests.Session]:
    """A park and one registered enterprise per name, each as a session holding its own key; all
    at one spot but those in `north_km`, that far north of it."""
    admin = parties.session(admin_key)
    park = parties.create_park(api, admin, "Bench Park")
    return [
        parties.register_enterprise(
            api, admin, park, name, {**HERE, "lat": HERE["lat"] + (north_km or {}).get(name, 0.0) / 111.2}
        ).session
        for name in names
    ]


def webhook_latency(offers: int = OFFERS, competing_wants: int = 0) -> dict:
    receiver = Receiver()
    with tempfile.TemporaryDirectory() as data:
        running = system.start(Path(data))
        try:
            url = running.api
            # The competing wants are 5 km further away, so the buyer's want stays among the matches
            # an offer alerts (the best CANDIDATES of them).
            buyer, seller, others = bench_enterprises(
                url, running.admin_key, ("Bench Buyer", "Bench Seller", "Bench Others"), {"Bench Others": 5.0}
            )
            for _ in range(competing_wants):
                others.post(f"{url}/wants", json=heat_want()).raise_for_status()
            buyer.post(f"{url}/wants", json=heat_want()).raise_for_status()
            buyer.post(f"{url}/webhooks", json={"url": receiver.url, "min_score": 0}).raise_for_status()

            def one(n: int) -> tuple[float, float] | None:
                started = time.perf_counter()
                offer = seller.post(f"{url}/offers", json=steam_offer(title=f"Steam {n}"))
                posted = time.perf_counter()
                offer_id = offer.json()["id"]
                deadline = time.monotonic() + WAIT_S
                while time.monotonic() < deadline:
                    hit = [at for _, body, at in list(receiver.deliveries) if offer_id.encode() in body]
                    if hit:
                        return hit[0] - started, posted - started
                    time.sleep(0.002)
                return None

            one(-1)  # a warm-up: it arrives once everything posted before it has been matched
            samples = [sample for n in range(offers) if (sample := one(n))]
        finally:
            running.stop()
            receiver.close()
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
