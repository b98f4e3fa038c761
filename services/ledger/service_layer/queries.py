"""Reading the ledger: entries (as their exact leaf bytes), proofs, checkpoints, audits,
exports and the annual report — each for the callers allowed to see it."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable

from services.common.db import as_utc
from services.common.errors import InvalidFields, NotFound
from services.common.identity import Principal
from services.ledger.adapters.store import StoredEntry
from services.ledger.domain import access
from services.ledger.domain.access import EntryScope
from services.ledger.domain.audit import audit_stream
from services.ledger.domain.entries import read_entry

from .recording import LedgerContext, sign_latest


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def find_entries(
    ctx: LedgerContext, p: Principal, requested: EntryScope, offset: int, limit: int
) -> tuple[list[StoredEntry], int]:
    """The page of entries the query asks for, within what the caller may see."""
    return ctx.store.find(access.entry_scope(p, requested), offset, limit)


def _visible(p: Principal, entry: StoredEntry) -> bool:
    return p.is_admin or access.entry_visible(p, read_entry(entry.leaf_data)["exchange"])


MAX_INDEX = 2**53  # beyond any ledger, and beyond what databases store as an integer


def visible_entry(ctx: LedgerContext, p: Principal, index: int) -> StoredEntry:
    entry = ctx.store.entry(index) if 0 <= index < MAX_INDEX else None
    if entry is None or not _visible(p, entry):
        raise NotFound(f"no ledger entry {index} you may see")
    return entry


def inclusion(ctx: LedgerContext, p: Principal, index: int, tree_size: int | None) -> dict:
    visible_entry(ctx, p, index)
    size = ctx.store.size() if tree_size is None else tree_size
    if not index < size <= ctx.store.size():
        raise InvalidFields.single(
            "tree_size", f"must be above the index and at most the ledger size {ctx.store.size()}"
        )
    proof = ctx.proofs.inclusion_proof(index, size)
    return {"index": index, "tree_size": size, "hashes": [b64(h) for h in proof]}


def consistency(ctx: LedgerContext, old: int, new: int) -> dict:
    size = ctx.store.size()
    if not 0 < old <= new <= size:
        raise InvalidFields.single("from", f"need 0 < from <= to <= {size}")
    proof = ctx.proofs.consistency_proof(old, new)
    return {"from_": old, "to": new, "hashes": [b64(h) for h in proof]}


def checkpoint_text(ctx: LedgerContext) -> str:
    """The latest signed checkpoint (callers have made sure the ledger has entries)."""
    sign_latest(ctx)
    latest = ctx.store.latest_checkpoint()
    if latest is None:
        raise NotFound("the ledger has no entries yet")
    return latest[1]


def verify_store(ctx: LedgerContext, p: Principal) -> dict:
    """Check the stored ledger against everything ever signed; name the first bad entry.

    Two checks, each catching what the other cannot: every appended index still has its row (a
    deleted row takes its recorded hash with it); the entries and their recorded hashes rebuild the
    latest signed checkpoint (names edits and swaps), and where a forger rewrote an entry with its
    recorded hash, the checkpoints signed at earlier sizes, which auditors already hold, locate it.
    Everything is read as a stream from the store, so memory stays bounded whatever the ledger's size."""
    access.require_admin(p, "audit the whole ledger")
    checkpoint = checkpoint_text(ctx)
    size = ctx.store.size()
    missing = _first_missing(ctx.store.entry_indices(upto=size), size)
    if missing is not None:
        return _verdict(False, missing, "deleted", f"entry {missing} is missing from the store", size)
    result = audit_stream(
        lambda: (e.leaf_data for e in ctx.store.all_entries(upto=size)),
        checkpoint,
        ctx.signing_key.verifier_text(),
        recorded=lambda: ctx.store.stream_leaf_hashes(upto=size),
        signed=ctx.store.checkpoint_history(),
    )
    return _verdict(result.ok, result.first_bad_index, result.kind, result.reason, size)


def _first_missing(indices: Iterable[int], size: int) -> int | None:
    """The first index below `size` without its row, from the stored indexes in order."""
    count = 0
    for expected, index in enumerate(indices):
        if index != expected:
            return expected
        count += 1
    return count if count < size else None


def rejected_events(ctx: LedgerContext, p: Principal, offset: int, limit: int) -> tuple[list[dict], int]:
    """The events the ledger set aside instead of recording, with why: for an operator to fix
    the producer and replay them. They hold other tenants' exchanges, so admins only."""
    access.require_admin(p, "read the events the ledger set aside")
    found, total = ctx.store.rejected(offset, limit)
    return [{**r, "rejected_at": as_utc(r["rejected_at"]), "event": json.loads(r["event"])} for r in found], total


def _verdict(ok: bool, index: int | None, kind: str | None, reason: str, size: int) -> dict:
    return {"ok": ok, "first_bad_index": index, "kind": kind, "reason": reason, "size": size}


def export(ctx: LedgerContext, p: Principal) -> dict:
    """Everything an auditor needs offline: entries, recorded hashes, checkpoint, public key, and the
    checkpoints signed before it (which locate an entry rewritten with its recorded hash). The three
    lists are iterators read from the store as the caller writes them out (bounded memory), over the
    entries there were when the export began."""
    access.require_admin(p, "export the whole ledger")
    checkpoint = checkpoint_text(ctx)
    size = ctx.store.size()
    return {
        "origin": ctx.origin,
        "checkpoints": ctx.store.signed_notes(),
        "entries": (b64(e.leaf_data) for e in ctx.store.all_entries(upto=size)),
        "leaf_hashes": (b64(h) for h in ctx.store.stream_leaf_hashes(upto=size)),
        "checkpoint": checkpoint,
        "public_key": ctx.signing_key.verifier_text(),
    }
