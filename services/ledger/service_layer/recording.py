"""Turns bus events into ledger entries and keeps the parks the reports need.

Each event is applied once, in the same transaction as its entry; a redelivered or duplicated
`ExchangeCompleted` never makes a second entry. After a batch a new checkpoint is signed.

What the ledger does with each event is one table, `HANDLERS` (event type -> handler); the types and
their payloads are services/common/contracts.py's. Any other event is recorded and ignored.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, cast

from services.common import contracts as c
from services.common.errors import Conflict, NotFound
from services.common.events import Event
from services.ledger.adapters.records import ParkRecords
from services.ledger.adapters.store import AlreadyRecorded, LedgerStore, LedgerTransaction
from services.ledger.domain import merkle
from services.ledger.domain.checkpoint import sign_checkpoint
from services.ledger.domain.compact_range import CompactRange, Node
from services.ledger.domain.entries import correction_entry, exchange_entry, read_entry
from services.ledger.domain.note_keys import SigningKey
from services.ledger.domain.report import china_date
from services.ledger.domain.rounding import jsonable

from .proof_tree import ProofTree

log = logging.getLogger(__name__)


@dataclass
class LedgerContext:
    store: LedgerStore
    signing_key: SigningKey
    origin: str
    contribute: Callable[[c.ExchangeCompletedPayload], dict[str, Any]]  # -> contribution (decimal strings)
    now: Callable[[], datetime] = lambda: datetime.now(UTC)
    proofs: ProofTree = field(init=False)
    records: ParkRecords = field(init=False)  # plans and submissions, in the ledger's database
    frontier: CompactRange | None = field(default=None, init=False)  # of the last tree signed here
    signing: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)  # web threads share it

    def __post_init__(self) -> None:
        self.proofs = ProofTree(self.store)
        self.records = ParkRecords(self.store.engine, jsonable)


def record_batch(ctx: LedgerContext, events: Iterable[Event]) -> int:
    """What the worker does with each poll of the bus: apply the events in one transaction, then
    sign a checkpoint covering them. Returns how many entries were added."""
    added = apply_events(ctx, events)
    if added:
        sign_latest(ctx)
    return added


def apply_events(ctx: LedgerContext, events: Iterable[Event]) -> int:
    """Apply events in one transaction (one commit for the batch, not one per event); returns how
    many entries they added. A failure rolls back the whole batch, which the bus then redelivers.

    The events are first taken for new without looking their ids up: a redelivered one, which is rare
    (after a crash or a rebalance), fails the batch on the unique key its entry or mark is written
    under, and the batch is applied again with every id looked up first (one query, not one per event)."""
    batch = list(events)
    try:
        return _apply_all(ctx, batch, look_up=False)
    except AlreadyRecorded:
        return _apply_all(ctx, batch, look_up=True)


def _apply_all(ctx: LedgerContext, batch: list[Event], look_up: bool) -> int:
    with ctx.store.transaction() as tx:
        if look_up:
            tx.prefetch_processed(event.id for event in batch)
        else:
            tx.assume_unprocessed(event.id for event in batch)
        return sum(_apply(ctx, tx, event) for event in batch)


def apply_event(ctx: LedgerContext, event: Event) -> bool:
    """True when the event added an entry."""
    return apply_events(ctx, [event]) == 1


# Parks: the ledger keeps each yearly baseline as the event carries it (contracts.BaselinePayload, with
# any additive field), for the report to read (report.YearlyBaseline).


def _park_created(ctx: LedgerContext, tx: LedgerTransaction, event: Event) -> bool:
    p = cast(c.ParkCreatedPayload, event.payload)
    tx.upsert_park(p["id"], p["name"], p["province"], [dict(b) for b in p["baselines"]])
    return False


def _park_baseline_set(ctx: LedgerContext, tx: LedgerTransaction, event: Event) -> bool:
    p = cast(c.ParkBaselineSetPayload, event.payload)
    park = tx.park(p["park_id"])
    if park is not None:
        baseline: dict[str, Any] = {k: v for k, v in p.items() if k != "park_id"}
        kept = [b for b in park["baselines"] if b["year"] != baseline["year"]]
        tx.upsert_park(park["id"], park["name"], park["province"], kept + [baseline])
    return False


def _exchange_completed(ctx: LedgerContext, tx: LedgerTransaction, event: Event) -> bool:
    try:
        exchange = c.check_exchange_completed(event.payload, event.schema_version)
        contribution = ctx.contribute(exchange)
        facts = entry_facts(exchange)
    except (ValueError, KeyError, TypeError, ArithmeticError) as exc:  # breaks the contract or cannot be
        # computed (a retry would fail the same way and hold up every event behind it): keep it aside
        log.error("rejected %s %s: %s", event.type, event.id, exc)
        tx.reject(event, f"{type(exc).__name__}: {exc}")
        return False
    index = tx.next_index()
    tx.append(index, event.id, exchange_entry(index, event.id, ctx.now().isoformat(), exchange, contribution), facts)
    return True


# (context, transaction, event) -> whether it added an entry
Handler = Callable[[LedgerContext, LedgerTransaction, Event], bool]
HANDLERS: dict[str, Handler] = {
    c.PARK_CREATED: _park_created,
    c.PARK_BASELINE_SET: _park_baseline_set,
    c.EXCHANGE_COMPLETED: _exchange_completed,
}
TOPICS = (c.LISTINGS_TOPIC, c.EXCHANGES_TOPIC)  # where every handled type is published


def _apply(ctx: LedgerContext, tx: LedgerTransaction, event: Event) -> bool:
    if tx.already_processed(event.id):
        return False
    handler = HANDLERS.get(event.type)
    added = handler(ctx, tx, event) if handler is not None else False
    tx.mark_processed(event.id)
    return added


def correct(ctx: LedgerContext, index: int, reason: str, event_id: str) -> int:
    """Append a correction reversing entry `index`; returns the correction's index."""
    original = ctx.store.entry(index)
    if original is None:
        raise NotFound(f"no ledger entry {index}")
    corrected = read_entry(original.leaf_data)
    if corrected["type"] != "ExchangeCompleted":
        raise Conflict(f"entry {index} is a {corrected['type']}; only exchange entries can be corrected")
    with ctx.store.transaction() as tx:
        new_index = tx.next_index()  # holds the append lock: a concurrent correction waits, then sees this one
        if any(
            read_entry(d).get("corrects") == index
            for d in tx.leaf_data_of_exchange(corrected["exchange"]["exchange_id"])
        ):
            raise Conflict(f"entry {index} has already been corrected")
        data = correction_entry(new_index, event_id, ctx.now().isoformat(), corrected, reason)
        tx.append(new_index, event_id, data, entry_facts(corrected["exchange"]))
    sign_latest(ctx)
    return new_index


