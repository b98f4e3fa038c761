"""Offline audit of an exported ledger against a signed checkpoint, naming the first bad entry.

A checkpoint's root alone only says "something in the first `size` entries changed". To say
*which*, the audit also takes the leaf hashes as they were recorded at append time (the ledger
stores them beside the entries). Those recorded hashes are trusted only after they themselves
rebuild the signed root; then the first position where an entry's hash differs from its
recorded hash is the first entry that no longer matches, whatever was done to it: edited,
deleted (everything after it shifts), swapped, inserted or cut off. A forger who rewrites an
entry *and* its recorded hash still cannot rebuild the signed root, and is reported as such.

`ok` means all three agree: the entries, the recorded hashes (when given) and the checkpoint.
Entries after the checkpoint's size are not covered by its signature; they are only compared
with their recorded hashes and counted in `uncovered`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from services.ledger.domain import merkle
from services.ledger.domain.checkpoint import Checkpoint, NoteError, VerifierKey, open_checkpoint


@dataclass(frozen=True)
class AuditResult:
    ok: bool
    reason: str
    first_bad_index: int | None = None
    kind: str | None = None  # edited deleted inserted reordered missing unrecorded recorded-hash unlocated checkpoint
    checkpoint: Checkpoint | None = None
    uncovered: int = 0  # entries after the checkpoint's size: not yet covered by a signature


def _diagnose(i: int, actual: Sequence[bytes], recorded: Sequence[bytes], expected: int) -> tuple[str, str]:
    """Why entry i differs from the recorded entry i: (kind, sentence)."""
    if i >= len(actual):
        return "missing", f"entry {i} is missing: the ledger holds {len(actual)} entries, {expected} are expected"
    if i >= len(recorded):
        return "unrecorded", f"entry {i} has no recorded leaf hash (only {len(recorded)} were recorded)"
    position = {h: j for j, h in enumerate(recorded)}
    j = position.get(actual[i])
    if j is not None and j > i:
        shift = j - i
        if actual[i:] == list(recorded[j : j + len(actual) - i]):
            return (
                "deleted",
                f"entry {i} is gone: {shift} entr{'y' if shift == 1 else 'ies'} deleted, later ones moved up",
            )
        return "reordered", f"entry {i} holds the data recorded as entry {j} (entries swapped or reordered)"
    if j is not None:
        return "reordered", f"entry {i} repeats the data recorded as entry {j}"
    if i + 1 < len(actual) and actual[i + 1] == recorded[i]:
        return "inserted", f"entry {i} was never recorded: an entry was inserted before recorded entry {i}"
    return "edited", f"entry {i} no longer matches its recorded leaf hash (its data was edited)"


def _first_difference(actual: Sequence[bytes], recorded: Sequence[bytes], end: int) -> int | None:
    for i in range(end):
        if i >= len(actual) or i >= len(recorded) or actual[i] != recorded[i]:
            return i
    return None


def audit_ledger(
    entries: Sequence[bytes],
    checkpoint_text: str | bytes,
    verifier_text: str | VerifierKey,
    *,
    recorded_leaf_hashes: Sequence[bytes] | None = None,
    origin: str | None = None,
) -> AuditResult:
    """Check an export: entries' leaf data in order, the signed checkpoint, the log's verifier key,
    and optionally the leaf hashes recorded when each entry was appended."""
    try:
        cp = open_checkpoint(checkpoint_text, verifier_text, origin=origin)
    except NoteError as exc:
        return AuditResult(False, f"checkpoint rejected: {exc}", kind="checkpoint")
    actual = [merkle.leaf_hash(e) for e in entries]
    size, uncovered = cp.size, max(0, len(actual) - cp.size)
    entries_match = len(actual) >= size and merkle.root_hash(actual[:size]) == cp.root
    if recorded_leaf_hashes is None:
        if entries_match:
            return AuditResult(
                True, f"entries 0..{size - 1} rebuild the signed root", checkpoint=cp, uncovered=uncovered
            )
        reason = (
            f"the ledger holds only {len(actual)} of the {size} entries the checkpoint covers"
            if len(actual) < size
            else f"entries 0..{size - 1} do not rebuild the signed root"
        )
        return AuditResult(
            False,
            reason + "; give the recorded leaf hashes to name the first bad entry",
            kind="unlocated",
            checkpoint=cp,
            uncovered=uncovered,
        )

    recorded = [bytes(h) for h in recorded_leaf_hashes]
    if len(recorded) < size or merkle.root_hash(recorded[:size]) != cp.root:
        if entries_match:  # the entries are fine; the side table was altered
            i = _first_difference(actual, recorded, size)
            return AuditResult(
                False,
                f"entries match the checkpoint, but recorded leaf hash {i} was altered",
                i,
                "recorded-hash",
                cp,
                uncovered,
            )
        return AuditResult(
            False,
            "neither the entries nor the recorded leaf hashes rebuild the signed root: "
            "both were altered (or this is another log's checkpoint), so no entry can be named",
            kind="unlocated",
            checkpoint=cp,
            uncovered=uncovered,
        )

    i = _first_difference(actual, recorded, size)
    if i is not None:
        kind, reason = _diagnose(i, actual, recorded, size)
        return AuditResult(False, reason, i, kind, cp, uncovered)
    i = _first_difference(actual, recorded, max(len(actual), len(recorded)))
    if i is not None:
        kind, reason = _diagnose(i, actual, recorded, len(recorded))
        return AuditResult(False, f"after the checkpoint (size {size}): {reason}", i, kind, cp, uncovered)
    return AuditResult(
        True,
        f"entries 0..{size - 1} and their recorded hashes rebuild the signed root",
        checkpoint=cp,
        uncovered=uncovered,
    )
