"""The invariants, checked once the system has settled, through the API and /metrics only (so the same
on every deployment). Lists are read page by page (200 a page), not record by record."""

from __future__ import annotations

import collections
import sys
import tempfile
import time
from pathlib import Path

import requests
from prometheus_client.parser import text_string_to_metric_families
from standardwebhooks import Webhook, WebhookVerificationError

from parkloop.harness.parties import ok, session
from parkloop.harness.receiver import Receiver
from parkloop.harness.system import System
from parkloop.ledger_cli import export_ledger, verify_export

from .load import Parties, Tally

SETTLE_TIMEOUT_S = 300.0  # bounds a hung system only
PAGE_SIZE = 200  # the API's largest page


def metric_sum(url: str, name: str) -> float:
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


def all_pages(client: requests.Session, url: str, **params) -> list[dict]:
    items: list[dict] = []
    page = 1
    while True:
        body = ok(client.get(url, params={**params, "page": page, "page_size": PAGE_SIZE}, timeout=60))
        items += body["items"]
        if len(items) >= body["total"] or not body["items"]:
            return items
        page += 1


def check_invariants(system: System, p: Parties, tally: Tally, receiver: Receiver) -> list[tuple[str, bool, str]]:
    """[(invariant, passed, detail)] once backlogs have drained and the alerts are in."""
    url, api = system.url, system.api
    admin = session(system.admin_key)
    results = []
    drained = _wait(
        "outbox backlog and consumer lag to reach 0",
        lambda: (
            metric_sum(url, "parkloop_outbox_backlog_events") == 0
            and metric_sum(url, "parkloop_consumer_lag_events") == 0
        ),
    )
    backlog = metric_sum(url, "parkloop_outbox_backlog_events")
    lag = metric_sum(url, "parkloop_consumer_lag_events")
    results.append(("no outbox holds unpublished events", drained and backlog == 0, f"backlog {backlog:.0f}"))
    results.append(("every consumer group's lag is 0", drained and lag == 0, f"lag {lag:.0f}"))

    supplier, buyer = p.session("supplier"), p.session("receiver")
    offers = {o["id"] for o in all_pages(supplier, f"{api}/offers", enterprise_id=p.supplier_id)}
    exchanges = all_pages(buyer, f"{api}/exchanges")
    completed = [x["id"] for x in exchanges if x["status"] == "completed"]
    missing_offers = set(tally.offers) - offers
    missing_exchanges = set(tally.exchanges) - set(completed)
    results.append(
        (
            "every write answered 2xx exists",
            not missing_offers and not missing_exchanges,
            f"{len(tally.offers)} offers, {len(tally.exchanges)} completed exchanges; "
            f"missing {len(missing_offers)} + {len(missing_exchanges)}",
        )
    )

    def ledger_counts() -> collections.Counter:
        entries = all_pages(admin, f"{api}/ledger/entries")
        return collections.Counter(
            e["entry"]["exchange"]["exchange_id"] for e in entries if e["entry"]["type"] == "ExchangeCompleted"
        )

    def every_exchange_recorded() -> bool:
        counts = ledger_counts()  # once per try: it reads the whole ledger
        return all(counts[e] for e in completed)

    _wait("a ledger entry for every completed exchange", every_exchange_recorded)
    counts = ledger_counts()
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
        export_ledger(url, system.admin_key, export)
        verified, message = verify_export(export)
    results.append(("ledger verify passes", verified, message[:60]))

    def alerts() -> tuple[dict, int]:
        by_pair: dict[tuple, set] = collections.defaultdict(set)
        bad = 0
        for headers, body in receiver.received:
            try:
                event = Webhook(p.secret).verify(body, headers)
            except WebhookVerificationError:
                bad += 1
                continue
            by_pair[(event["data"]["listing_id"], event["data"]["match"]["id"])].add(headers["webhook-id"])
        return by_pair, bad

    expected = {(p.want_id, offer) for offer in tally.offers}
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
