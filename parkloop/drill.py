"""`parkloop drill`: kill -9 each process of a busy embedded ParkLoop, one at a time, and make the
webhook receiver fail for a while; then check that nothing accepted was lost or counted twice.

It starts `parkloop run` on its own data directory, drives listing writes (each alerted to a local
receiver), match reads, exchanges to completion and ledger reads through the gateway, and ends
with a table of invariants, requests by status and recovery time per fault.
"""

from __future__ import annotations

import collections
import os
import signal
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests
from prometheus_client.parser import text_string_to_metric_families
from standardwebhooks import Webhook, WebhookVerificationError

from .harness import system
from .harness.bodies import heat_want, steam_offer
from .harness.flows import complete_steam_exchange
from .harness.parties import create_park, ok, register_enterprise, session
from .harness.receiver import Receiver
from .harness.system import System, ready
from .ledger_cli import export_ledger, verify_export
from .supervisor import WORKERS

PROCESSES = ("gateway", "listings", "matching", "ledger", *WORKERS)
RECEIVER_DOWN = "webhook receiver 503"
RETRY_SCHEDULE = "0.5,1,2,4,8,16,30"  # outlasts any receiver outage the drill makes
SETTLE_TIMEOUT_S = 180.0  # bounds a hung system only


@dataclass
class Tally:
    """What the load saw: answers by status, and the writes answered 2xx."""

    statuses: collections.Counter = field(default_factory=collections.Counter)
    offers: list[str] = field(default_factory=list)
    exchanges: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def call(self, session: requests.Session, method: str, url: str, body: dict | None = None):
        try:
            response = session.request(method, url, json=body, timeout=30)
        except requests.RequestException:
            with self.lock:
                self.statuses["no answer"] += 1
            return None
        with self.lock:
            self.statuses[str(response.status_code)] += 1
        return response


@dataclass
class Parties:
    supplier: requests.Session
    buyer: requests.Session
    buyer_id: str
    want_id: str
    subscription_id: str
    secret: str


def _setup(api: str, admin_key: str, receiver: Receiver) -> Parties:
    admin = session(admin_key)
    park_id = create_park(api, admin, "Drill Park")
    supplier = register_enterprise(api, admin, park_id, "Drill Steam Co")
    buyer = register_enterprise(api, admin, park_id, "Drill Dye Works")
    want_id = ok(buyer.session.post(f"{api}/wants", json=heat_want(), timeout=30))["id"]
    subscription = ok(buyer.session.post(f"{api}/webhooks", json={"url": receiver.url, "min_score": 0.0}, timeout=30))
    return Parties(supplier.session, buyer.session, buyer.id, want_id, subscription["id"], subscription["secret"])


def _exchange_flow(api: str, parties: Parties, tally: Tally) -> None:
    """One round: a new offer (alerted to the buyer), a match read, an exchange on it to completion, a ledger read."""
    offer = tally.call(parties.supplier, "POST", f"{api}/offers", steam_offer(title="Drill steam"))
    if offer is None or not offer.ok:
        return
    offer_id = offer.json()["id"]
    with tally.lock:
        tally.offers.append(offer_id)
    tally.call(parties.buyer, "GET", f"{api}/wants/{parties.want_id}/matches")
    sessions = {"supplier": parties.supplier, "receiver": parties.buyer}

    def post(party: str, path: str, body: dict, name: str):
        return tally.call(sessions[party], "POST", f"{api}/{path}", body)

    exchange_id = complete_steam_exchange(
        post, {"offer_id": offer_id, "receiver_enterprise_id": parties.buyer_id}, "100"
    )
    if exchange_id is None:
        return
    with tally.lock:
        tally.exchanges.append(exchange_id)
    tally.call(parties.buyer, "GET", f"{api}/ledger/entries?page_size=10")


def _load(api: str, parties: Parties, tally: Tally, stop: threading.Event) -> None:
    while not stop.is_set():
        _exchange_flow(api, parties, tally)


# -- faults ----------------------------------------------------------------------------------------