def sign_latest(ctx: LedgerContext) -> bool:
    """Sign a checkpoint for the current tree unless one exists for this size. Refuses (and
    says so) when the store no longer extends what was signed before: a signature must never
    launder a deleted or rewritten entry into a new checkpoint.

    The root comes from the context's frontier (`CompactRange`), extended by the leaf hashes
    appended since the previous signing: O(k + log n) for k new entries, one read of k rows.
    The first signing in a process builds it from every stored hash, once, and checks it
    against the last checkpoint, as does every later signing (in O(log n)). Rows rewritten
    behind the frontier after that are not re-read here: the frontier keeps the hashes that
    were read, so no checkpoint takes the rewrite in, and `verify_store` names the row."""
    with ctx.signing:
        size = ctx.store.size()
        last = ctx.store.last_signed_root()
        if last is not None and last[0] >= size:
            return False
        signed_size, signed_root = last if last is not None else (0, merkle.EMPTY_ROOT)
        frontier = ctx.frontier.copy() if ctx.frontier is not None else CompactRange()
        if frontier.size > signed_size:  # our frontier ran ahead of the checkpoints: start again
            frontier = CompactRange()
        new = ctx.store.recorded_leaf_hashes(start=frontier.size, stop=size)
        if frontier.size + len(new) != size:
            log.error("not signing: the ledger holds %d entries but has appended %d", frontier.size + len(new), size)
            return False
        cut = signed_size - frontier.size
        completed: list[Node] = []  # perfect subtrees, kept for proofs (again after a restart: it heals gaps)
        frontier.extend(new[:cut], completed)
        if frontier.root() != signed_root:
            log.error("not signing: entries before %d no longer match the last signed checkpoint", signed_size)
            return False
        frontier.extend(new[cut:], completed)
        root = frontier.root()
        ctx.store.add_checkpoint(size, root, sign_checkpoint(ctx.origin, size, root, ctx.signing_key), completed)
        ctx.frontier = frontier
        return True


def entry_facts(exchange: Mapping[str, Any]) -> dict[str, Any]:
    """The columns entries are found by (the leaf data itself stays the evidence)."""
    return {
        "exchange_id": exchange["exchange_id"],
        "kind": exchange["kind"],
        "supplier_park_id": exchange["supplier"]["park_id"],
        "receiver_park_id": exchange["receiver"]["park_id"],
        "supplier_id": exchange["supplier"]["enterprise_id"],
        "receiver_id": exchange["receiver"]["enterprise_id"],
        "waste_code": exchange.get("waste_code"),
        "year": china_date(exchange["completed_at"]).year,
    }  # the report's calendar: China's
