"""The frontier (compact range) must give the same root as the RFC 9162 MTH over every leaf."""

from __future__ import annotations

import pytest

from services.ledger.domain import merkle
from services.ledger.domain.compact_range import CompactRange

HASHES = [merkle.leaf_hash(f"entry {i}".encode()) for i in range(70)]


def test_the_root_equals_the_full_rebuild_at_every_size_from_0_to_70():
    frontier = CompactRange()
    assert frontier.root() == merkle.EMPTY_ROOT == merkle.root_hash([])
    for n, leaf in enumerate(HASHES, start=1):
        frontier.append(leaf)
        assert frontier.size == n
        assert frontier.root() == merkle.root_hash(HASHES[:n]), n
        assert len(frontier.nodes) == bin(n).count("1")  # one perfect subtree per set bit


def test_it_holds_the_roots_of_the_perfect_subtrees_largest_first():
    frontier = CompactRange.of(HASHES[:13])  # 8 + 4 + 1
    assert frontier.nodes == [merkle.root_hash(HASHES[0:8]), merkle.root_hash(HASHES[8:12]), HASHES[12]]


def test_extending_in_batches_or_from_a_copy_gives_the_same_roots():
    for start in range(0, 70, 7):
        built = CompactRange.of(HASHES[:start])
        resumed = built.copy()
        resumed.extend(HASHES[start:])
        assert built.size == start and built.root() == merkle.root_hash(HASHES[:start])  # the copy left it alone
        assert resumed.root() == merkle.root_hash(HASHES)


def test_a_leaf_hash_of_the_wrong_size_is_refused():
    with pytest.raises(ValueError, match="33 bytes"):
        CompactRange().append(b"x" * 33)


def test_it_names_every_perfect_subtree_it_completes_with_the_rfc_hash():
    completed: list = []
    frontier = CompactRange.of(HASHES[:5])
    frontier.extend(HASHES[5:70], completed)
    for node in completed:
        width = 1 << node.height
        assert node.hash == merkle.root_hash(HASHES[node.index * width : (node.index + 1) * width])
        assert (node.index + 1) * width > 5  # only those the new leaves completed
    assert {(node.height, node.index) for node in completed} == {
        (h, i) for h in range(1, 7) for i in range(70 >> h) if (i + 1) << h > 5
    }