def _pid(data: Path, name: str) -> int | None:
    try:
        return int((data / "run" / f"{name}.pid").read_text())
    except (OSError, ValueError):
        return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def kill_and_time_recovery(url: str, data: Path, name: str, timeout_s: float = 120) -> float:
    """kill -9 the process named, then seconds until the supervisor has a new one and the gateway is ready."""
    old = _pid(data, name)
    if old is None:
        raise RuntimeError(f"no PID file for {name} under {data / 'run'}")
    killed_at = time.monotonic()
    os.kill(old, signal.SIGKILL)
    deadline = killed_at + timeout_s
    while time.monotonic() < deadline:
        new = _pid(data, name)
        if new not in (None, old) and _alive(new) and ready(url):
            return time.monotonic() - killed_at
        time.sleep(0.2)
    raise RuntimeError(f"{name} did not come back within {timeout_s:.0f} s of kill -9")


def receiver_outage(receiver: Receiver, seconds: float) -> float:
    receiver.failing = True
    time.sleep(seconds)
    receiver.failing = False
    return seconds


# -- checks ----------------------------------------------------------------------------------------


def _metric_sum(url: str, name: str) -> float:
    text = requests.get(f"{url}/metrics", timeout=15).text
    return sum(
        sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == name
    )


def _wait(what: str, done, timeout_s: float = SETTLE_TIMEOUT_S) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if done():
                return True
        except (requests.RequestException, ValueError):
            pass
        time.sleep(0.5)
    print(f"gave up waiting for {what} after {timeout_s:.0f} s", file=sys.stderr)
    return False


def _all_pages(session: requests.Session, url: str) -> list[dict]:
    items, page = [], 1
    while True:
        body = ok(session.get(url, params={"page": page, "page_size": 100}, timeout=60))
        items += body["items"]
        if len(items) >= body["total"] or not body["items"]:
            return items
        page += 1


def check_invariants(url: str, admin_key: str, data: Path, parties: Parties, tally: Tally, receiver: Receiver):
    """[(invariant, passed, detail)] once the system has settled (backlogs drained, alerts in)."""
    api = f"{url}/api/v1"
    admin = session(admin_key)
    results = []
    drained = _wait(
        "outbox backlog and consumer lag to reach 0",
        lambda: (
            _metric_sum(url, "parkloop_outbox_backlog_events") == 0
            and _metric_sum(url, "parkloop_consumer_lag_events") == 0
        ),
    )
    backlog = _metric_sum(url, "parkloop_outbox_backlog_events")
    lag = _metric_sum(url, "parkloop_consumer_lag_events")
    results.append(("no outbox holds unpublished events", drained and backlog == 0, f"backlog {backlog:.0f}"))
    results.append(("every consumer group's lag is 0", drained and lag == 0, f"lag {lag:.0f}"))

    missing_offers = [
        o for o in tally.offers if parties.supplier.get(f"{api}/offers/{o}", timeout=30).status_code != 200
    ]
    missing_exchanges = [
        e
        for e in tally.exchanges
        if (r := parties.buyer.get(f"{api}/exchanges/{e}", timeout=30)).status_code != 200
        or r.json()["status"] != "completed"
    ]
    results.append(
        (
            "every write answered 2xx exists",
            not missing_offers and not missing_exchanges,
            f"{len(tally.offers)} offers, {len(tally.exchanges)} completed exchanges; "
            f"missing {len(missing_offers)} + {len(missing_exchanges)}",
        )
    )

    def ledger_counts() -> collections.Counter:
        entries = _all_pages(admin, f"{api}/ledger/entries")
        return collections.Counter(
            e["entry"]["exchange"]["exchange_id"] for e in entries if e["entry"]["type"] == "ExchangeCompleted"
        )

    _wait("a ledger entry for every completed exchange", lambda: all(ledger_counts()[e] for e in tally.exchanges))
    counts = ledger_counts()
    completed = [x["id"] for x in _all_pages(parties.buyer, f"{api}/exchanges") if x["status"] == "completed"]
    wrong = [e for e in completed if counts[e] != 1]
    results.append(
        (
            "every completed exchange has exactly one ledger entry",
            bool(completed) and not wrong,
            f"{len(completed)} completed, {sum(counts.values())} entries, {len(wrong)} wrong",
        )
    )

    with tempfile.TemporaryDirectory() as scratch:
        export = Path(scratch) / "ledger.json"
        export_ledger(url, admin_key, export)
        verified, message = verify_export(export)
    results.append(("ledger verify passes", verified, message[:60]))

    def alerts() -> tuple[dict, int]:
        by_pair: dict[tuple, set] = collections.defaultdict(set)
        bad = 0
        for headers, body in list(receiver.received):
            try:
                event = Webhook(parties.secret).verify(body, headers)
            except WebhookVerificationError:
                bad += 1
                continue
            by_pair[(event["data"]["listing_id"], event["data"]["match"]["id"])].add(headers["webhook-id"])
        return by_pair, bad

    expected = {(parties.want_id, offer) for offer in tally.offers}
    _wait("an alert for every offer", lambda: expected <= set(alerts()[0]))
    by_pair, bad = alerts()
    absent = expected - set(by_pair)
    twice = [pair for pair, ids in by_pair.items() if len(ids) != 1]
    results.append(
        (
            "each (subscription, match) alerted exactly once, signed",
            not absent and not twice and bad == 0,
            f"{len(by_pair)} alerts for {len(expected)} offers; {len(absent)} absent, {len(twice)} twice, "
            f"{bad} bad signatures; {len(receiver.received)} deliveries",
        )
    )
    return results


