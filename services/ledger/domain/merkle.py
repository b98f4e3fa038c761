"""RFC 9162 (Certificate Transparency v2) §2.1 Merkle tree hashing, proofs and their checks.

The ledger's evidence is only worth something if an auditor can recompute it with a tool
we did not write, so every function here follows the RFC's own definitions word for word:
MTH (§2.1.1), PATH (§2.1.3.1), the inclusion check (§2.1.3.2), PROOF/SUBPROOF (§2.1.4.1)
and the consistency check (§2.1.4.2). The same bytes verify with golang.org/x/mod/sumdb/tlog
and transparency-dev/merkle (RFC 6962 hashing is identical to RFC 9162's).

Cost: the builders take the list of leaf hashes and hash each leaf's subtree once, so a root
or a proof over n leaves costs O(n) SHA-256 calls (~0.1 s for 100k leaves) and O(log n)
recursion depth. `merkle_log.MerkleLog` keeps the perfect subtrees so a proof costs O(log n).
The verifiers never see the leaves and cost O(log n).
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

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


def verify_inclusion(index: int, tree_size: int, leaf_hash: bytes, proof: Sequence[bytes], root: bytes) -> bool:
    """§2.1.3.2: recompute the root from the leaf hash and its path; never raises on bad input."""
    if not (0 <= index < tree_size and _is_hash(leaf_hash) and _is_hash(root)):
        return False
    if not all(_is_hash(p) for p in proof):
        return False
    fn, sn, r = index, tree_size - 1, bytes(leaf_hash)
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while fn and not fn & 1:  # step b.ii: climb while we are a left child
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == root


def verify_consistency(old_size: int, new_size: int, old_root: bytes, new_root: bytes,
                       proof: Sequence[bytes]) -> bool:
    """§2.1.4.2, plus the two trivial cases the RFC leaves to the caller.

    Equal sizes need an empty proof and equal roots; an old size of 0 needs an empty proof
    and the empty-tree root (stricter than "anything goes": a checkpoint of the empty tree
    with another root is a lie worth catching)."""
    if not (0 <= old_size <= new_size and _is_hash(old_root) and _is_hash(new_root)):
        return False
    if not all(_is_hash(p) for p in proof):
        return False
    if old_size == 0:
        return not proof and old_root == EMPTY_ROOT
    if old_size == new_size:
        return not proof and old_root == new_root
    if not proof:
        return False
    path_ = list(proof)
    if old_size & (old_size - 1) == 0:  # an exact power of two: the old root is a node itself
        path_.insert(0, bytes(old_root))
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path_[0]
    for c in path_[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while fn and not fn & 1:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return fr == old_root and sr == new_root and sn == 0
