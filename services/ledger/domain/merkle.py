"""RFC 9162 (Certificate Transparency v2) §2.1 Merkle tree hashing, proofs and their checks.

The ledger's evidence is only worth something if an auditor can recompute it with a tool
we did not write, so every function here follows the RFC's own definitions word for word:
MTH (§2.1.1), PATH (§2.1.3.1), the inclusion check (§2.1.3.2), PROOF/SUBPROOF (§2.1.4.1)
and the consistency check (§2.1.4.2). The same bytes verify with golang.org/x/mod/sumdb/tlog
and transparency-dev/merkle (RFC 6962 hashing is identical to RFC 9162's).

Cost: the builders take the list of leaf hashes and hash each leaf's subtree once, so a root
or a proof over n leaves costs O(n) SHA-256 calls (~0.1 s for 100k leaves) and O(log n)
recursion depth. `merkle_log.MerkleLog` keeps the perfect subtrees so a proof costs O(log n).
The verifiers never see the leaves and cost O(log n). They never raise on bad input: they return a
`ProofCheck`, true when the proof holds; when it does not, it says why and, when a root was
recomputed, both the expected and the computed root (as transparency-dev/merkle's RootMismatchError
does), so an auditor sees what differed. `ProofCheck.raise_if_failed()` raises `RootMismatchError`
(or `ProofError` for a malformed proof) for callers that prefer an exception.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

HASH_SIZE = 32
LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"
EMPTY_ROOT = hashlib.sha256(b"").digest()  # MTH({}) = SHA-256() of nothing

RangeHasher = Callable[[int, int], bytes]
"""hash_range(lo, hi) -> MTH of leaves [lo, hi); the proof recursions only ask for subtrees
that occur in the RFC tree, whose left part is always a perfect, aligned subtree."""


def leaf_hash(data: bytes) -> bytes:
    """MTH({d}) = SHA-256(0x00 || d): the 0x00 prefix keeps a leaf from posing as a node."""
    return hashlib.sha256(LEAF_PREFIX + bytes(data)).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """SHA-256(0x01 || left || right) for an interior node."""
    return hashlib.sha256(NODE_PREFIX + left + right).digest()


def split_point(n: int) -> int:
    """k, the largest power of two smaller than n (n > 1): where the RFC splits D[n]."""
    return 1 << ((n - 1).bit_length() - 1)


def root_hash(leaf_hashes: Sequence[bytes]) -> bytes:
    """MTH of the whole list, folding perfect subtrees on a stack: O(n) hashes, O(log n) memory.

    Merging two equal-height subtrees as soon as both exist, then folding what is left from
    the right, yields exactly the RFC's left-heavy split at the largest power of two."""
    stack: list[tuple[int, bytes]] = []  # (height, hash), heights strictly decreasing
    for h in leaf_hashes:
        height, node = 0, h
        while stack and stack[-1][0] == height:
            node = node_hash(stack.pop()[1], node)
            height += 1
        stack.append((height, node))
    if not stack:
        return EMPTY_ROOT
    node = stack.pop()[1]
    while stack:
        node = node_hash(stack.pop()[1], node)
    return node


def subtree_hasher(perfect: Callable[[int, int], bytes]) -> RangeHasher:
    """A RangeHasher from `perfect(height, index)`, the hash of leaves [index * 2^height, (index + 1) * 2^height):
    a perfect, aligned range is one such subtree, any other is split where the RFC splits it."""

    def hash_range(lo: int, hi: int) -> bytes:
        width = hi - lo
        if width <= 0:
            return EMPTY_ROOT
        if width & (width - 1) == 0 and lo % width == 0:
            height = width.bit_length() - 1
            return perfect(height, lo >> height)
        k = split_point(width)
        return node_hash(hash_range(lo, lo + k), hash_range(lo + k, hi))

    return hash_range


def _list_hasher(leaf_hashes: Sequence[bytes], tree_size: int) -> RangeHasher:
    if not 0 <= tree_size <= len(leaf_hashes):
        raise ValueError(f"tree size {tree_size} outside 0..{len(leaf_hashes)} known leaves")
    return lambda lo, hi: root_hash(leaf_hashes[lo:hi])


def path(index: int, lo: int, hi: int, hash_range: RangeHasher) -> list[bytes]:
    """PATH(m, D[lo:hi]) of §2.1.3.1, leaf side first, over any subtree hasher."""
    if hi - lo == 1:
        return []
    k = split_point(hi - lo)
    if index < lo + k:
        return path(index, lo, lo + k, hash_range) + [hash_range(lo + k, hi)]
    return path(index, lo + k, hi, hash_range) + [hash_range(lo, lo + k)]


def subproof(m: int, lo: int, hi: int, complete: bool, hash_range: RangeHasher) -> list[bytes]:
    """SUBPROOF(m, D[lo:hi], b) of §2.1.4.1, m counted from lo."""
    if m == hi - lo:
        return [] if complete else [hash_range(lo, hi)]
    k = split_point(hi - lo)
    if m <= k:
        return subproof(m, lo, lo + k, complete, hash_range) + [hash_range(lo + k, hi)]
    return subproof(m - k, lo + k, hi, False, hash_range) + [hash_range(lo, lo + k)]


def check_inclusion_args(index: int, tree_size: int) -> None:
    if not 0 <= index < tree_size:
        raise ValueError(f"leaf index {index} is not in a tree of size {tree_size}")


