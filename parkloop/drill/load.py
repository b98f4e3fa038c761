"""The drill's load: rounds of park traffic at a fixed rate, whatever the answers (open loop)."""

from __future__ import annotations

import collections
import random
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import requests

from parkloop.harness import parties
from parkloop.harness.bodies import heat_want, steam_offer
from parkloop.harness.flows import complete_steam_exchange
from parkloop.harness.receiver import Receiver

REQUESTS_PER_ROUND = 7  # an offer, a match read, four exchange steps, a ledger read
TIMEOUT_S = 30.0


@dataclass
class Parties:
    """A supplier and a buyer in a park of their own; the buyer's want and webhook subscription.
    Each load thread has its own HTTP sessions."""

    api: str
    keys: dict[str, str]  # "supplier" / "receiver" -> API key
    supplier_id: str
    buyer_id: str
    want_id: str
    secret: str  # the subscription's signing secret
    local: threading.local = field(default_factory=threading.local)

    def session(self, party: str) -> requests.Session:
        sessions = self.local.__dict__.setdefault("sessions", {})
        if party not in sessions:
            sessions[party] = parties.session(self.keys[party])
        return sessions[party]


def somewhere() -> dict:
    """A random place in eastern China: on engines shared with earlier runs (whose listings a new
    consumer group replays), their listings are far from this run's and match none of them."""
    draw = random.SystemRandom()
    return {"lat": round(draw.uniform(23.0, 40.0), 5), "lon": round(draw.uniform(104.0, 121.0), 5)}


def set_up(api: str, admin_key: str, receiver: Receiver) -> Parties:
    admin = parties.session(admin_key)
    here = somewhere()
    park_id = parties.create_park(api, admin, "Drill Park", here)
    supplier = parties.register_enterprise(api, admin, park_id, "Drill Steam Co", here)
    buyer = parties.register_enterprise(api, admin, park_id, "Drill Dye Works", here)
    want_id = parties.ok(buyer.session.post(f"{api}/wants", json=heat_want(), timeout=TIMEOUT_S))["id"]
    hook = {"url": receiver.url, "min_score": 0.0}
    secret = parties.ok(buyer.session.post(f"{api}/webhooks", json=hook, timeout=TIMEOUT_S))["secret"]
    keys = {"supplier": supplier.key, "receiver": buyer.key}
    return Parties(api, keys, supplier.id, buyer.id, want_id, secret)


@dataclass
class Tally:
    """What the load saw: answers by status, and the writes answered 2xx."""

    statuses: collections.Counter = field(default_factory=collections.Counter)
    failures: collections.Counter = field(default_factory=collections.Counter)  # (request, 5xx or no answer)
    offers: list[str] = field(default_factory=list)
    exchanges: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def call(self, session: requests.Session, method: str, url: str, name: str, body: dict | None = None):
        """`name`: the request without ids, e.g. "POST exchanges/{id}/accept"."""
        try:
            response = session.request(method, url, json=body, timeout=TIMEOUT_S)
        except requests.RequestException:
            response = None
        status = "no answer" if response is None else str(response.status_code)
        with self.lock:
            self.statuses[status] += 1
            if response is None or response.status_code >= 500:
                self.failures[f"{name}: {status}"] += 1
        return response


def one_round(p: Parties, tally: Tally) -> None:
    """A new offer (alerted to the buyer), a match read, an exchange on the offer to completion, a ledger read."""
    offer = tally.call(
        p.session("supplier"), "POST", f"{p.api}/offers", "POST offers", steam_offer(title="Drill steam")
    )
    if offer is None or not offer.ok:
        return
    offer_id = offer.json()["id"]
    with tally.lock:
        tally.offers.append(offer_id)
    tally.call(p.session("receiver"), "GET", f"{p.api}/wants/{p.want_id}/matches", "GET wants/{id}/matches")

    def post(party: str, path: str, body: dict, name: str):
        return tally.call(p.session(party), "POST", f"{p.api}/{path}", f"POST {name}", body)

    exchange_id = complete_steam_exchange(post, {"offer_id": offer_id, "receiver_enterprise_id": p.buyer_id}, "100")
    if exchange_id is None:
        return
    with tally.lock:
        tally.exchanges.append(exchange_id)
    tally.call(p.session("receiver"), "GET", f"{p.api}/ledger/entries?page_size=10", "GET ledger/entries")


def open_loop(rate_per_s: float, work: Callable[[], None], stop: threading.Event, clients: int) -> dict:
    """Start `work` every 1/rate s until `stop`, on at most `clients` threads at once. A round whose
    time comes while every client is busy is not sent and is counted, never queued: a queue would
    hide that the system (or this machine) fell behind."""
    in_flight = threading.BoundedSemaphore(clients)
    due = sent = skipped = 0

    def job() -> None:
        try:
            work()
        finally:
            in_flight.release()

    began = time.monotonic()
    with ThreadPoolExecutor(clients, thread_name_prefix="drill-load") as pool:
        while not stop.wait(max(0.0, began + due / rate_per_s - time.monotonic())):
            due += 1
            if in_flight.acquire(blocking=False):
                sent += 1
                pool.submit(job)
            else:
                skipped += 1
    return {
        "target_rounds_per_s": rate_per_s,
        "rounds_due": due,
        "rounds_sent": sent,
        "rounds_not_sent_all_clients_busy": skipped,
        "clients": clients,
        "seconds": round(time.monotonic() - began, 1),
    }
