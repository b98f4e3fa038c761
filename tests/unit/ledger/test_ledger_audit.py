"""The offline audit names the first entry that no longer matches, whatever was done to it."""

from __future__ import annotations

import pytest

from services.ledger.domain.audit import audit_ledger
from services.ledger.domain.canonical import canonical_entry
from services.ledger.domain.checkpoint import SigningKey, sign_checkpoint
from services.ledger.domain.merkle import leaf_hash, root_hash

ORIGIN = "parkloop.example/ledger"
KEY = SigningKey.generate(ORIGIN)
VERIFIER = KEY.verifier_text()
ENTRIES = [
    canonical_entry({"index": i, "exchange": f"ex-{i}", "amount": f"{10 * i}.50", "unit": "t"}) for i in range(20)
]
RECORDED = [leaf_hash(e) for e in ENTRIES]
CHECKPOINT = sign_checkpoint(ORIGIN, len(ENTRIES), root_hash(RECORDED), KEY)


def audit(entries, recorded=RECORDED, checkpoint=CHECKPOINT, **kw):
    return audit_ledger(entries, checkpoint, VERIFIER, recorded_leaf_hashes=recorded, **kw)


def test_untouched_ledger_passes_with_and_without_recorded_hashes():
    result = audit(ENTRIES)
    assert result.ok and result.first_bad_index is None and result.checkpoint.size == 20
    assert audit(ENTRIES, recorded=None).ok


def test_edited_entry_is_named():
    entries = list(ENTRIES)
    entries[7] = entries[7].replace(b'"70.50"', b'"7.50"')
    result = audit(entries)
    assert (result.ok, result.first_bad_index, result.kind) == (False, 7, "edited")


def test_deleted_entry_is_named():
    result = audit(ENTRIES[:5] + ENTRIES[6:])
    assert (result.ok, result.first_bad_index, result.kind) == (False, 5, "deleted")


def test_swapped_entries_name_the_first_of_the_pair():
    entries = list(ENTRIES)
    entries[3], entries[11] = entries[11], entries[3]
    result = audit(entries)
    assert (result.ok, result.first_bad_index, result.kind) == (False, 3, "reordered")
    assert "entry 11" in result.reason


def test_inserted_and_truncated_entries_are_named():
    forged = canonical_entry({"index": 99, "exchange": "ex-forged", "amount": "1.00", "unit": "t"})
    result = audit(ENTRIES[:4] + [forged] + ENTRIES[4:])
    assert (result.first_bad_index, result.kind) == (4, "inserted")
    result = audit(ENTRIES[:15])
    assert (result.ok, result.first_bad_index, result.kind) == (False, 15, "missing")


def test_without_recorded_hashes_a_mismatch_is_found_but_not_located():
    entries = list(ENTRIES)
    entries[2] = b"{}"
    result = audit(entries, recorded=None)
    assert not result.ok and result.first_bad_index is None and result.kind == "unlocated"
    assert "recorded leaf hashes" in result.reason


def test_rewriting_an_entry_and_its_recorded_hash_cannot_rebuild_the_signed_root():
    entries, recorded = list(ENTRIES), list(RECORDED)
    entries[9] = b'{"forged":true}'
    recorded[9] = leaf_hash(entries[9])
    result = audit(entries, recorded)
    assert not result.ok and result.kind == "unlocated" and result.first_bad_index is None


def _rewritten(index: int) -> tuple[list[bytes], list[bytes]]:
    entries, recorded = list(ENTRIES), list(RECORDED)
    entries[index] = canonical_entry({"index": index, "exchange": f"ex-{index}", "amount": "0.50", "unit": "t"})
    recorded[index] = leaf_hash(entries[index])
    return entries, recorded


def test_checkpoints_signed_after_each_entry_name_the_entry_rewritten_with_its_recorded_hash():
    signed = [(size, root_hash(RECORDED[:size])) for size in range(1, 20)]
    entries, recorded = _rewritten(9)
    for given in (recorded, None):
        result = audit(entries, given, signed=signed)
        assert (result.ok, result.first_bad_index, result.kind) == (False, 9, "forged")
        assert "entry 9 was rewritten" in result.reason and "signed at size 10" in result.reason


def test_checkpoints_signed_per_batch_bound_the_rewrite_to_the_batch():
    signed = [(size, root_hash(RECORDED[:size])) for size in (5, 10, 15)]
    entries, recorded = _rewritten(7)
    result = audit(entries, recorded, signed=signed)
    assert (result.ok, result.first_bad_index, result.kind) == (False, 5, "forged")
    assert "one of entries 5..9" in result.reason and "signed at size 5" in result.reason
    entries, recorded = _rewritten(17)  # after the last earlier checkpoint: the latest one bounds it
    result = audit(entries, recorded, signed=signed)
    assert (result.first_bad_index, result.kind) == (15, "forged") and "one of entries 15..19" in result.reason


def test_an_altered_recorded_hash_is_reported_even_when_entries_are_intact():
    recorded = list(RECORDED)
    recorded[12] = leaf_hash(b"something else")
    result = audit(ENTRIES, recorded)
    assert (result.ok, result.first_bad_index, result.kind) == (False, 12, "recorded-hash")


def test_entries_after_the_checkpoint_are_counted_and_checked_against_their_hashes():
    older = sign_checkpoint(ORIGIN, 12, root_hash(RECORDED[:12]), KEY)
    result = audit(ENTRIES, checkpoint=older)
    assert result.ok and result.uncovered == 8
    entries = list(ENTRIES)
    entries[15] = b'{"late":"edit"}'
    result = audit(entries, checkpoint=older)
    assert (result.ok, result.first_bad_index, result.kind) == (False, 15, "edited")
    assert "after the checkpoint" in result.reason


@pytest.mark.parametrize(
    "checkpoint",
    [
        CHECKPOINT.replace("\n20\n", "\n21\n"),
        sign_checkpoint(ORIGIN, 20, root_hash(RECORDED), SigningKey.generate(ORIGIN)),
        "not a checkpoint",
    ],
)
def test_a_checkpoint_that_does_not_open_fails_the_audit(checkpoint):
    result = audit(ENTRIES, checkpoint=checkpoint)
    assert not result.ok and result.kind == "checkpoint" and result.reason.startswith("checkpoint rejected")


def test_another_logs_checkpoint_is_refused_when_the_origin_is_given():
    other = sign_checkpoint("other.example/log", 20, root_hash(RECORDED), KEY)
    assert audit(ENTRIES, checkpoint=other).ok
    assert audit(ENTRIES, checkpoint=other, origin=ORIGIN).kind == "checkpoint"