def check_consistency_args(old_size: int, new_size: int) -> None:
    if not 0 <= old_size <= new_size:
        raise ValueError(f"no consistency proof from size {old_size} to size {new_size}")


def inclusion_proof(index: int, tree_size: int, leaf_hashes: Sequence[bytes]) -> list[bytes]:
    """The audit path proving leaf `index` is in the first `tree_size` leaves."""
    check_inclusion_args(index, tree_size)
    return path(index, 0, tree_size, _list_hasher(leaf_hashes, tree_size))


def consistency_proof(old_size: int, new_size: int, leaf_hashes: Sequence[bytes]) -> list[bytes]:
    """PROOF(old_size, D[new_size]); empty when old_size is 0 or equals new_size."""
    check_consistency_args(old_size, new_size)
    if old_size == 0:
        return []
    return subproof(old_size, 0, new_size, True, _list_hasher(leaf_hashes, new_size))


def _is_hash(value: object) -> bool:
    return isinstance(value, (bytes, bytearray)) and len(value) == HASH_SIZE


class ProofError(ValueError):
    """A proof that does not hold, or cannot be checked (a malformed argument or path)."""


class RootMismatchError(ProofError):
    """The proof recomputes a root other than the one expected; both are kept."""

    def __init__(self, which: str, expected_root: bytes, computed_root: bytes) -> None:
        super().__init__(
            f"calculated {which} {computed_root.hex()} does not match expected {which} {expected_root.hex()}"
        )
        self.which, self.expected_root, self.computed_root = which, expected_root, computed_root


@dataclass(frozen=True)
class ProofCheck:
    """What checking a proof found: true when it holds. On failure, `reason` says why and, when a root
    was recomputed, `expected_root` and `computed_root` are the two that differ (`which` names it:
    "root", "old root" or "new root")."""

    ok: bool
    reason: str = ""
    which: str | None = None
    expected_root: bytes | None = None
    computed_root: bytes | None = None

    def __bool__(self) -> bool:
        return self.ok

    def raise_if_failed(self) -> None:
        if self.ok:
            return
        if self.which is not None and self.expected_root is not None and self.computed_root is not None:
            raise RootMismatchError(self.which, self.expected_root, self.computed_root)
        raise ProofError(self.reason)


VERIFIED = ProofCheck(True)


def _refused(reason: str) -> ProofCheck:
    return ProofCheck(False, reason)


def _mismatch(which: str, expected: bytes, computed: bytes) -> ProofCheck:
    return ProofCheck(
        False, str(RootMismatchError(which, bytes(expected), bytes(computed))), which, bytes(expected), bytes(computed)
    )


def verify_inclusion(index: int, tree_size: int, leaf_hash: bytes, proof: Sequence[bytes], root: bytes) -> ProofCheck:
    """§2.1.3.2: recompute the root from the leaf hash and its path; never raises on bad input."""
    if not 0 <= index < tree_size:
        return _refused(f"leaf index {index} is not in a tree of size {tree_size}")
    if not (_is_hash(leaf_hash) and _is_hash(root)):
        return _refused(f"the leaf hash and the root must be {HASH_SIZE}-byte hashes")
    if not all(_is_hash(p) for p in proof):
        return _refused(f"every hash of the proof must be {HASH_SIZE} bytes")
    fn, sn, r = index, tree_size - 1, bytes(leaf_hash)
    for p in proof:
        if sn == 0:
            return _refused(f"the proof has {len(proof)} hashes, more than a tree of size {tree_size} needs")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while fn and not fn & 1:  # step b.ii: climb while we are a left child
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        return _refused(f"the proof has {len(proof)} hashes, fewer than a tree of size {tree_size} needs")
    return VERIFIED if r == root else _mismatch("root", root, r)


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> ProofCheck:
    """§2.1.4.2, plus the two trivial cases the RFC leaves to the caller.

    Equal sizes need an empty proof and equal roots; an old size of 0 needs an empty proof
    and the empty-tree root (stricter than "anything goes": a checkpoint of the empty tree
    with another root is a lie worth catching)."""
    if not 0 <= old_size <= new_size:
        return _refused(f"no consistency proof from size {old_size} to size {new_size}")
    if not (_is_hash(old_root) and _is_hash(new_root)):
        return _refused(f"the roots must be {HASH_SIZE}-byte hashes")
    if not all(_is_hash(p) for p in proof):
        return _refused(f"every hash of the proof must be {HASH_SIZE} bytes")
    if old_size == 0 or old_size == new_size:
        if proof:
            return _refused(f"a proof from size {old_size} to size {new_size} is empty")
        computed_old = EMPTY_ROOT if old_size == 0 else new_root  # the empty tree's; the new tree's itself
        return VERIFIED if old_root == computed_old else _mismatch("old root", old_root, computed_old)
    if not proof:
        return _refused(f"a proof from size {old_size} to size {new_size} cannot be empty")
    path_ = list(proof)
    if old_size & (old_size - 1) == 0:  # an exact power of two: the old root is a node itself
        path_.insert(0, bytes(old_root))
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path_[0]
    for c in path_[1:]:
        if sn == 0:
            return _refused(f"the proof has {len(proof)} hashes, more than sizes {old_size} to {new_size} need")
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while fn and not fn & 1:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        return _refused(f"the proof has {len(proof)} hashes, fewer than sizes {old_size} to {new_size} need")
    if fr != old_root:
        return _mismatch("old root", old_root, fr)
    if sr != new_root:
        return _mismatch("new root", new_root, sr)
    return VERIFIED
