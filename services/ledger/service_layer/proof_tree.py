"""The Merkle tree that proofs are served from, kept between requests.

The ledger only grows, so each request reads just the leaf hashes appended since the previous
one, and `MerkleLog` answers from its subtree cache in O(log n) instead of rebuilding the tree
from every stored hash.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

from services.common.errors import Conflict
from services.ledger.adapters.store import LedgerStore
from services.ledger.domain.merkle_log import MerkleLog

T = TypeVar("T")


class ProofTree:
    def __init__(self, store: LedgerStore) -> None:
        self._store = store
        self._hashes: list[bytes] = []
        self._log = MerkleLog(self._hashes)
        self._lock = threading.Lock()  # web threads share it; MerkleLog grows its cache in place

    def answer(self, question: Callable[[MerkleLog], T]) -> T:
        """`question(log)` on a tree holding at least every entry appended before the call."""
        with self._lock:
            size = self._store.size()
            if size > len(self._hashes):
                new = self._store.recorded_leaf_hashes(start=len(self._hashes))
                if len(self._hashes) + len(new) < size:
                    raise Conflict(
                        f"the ledger store holds fewer entries than the {size} it appended; "
                        "an admin should run POST /api/v1/ledger/verify"
                    )
                self._hashes += new
            return question(self._log)