# -- the drill ------------------------------------------------------------------------------------


def start_embedded(data: Path, port: int, admin_key: str) -> System:
    return system.start(data, port=port, admin_key=admin_key, env={"WEBHOOK_RETRY_SCHEDULE": RETRY_SCHEDULE})


def run_drill(
    url: str, admin_key: str, data: Path, seconds: float, faults=PROCESSES, receiver_outage_s: float = 10, clients=2
) -> dict:
    """Load for `seconds`, spacing the faults over it; returns the figures and the invariant table."""
    receiver = Receiver()
    api = f"{url}/api/v1"
    try:
        parties = _setup(api, admin_key, receiver)
        tally, stop = Tally(), threading.Event()
        threads = [
            threading.Thread(target=_load, args=(api, parties, tally, stop), daemon=True) for _ in range(clients)
        ]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        plan = [*faults, RECEIVER_DOWN]
        gap = seconds / (len(plan) + 1)
        recovery = {}
        for index, fault in enumerate(plan, start=1):
            time.sleep(max(0.0, started + index * gap - time.monotonic()))
            if fault == RECEIVER_DOWN:
                recovery[fault] = receiver_outage(receiver, receiver_outage_s)
            else:
                recovery[fault] = kill_and_time_recovery(url, data, fault)
            print(f"{fault}: back in {recovery[fault]:.1f} s", file=sys.stderr)
        time.sleep(max(0.0, started + seconds - time.monotonic()))
        stop.set()
        for thread in threads:
            thread.join(60)
        load_s = time.monotonic() - started
        invariants = check_invariants(url, admin_key, data, parties, tally, receiver)
    finally:
        receiver.close()
    return {
        "load_seconds": round(load_s, 1),
        "requests": sum(tally.statuses.values()),
        "answers_by_status": dict(sorted(tally.statuses.items())),
        "completed_exchanges": len(tally.exchanges),
        "recovery_seconds": {name: round(s, 2) for name, s in recovery.items()},
        "invariants": [{"check": c, "passed": ok, "detail": d} for c, ok, d in invariants],
        "passed": all(ok for _, ok, _ in invariants),
    }


def print_report(figures: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="ParkLoop fault drill")
    table.add_column("Invariant")
    table.add_column("Result")
    table.add_column("Detail")
    for row in figures["invariants"]:
        table.add_row(row["check"], "[green]PASS[/]" if row["passed"] else "[red]FAIL[/]", row["detail"])
    faults = Table(title="Recovery after each fault")
    faults.add_column("Fault")
    faults.add_column("Back in (s)", justify="right")
    for name, seconds in figures["recovery_seconds"].items():
        faults.add_row(f"kill -9 {name}" if name != RECEIVER_DOWN else name, f"{seconds:.1f}")
    console = Console()
    console.print(table)
    console.print(faults)
    console.print(
        f"{figures['requests']} requests in {figures['load_seconds']} s; answers by status: "
        f"{figures['answers_by_status']}; {figures['completed_exchanges']} exchanges completed"
    )
