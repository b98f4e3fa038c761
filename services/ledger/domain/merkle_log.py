"""`MerkleLog`: the RFC 9162 tree over an append-only source of leaf hashes, with proofs in O(log n).

The pure functions in `merkle` rehash every leaf for each proof, which is fine for an audit but
not for a service answering proof requests. This class keeps the hash of every perfect,
aligned subtree (about 2n hashes, as golang.org/x/mod/sumdb/tlog stores them) and builds
proofs with the very same PATH/SUBPROOF recursion, so the two can never disagree.

The leaves come from any `LeafHashSource` (a list, or later a database table read by index).
The source must only ever grow: the cache is extended with new leaves, never re-read, which is
exactly the append-only promise the ledger makes. Tampering with stored leaves is the audit's
business (`audit.audit_ledger`), not this cache's.
"""

from __future__ import annotations

from typing import Protocol

from services.ledger.domain import merkle


class LeafHashSource(Protocol):
    """Leaf hashes by position, 0..len-1; a list of 32-byte hashes is one."""

    def __len__(self) -> int: ...

    def __getitem__(self, index: int) -> bytes: ...


class MerkleLog:
    """Roots and proofs for every tree size up to the source's current length."""

    def __init__(self, source: LeafHashSource | None = None) -> None:
        self._source: LeafHashSource = [] if source is None else source
        self._levels: list[list[bytes]] = [[]]  # _levels[h][i]: subtree of leaves [i*2^h, (i+1)*2^h)
        self._hasher = merkle.subtree_hasher(lambda height, index: self._levels[height][index])

    # -- growing -----------------------------------------------------------------------------

    def append(self, data: bytes) -> int:
        """Add one leaf by its data (only when the log owns a list source); returns its index."""
        if not isinstance(self._source, list):
            raise TypeError("append to the backing store, not to a MerkleLog over an external source")
        self._source.append(merkle.leaf_hash(data))
        return self.size - 1

    def _sync(self) -> int:
        """Take in leaves added to the source since the last call; returns the tree size."""
        size = len(self._source)
        for index in range(len(self._levels[0]), size):
            node = self._source[index]
            if len(node) != merkle.HASH_SIZE:
                raise ValueError(f"leaf hash {index} is {len(node)} bytes, not {merkle.HASH_SIZE}")
            height = 0
            while True:
                if height == len(self._levels):
                    self._levels.append([])
                level = self._levels[height]
                level.append(bytes(node))
                if len(level) % 2:
                    break
                node = merkle.node_hash(level[-2], level[-1])
                height += 1
        return size

    @property
    def size(self) -> int:
        return self._sync()

    # -- reading -----------------------------------------------------------------------------

    def leaf_hash(self, index: int) -> bytes:
        merkle.check_inclusion_args(index, self.size)
        return self._levels[0][index]

    def hash_range(self, lo: int, hi: int) -> bytes:
        """MTH of leaves [lo, hi): a cached node when perfect and aligned, else split per the RFC."""
        return self._hasher(lo, hi)

    def _tree_size(self, size: int | None) -> int:
        current = self.size
        if size is None:
            return current
        if not 0 <= size <= current:
            raise ValueError(f"tree size {size} outside 0..{current}")
        return size

    def root(self, size: int | None = None) -> bytes:
        """The root of the first `size` leaves (default: all of them)."""
        return self.hash_range(0, self._tree_size(size))

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        tree_size = self._tree_size(size)
        merkle.check_inclusion_args(index, tree_size)
        return merkle.path(index, 0, tree_size, self.hash_range)

    def consistency_proof(self, old_size: int, new_size: int | None = None) -> list[bytes]:
        new = self._tree_size(new_size)
        merkle.check_consistency_args(old_size, new)
        if old_size == 0:
            return []
        return merkle.subproof(old_size, 0, new, True, self.hash_range)
