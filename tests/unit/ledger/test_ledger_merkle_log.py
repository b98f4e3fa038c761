"""MerkleLog (cached subtrees) must agree byte for byte with the pure RFC 9162 functions."""

from __future__ import annotations

import time

import pytest

from services.ledger.domain import merkle
from services.ledger.domain.merkle_log import MerkleLog

DATA = [f"entry {i}".encode() for i in range(40)]
HASHES = [merkle.leaf_hash(d) for d in DATA]


def test_grows_one_leaf_at_a_time_and_matches_the_pure_functions_at_every_size():
    log = MerkleLog()
    assert log.size == 0 and log.root() == merkle.EMPTY_ROOT
    for n, data in enumerate(DATA, start=1):
        assert log.append(data) == n - 1
        assert log.root() == merkle.root_hash(HASHES[:n])
    for size in range(1, len(DATA) + 1):
        assert log.root(size) == merkle.root_hash(HASHES[:size])
        for index in range(size):
            assert log.inclusion_proof(index, size) == merkle.inclusion_proof(index, size, HASHES)
        for old in range(size + 1):
            assert log.consistency_proof(old, size) == merkle.consistency_proof(old, size, HASHES)


def test_reads_an_external_append_only_source_as_it_grows():
    source: list[bytes] = HASHES[:5]
    log = MerkleLog(source)
    assert log.size == 5
    source.extend(HASHES[5:])
    assert log.size == len(HASHES)
    assert log.root() == merkle.root_hash(HASHES)
    assert log.leaf_hash(7) == HASHES[7]
    with pytest.raises(TypeError):
        MerkleLog(tuple(HASHES)).append(b"x")


def test_refuses_sizes_it_does_not_have():
    log = MerkleLog(list(HASHES[:4]))
    with pytest.raises(ValueError):
        log.root(5)
    with pytest.raises(ValueError):
        log.inclusion_proof(4, 4)
    with pytest.raises(ValueError):
        log.consistency_proof(3, 5)
    with pytest.raises(ValueError):
        _ = MerkleLog([b"short"]).size  # reading the size takes the leaves in, and checks them


def test_a_hundred_thousand_leaves():
    """The brief's scale: pure functions in O(n), cached proofs in O(log n) and still equal."""
    hashes = [merkle.leaf_hash(i.to_bytes(4, "big")) for i in range(100_000)]
    started = time.perf_counter()
    root = merkle.root_hash(hashes)
    proof = merkle.inclusion_proof(76_543, 100_000, hashes)
    pure_seconds = time.perf_counter() - started
    log = MerkleLog(hashes)
    assert log.root() == root
    assert log.inclusion_proof(76_543) == proof
    assert merkle.verify_inclusion(76_543, 100_000, hashes[76_543], proof, root)
    old_root = log.root(65_537)
    consistency = log.consistency_proof(65_537)
    assert consistency == merkle.consistency_proof(65_537, 100_000, hashes)
    assert merkle.verify_consistency(65_537, 100_000, old_root, root, consistency)
    started = time.perf_counter()
    for index in range(0, 100_000, 1000):
        log.inclusion_proof(index)
    assert time.perf_counter() - started < 1.0  # 100 cached proofs: a few milliseconds really
    assert pure_seconds < 5.0
