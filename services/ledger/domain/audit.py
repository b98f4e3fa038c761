"""Offline audit of an exported ledger against a signed checkpoint, naming the first bad entry.

A checkpoint's root alone only says "something in the first `size` entries changed". To say
*which*, the audit also takes the leaf hashes as they were recorded at append time (the ledger
stores them beside the entries). Those recorded hashes are trusted only after they themselves
rebuild the signed root; then the first position where an entry's hash differs from its
recorded hash is the first entry that no longer matches, whatever was done to it: edited,
deleted (everything after it shifts), swapped, inserted or cut off. A forger who rewrites an
entry *and* its recorded hash cannot rebuild the signed root; the checkpoints signed at earlier
sizes then locate the rewrite: the first whose root the entries no longer rebuild bounds it
(to the very entry when a checkpoint was signed after each one).

`ok` means all three agree: the entries, the recorded hashes (when given) and the checkpoint.
Entries after the checkpoint's size are not covered by its signature; they are only compared
with their recorded hashes and counted in `uncovered`.

The audit streams: it takes its inputs as `Source`s, each call a fresh pass over the data (a list,
or a file read item by item), and holds O(log n) hashes whatever the ledger's size. Only a failure
takes further passes, to say what happened at the first bad entry.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import islice, zip_longest

from services.ledger.domain import merkle
from services.ledger.domain.checkpoint import Checkpoint, NoteError, VerifierKey, open_checkpoint
from services.ledger.domain.compact_range import CompactRange

Source = Callable[[], Iterable[bytes]]
"""A fresh pass over entries (leaf data) or recorded leaf hashes, in index order, on each call."""


@dataclass(frozen=True)
class AuditResult:
    ok: bool
    reason: str
    first_bad_index: int | None = None
    kind: str | None = (
        None  # edited deleted inserted reordered missing unrecorded recorded-hash forged unlocated checkpoint
    )
    checkpoint: Checkpoint | None = None
    uncovered: int = 0  # entries after the checkpoint's size: not yet covered by a signature


@dataclass
class _Scan:
    """What one pass over the entries and the recorded hashes found."""

    entries: int = 0
    recorded: int = 0
    first_difference: int | None = None  # first index where an entry's hash differs from its recorded one
    entries_root: bytes | None = None  # of the first `size` entries, when there are that many
    recorded_root: bytes | None = None
    matched: int = 0  # the largest signed size whose root the entries still rebuild (0: none)
    unmatched: int | None = None  # the smallest signed size whose root they no longer rebuild


def _scan(entries: Source, recorded: Source | None, size: int, signed: Iterable[tuple[int, bytes]]) -> _Scan:
    scan, actual, kept = _Scan(), CompactRange(), CompactRange()
    checks = ((s, root) for s, root in signed if 0 < s <= size)  # in size order: read as the scan reaches them
    check = next(checks, None)
    pairs = zip_longest(entries(), recorded() if recorded is not None else (), fillvalue=None)
    for i, (data, recorded_hash) in enumerate(pairs):
        entry_hash = merkle.leaf_hash(data) if data is not None else None
        if entry_hash is not None:
            scan.entries += 1
            if actual.size < size:
                actual.append(entry_hash)
                while check is not None and check[0] == actual.size:
                    if actual.root() == check[1] and scan.unmatched is None:
                        scan.matched = check[0]
                    elif scan.unmatched is None:
                        scan.unmatched = check[0]
                    check = next(checks, None)
        if recorded_hash is not None:
            scan.recorded += 1
            if kept.size < size and len(recorded_hash) == merkle.HASH_SIZE:
                kept.append(recorded_hash)
        if scan.first_difference is None and entry_hash != recorded_hash and recorded is not None:
            scan.first_difference = i
    scan.entries_root = actual.root() if actual.size == size else None
    scan.recorded_root = kept.root() if kept.size == size == min(scan.recorded, size) else None
    return scan


def _nth(source: Source, i: int) -> bytes | None:
    return next(islice(source(), i, i + 1), None)


def _diagnose(i: int, entries: Source, recorded: Source, scan: _Scan, expected: int) -> tuple[str, str]:
    """Why entry i differs from the recorded entry i: (kind, sentence)."""
    if i >= scan.entries:
        return "missing", f"entry {i} is missing: the ledger holds {scan.entries} entries, {expected} are expected"
    if i >= scan.recorded:
        return "unrecorded", f"entry {i} has no recorded leaf hash (only {scan.recorded} were recorded)"
    entry_hash = merkle.leaf_hash(_nth(entries, i) or b"")
    j = None
    for position, recorded_hash in enumerate(recorded()):
        if recorded_hash == entry_hash:
            j = position  # the last one, as a lookup table of the recorded hashes would keep
    if j is not None and j > i:
        shift = j - i
        later = (merkle.leaf_hash(d) for d in islice(entries(), i, None))
        if all(a == r for a, r in zip_longest(later, islice(recorded(), j, j + scan.entries - i))):
            return (
                "deleted",
                f"entry {i} is gone: {shift} entr{'y' if shift == 1 else 'ies'} deleted, later ones moved up",
            )
        return "reordered", f"entry {i} holds the data recorded as entry {j} (entries swapped or reordered)"
    if j is not None:
        return "reordered", f"entry {i} repeats the data recorded as entry {j}"
    following = _nth(entries, i + 1)
    if following is not None and merkle.leaf_hash(following) == _nth(recorded, i):
        return "inserted", f"entry {i} was never recorded: an entry was inserted before recorded entry {i}"
    return "edited", f"entry {i} no longer matches its recorded leaf hash (its data was edited)"


def _located(scan: _Scan, size: int) -> tuple[int, str] | None:
    """Where the signed checkpoints put a rewrite: after the last signed size whose root the entries still
    rebuild, up to the first whose root they do not: (first entry of that range, sentence)."""
    bad_size = scan.unmatched if scan.unmatched is not None else size
    if scan.entries < bad_size or (scan.matched == 0 and bad_size == size):
        return None  # cut off, or no earlier checkpoint narrows "somewhere in 0..size-1"
    first, last = scan.matched, bad_size - 1
    vouched = f"entries 0..{first - 1} still rebuild the checkpoint signed at size {first}" if first else ""
    which = f"entry {first} was" if first == last else f"one of entries {first}..{last} was"
    return first, (
        f"{which} rewritten with its recorded hash: the entries no longer rebuild the checkpoint signed at size "
        f"{bad_size}" + (f" ({vouched})" if vouched else "")
    )


def audit_ledger(
    entries: Sequence[bytes],
    checkpoint_text: str | bytes,
    verifier_text: str | VerifierKey,
    *,
    recorded_leaf_hashes: Sequence[bytes] | None = None,
    origin: str | None = None,
    signed: Sequence[tuple[int, bytes]] = (),
) -> AuditResult:
    """Check an export held in memory: see `audit_stream`."""
    recorded = recorded_leaf_hashes
    return audit_stream(
        lambda: entries,
        checkpoint_text,
        verifier_text,
        recorded=(lambda: [bytes(h) for h in recorded]) if recorded is not None else None,
        origin=origin,
        signed=sorted(signed),
    )


def audit_stream(
    entries: Source,
    checkpoint_text: str | bytes,
    verifier_text: str | VerifierKey,
    *,
    recorded: Source | None = None,
    origin: str | None = None,
    signed: Iterable[tuple[int, bytes]] = (),
) -> AuditResult:
    """Check entries' leaf data in order against the signed checkpoint and the log's verifier key, and
    optionally the leaf hashes recorded when each entry was appended. `signed`: (size, root) of the
    checkpoints signed before this one, whose signatures the caller has checked, in size order (read
    once, as the scan reaches each size); they locate a rewrite that the recorded hashes cannot."""
    try:
        cp = open_checkpoint(checkpoint_text, verifier_text, origin=origin)
    except NoteError as exc:
        return AuditResult(False, f"checkpoint rejected: {exc}", kind="checkpoint")
    size = cp.size
    scan = _scan(entries, recorded, size, signed)
    uncovered = max(0, scan.entries - size)
    entries_match = scan.entries_root == cp.root

    def result(ok: bool, reason: str, index: int | None = None, kind: str | None = None) -> AuditResult:
        return AuditResult(ok, reason, index, kind, cp, uncovered)

    def unlocated(reason: str) -> AuditResult:
        located = _located(scan, size)
        if located is not None:
            return result(False, located[1], located[0], "forged")
        return result(False, reason, kind="unlocated")

    if recorded is None:
        if entries_match:
            return result(True, f"entries 0..{size - 1} rebuild the signed root")
        reason = (
            f"the ledger holds only {scan.entries} of the {size} entries the checkpoint covers"
            if scan.entries < size
            else f"entries 0..{size - 1} do not rebuild the signed root"
        )
        return unlocated(reason + "; give the recorded leaf hashes to name the first bad entry")

    if scan.recorded_root != cp.root:
        if entries_match:  # the entries are fine; the side table was altered
            i = scan.first_difference
            return result(
                False, f"entries match the checkpoint, but recorded leaf hash {i} was altered", i, "recorded-hash"
            )
        return unlocated(
            "neither the entries nor the recorded leaf hashes rebuild the signed root: "
            "both were altered (or this is another log's checkpoint), so no entry can be named"
        )

    i = scan.first_difference
    if i is not None and i < size:
        kind, reason = _diagnose(i, entries, recorded, scan, size)
        return result(False, reason, i, kind)
    if i is not None:
        kind, reason = _diagnose(i, entries, recorded, scan, scan.recorded)
        return result(False, f"after the checkpoint (size {size}): {reason}", i, kind)
    return result(True, f"entries 0..{size - 1} and their recorded hashes rebuild the signed root")
