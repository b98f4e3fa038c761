"""`CompactRange`: the frontier of an append-only RFC 9162 tree, enough to append and take the root.

A tree of n leaves is covered by one perfect subtree per set bit of n, largest (leftmost) first:
for n = 13 = 8 + 4 + 1, the roots of leaves [0, 8), [8, 12) and [12, 13). Those at most log2(n) + 1
hashes are the tree's compact range (transparency-dev/merkle's `compact.Range` from 0; RFC 9162
§2.1.1's MTH folds them from the right). Appending a leaf merges it with as many of the smallest
subtrees as n has trailing one bits, so appending k leaves costs O(k) hashes amortised and the root
O(log n), however large the tree: what signing a checkpoint after every batch needs.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from services.ledger.domain import merkle


@dataclass(frozen=True, slots=True)
class Node:
    """A perfect subtree: leaves [index * 2^height, (index + 1) * 2^height), and its hash."""

    height: int
    index: int
    hash: bytes


class CompactRange:
    """The roots of the perfect subtrees covering leaves [0, size), largest first."""

    def __init__(self) -> None:
        self.size = 0
        self._nodes: list[bytes] = []

    @classmethod
    def of(cls, leaf_hashes: Iterable[bytes]) -> CompactRange:
        frontier = cls()
        frontier.extend(leaf_hashes)
        return frontier

    def copy(self) -> CompactRange:
        other = CompactRange()
        other.size, other._nodes = self.size, list(self._nodes)
        return other

    def append(self, leaf_hash: bytes, completed: list[Node] | None = None) -> None:
        """Add a leaf; each perfect subtree this completes (of height 1 or more) is added to `completed`."""
        if len(leaf_hash) != merkle.HASH_SIZE:
            raise ValueError(f"leaf hash {self.size} is {len(leaf_hash)} bytes, not {merkle.HASH_SIZE}")
        node, size, height = bytes(leaf_hash), self.size, 0
        while size & 1:  # the smallest subtree has the new one's height: merge, and carry
            node = merkle.node_hash(self._nodes.pop(), node)
            size >>= 1
            height += 1
            if completed is not None:
                completed.append(Node(height, self.size >> height, node))
        self._nodes.append(node)
        self.size += 1

    def extend(self, leaf_hashes: Iterable[bytes], completed: list[Node] | None = None) -> None:
        for leaf_hash in leaf_hashes:
            self.append(leaf_hash, completed)

    def root(self) -> bytes:
        """MTH of leaves [0, size)."""
        if not self._nodes:
            return merkle.EMPTY_ROOT
        node = self._nodes[-1]
        for left in reversed(self._nodes[:-1]):
            node = merkle.node_hash(left, node)
        return node

    @property
    def nodes(self) -> list[bytes]:
        """The subtree roots, largest first (one per set bit of size)."""
        return list(self._nodes)
