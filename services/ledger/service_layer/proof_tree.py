"""Inclusion and consistency proofs read from the store in O(log n) rows.

The RFC 9162 recursions (`merkle.path`, `merkle.subproof`) ask for the hashes of perfect, aligned
subtrees; the store keeps them at every fourth height (written when a checkpoint is signed, from
the leaf hashes that checkpoint committed to) and folds the rest from at most 16 rows below. Nothing
is cached between requests, so every web process answers from the same stored tree.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TypeVar

from services.common.errors import Conflict
from services.ledger.adapters.store import LedgerStore, MissingEntries
from services.ledger.domain import merkle

T = TypeVar("T")


class ProofTree:
    def __init__(self, store: LedgerStore) -> None:
        self._store = store

    def inclusion_proof(self, index: int, tree_size: int) -> list[bytes]:
        merkle.check_inclusion_args(index, tree_size)
        return self._read(lambda hash_range: merkle.path(index, 0, tree_size, hash_range))

    def consistency_proof(self, old_size: int, new_size: int) -> list[bytes]:
        merkle.check_consistency_args(old_size, new_size)
        if old_size == 0:
            return []
        return self._read(lambda hash_range: merkle.subproof(old_size, 0, new_size, True, hash_range))

    def _read(self, proof: Callable[[merkle.RangeHasher], T]) -> T:
        try:
            with self._store.tree() as tree:  # the right edge's subtrees recur along a path: read each once
                return proof(merkle.subtree_hasher(functools.cache(tree.node)))
        except MissingEntries as missing:
            raise Conflict(
                f"the ledger store holds fewer entries than it appended ({missing}); "
                "an admin should run POST /api/v1/ledger/verify"
            ) from None
