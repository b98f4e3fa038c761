"""RFC 9162 tree hashing and proofs against published known answers, then exhaustively.

Known answers come from transparency-dev/merkle (the Certificate Transparency Go code's
successor), files rfc6962/rfc6962_test.go (hasher vectors) and proof/verify_test.go (the
8-leaf reference tree: its roots for sizes 1..8, and inclusion and consistency proofs), read
through the search tool. Their inclusion vectors number leaves from 1; indexes here are 0-based.
"""

from __future__ import annotations

import hashlib

import pytest

from services.ledger.domain.merkle import (
    EMPTY_ROOT,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    node_hash,
    root_hash,
    verify_consistency,
    verify_inclusion,
)

h = bytes.fromhex

LEAVES = [
    b"",
    b"\x00",
    b"\x10",
    b"\x20\x21",
    b"\x30\x31",
    b"\x40\x41\x42\x43",
    b"\x50\x51\x52\x53\x54\x55\x56\x57",
    b"\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f",
]
HASHES = [leaf_hash(d) for d in LEAVES]

ROOTS = [  # ROOTS[n - 1] is the root of the first n leaves
    h("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"),
    h("fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"),
    h("aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77"),
    h("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
    h("4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4"),
    h("76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef"),
    h("ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c"),
    h("5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"),
]

INCLUSION = [  # (index, tree size, proof)
    (0, 1, []),
    (
        0,
        8,
        [
            h("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"),
            h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
            h("6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"),
        ],
    ),
    (
        5,
        8,
        [
            h("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
            h("ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"),
            h("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
        ],
    ),
    (2, 3, [h("fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125")]),
    (
        1,
        5,
        [
            h("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"),
            h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
            h("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
        ],
    ),
]

CONSISTENCY = [  # (old size, new size, proof)
    (1, 1, []),
    (
        1,
        8,
        [
            h("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"),
            h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
            h("6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"),
        ],
    ),
    (
        6,
        8,
        [
            h("0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"),
            h("ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"),
            h("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
        ],
    ),
    (
        2,
        5,
        [
            h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
            h("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
        ],
    ),
    (
        6,
        7,
        [
            h("0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"),
            h("b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f"),
            h("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
        ],
    ),
]


def test_hasher_known_answers():
    assert EMPTY_ROOT == h("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    assert root_hash([]) == EMPTY_ROOT
    assert leaf_hash(b"") == h("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d")
    assert leaf_hash(b"L123456") == h("395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56")
    assert node_hash(b"N123", b"N456") == h("aa217fe888e47007fa15edab33c2b492a722cb106c64667fc2b044444de66bbb")


@pytest.mark.parametrize("size", range(1, 9))
def test_reference_roots(size):
    assert root_hash(HASHES[:size]) == ROOTS[size - 1]


@pytest.mark.parametrize(("index", "size", "proof"), INCLUSION)
def test_reference_inclusion_proofs(index, size, proof):
    assert inclusion_proof(index, size, HASHES) == proof
    assert verify_inclusion(index, size, HASHES[index], proof, ROOTS[size - 1])


@pytest.mark.parametrize(("old", "new", "proof"), CONSISTENCY)
def test_reference_consistency_proofs(old, new, proof):
    assert consistency_proof(old, new, HASHES) == proof
    assert verify_consistency(old, new, ROOTS[old - 1], ROOTS[new - 1], proof)


def flipped(proof, i):
    return proof[:i] + [bytes([proof[i][0] ^ 0x08]) + proof[i][1:]] + proof[i + 1 :]


def bad_inclusions(index, size, leaf, proof, root):
    """The corruptions transparency-dev/merkle probes, each of which must fail."""
    some = hashlib.sha256(b"some other hash").digest()
    yield index - 1, size, leaf, proof, root
    yield index + 1, size, leaf, proof, root
    yield index ^ 2, size, leaf, proof, root
    yield index, size * 2, leaf, proof, root
    yield index, size // 2, leaf, proof, root
    yield index, size, some, proof, root
    yield index, size, leaf, proof, EMPTY_ROOT
    yield index, size, leaf, proof, some
    yield index, size, leaf, proof + [root], root
    yield index, size, leaf, [root] + proof, root
    yield index, size, leaf, proof + [b""], root
    for i in range(len(proof)):
        yield index, size, leaf, flipped(proof, i), root
    if proof:
        yield index, size, leaf, proof[:-1], root
    if len(proof) > 1:
        yield index, size, leaf, [proof[0], some] + proof[1:], root


def bad_consistencies(old, new, old_root, new_root, proof):
    yield old - 1, new, old_root, new_root, proof
    yield old + 1, new, old_root, new_root, proof
    yield old ^ 2, new, old_root, new_root, proof
    yield old, new * 2, old_root, new_root, proof
    yield old, new // 2, old_root, new_root, proof
    yield old, new, b"WrongRoot", new_root, proof
    yield old, new, old_root, b"WrongRoot", proof
    yield old, new, new_root, old_root, proof
    yield old, new, old_root, new_root, []
    for extra in (old_root, new_root, proof[0]):
        yield old, new, old_root, new_root, proof + [extra]
        yield old, new, old_root, new_root, [extra] + proof
    yield old, new, old_root, new_root, proof[:-1]
    for i in range(len(proof)):
        yield old, new, old_root, new_root, flipped(proof, i)


def test_reference_proofs_refuse_every_corruption():
    for index, size, proof in INCLUSION[1:]:
        for args in bad_inclusions(index, size, HASHES[index], proof, ROOTS[size - 1]):
            assert not verify_inclusion(*args), args
    for old, new, proof in CONSISTENCY[1:]:
        for args in bad_consistencies(old, new, ROOTS[old - 1], ROOTS[new - 1], proof):
            assert not verify_consistency(*args), args


MAX_SIZE = 40
BIG = [leaf_hash(f"entry {i}".encode()) for i in range(MAX_SIZE)]
BIG_ROOTS = [root_hash(BIG[:n]) for n in range(MAX_SIZE + 1)]


def recursive_mth(hashes):
    """MTH written straight from §2.1.1, to check the stack-based root_hash."""
    if not hashes:
        return EMPTY_ROOT
    if len(hashes) == 1:
        return hashes[0]
    k = 1 << ((len(hashes) - 1).bit_length() - 1)
    return node_hash(recursive_mth(hashes[:k]), recursive_mth(hashes[k:]))


def test_root_hash_matches_the_rfc_recursion():
    for n in range(MAX_SIZE + 1):
        assert BIG_ROOTS[n] == recursive_mth(BIG[:n])


@pytest.mark.parametrize("size", range(1, MAX_SIZE + 1))
def test_every_inclusion_proof_verifies_and_no_corruption_does(size):
    for index in range(size):
        proof = inclusion_proof(index, size, BIG)
        root = BIG_ROOTS[size]
        assert verify_inclusion(index, size, BIG[index], proof, root)
        for args in bad_inclusions(index, size, BIG[index], proof, root):
            assert not verify_inclusion(*args), (index, size, args[:2])


@pytest.mark.parametrize("new", range(1, MAX_SIZE + 1))
def test_every_consistency_proof_verifies_and_no_corruption_does(new):
    for old in range(0, new + 1):
        proof = consistency_proof(old, new, BIG)
        assert verify_consistency(old, new, BIG_ROOTS[old], BIG_ROOTS[new], proof), (old, new)
        if 0 < old < new:
            for args in bad_consistencies(old, new, BIG_ROOTS[old], BIG_ROOTS[new], proof):
                assert not verify_consistency(*args), (old, new, args[:2])
        # the old root of a different history is refused
        assert old == 0 or not verify_consistency(old, new, BIG_ROOTS[old - 1], BIG_ROOTS[new], proof)


def test_trivial_consistency_cases():
    assert verify_consistency(0, 5, EMPTY_ROOT, BIG_ROOTS[5], [])
    assert not verify_consistency(0, 5, BIG_ROOTS[1], BIG_ROOTS[5], [])  # empty tree has one root
    assert not verify_consistency(0, 5, EMPTY_ROOT, BIG_ROOTS[5], [EMPTY_ROOT])
    assert verify_consistency(5, 5, BIG_ROOTS[5], BIG_ROOTS[5], [])
    assert not verify_consistency(5, 5, BIG_ROOTS[5], BIG_ROOTS[4], [])
    assert not verify_consistency(5, 5, BIG_ROOTS[5], BIG_ROOTS[5], [EMPTY_ROOT])
    assert not verify_consistency(6, 5, BIG_ROOTS[6], BIG_ROOTS[5], consistency_proof(5, 6, BIG))


def test_bad_arguments():
    with pytest.raises(ValueError):
        inclusion_proof(3, 3, BIG)
    with pytest.raises(ValueError):
        inclusion_proof(0, MAX_SIZE + 1, BIG)
    with pytest.raises(ValueError):
        consistency_proof(4, 3, BIG)
    assert not verify_inclusion(0, 0, BIG[0], [], EMPTY_ROOT)
    assert not verify_inclusion(-1, 4, BIG[0], inclusion_proof(0, 4, BIG), BIG_ROOTS[4])
    assert not verify_inclusion(0, 1, BIG[0][:31], [], BIG[0][:31])  # hashes are 32 bytes


# --- what a failed check says (as transparency-dev/merkle's RootMismatchError) ---------------------------


def test_a_failed_inclusion_check_names_the_expected_and_the_computed_root():
    from services.ledger.domain.merkle import RootMismatchError

    proof = inclusion_proof(3, 7, BIG)
    altered = leaf_hash(b"entry 3, edited")
    check = verify_inclusion(3, 7, altered, proof, BIG_ROOTS[7])

    assert not check and check.which == "root"
    assert check.expected_root == BIG_ROOTS[7]
    assert check.computed_root == root_hash(BIG[:3] + [altered] + BIG[4:7]) != BIG_ROOTS[7]
    assert BIG_ROOTS[7].hex() in check.reason and check.computed_root.hex() in check.reason
    with pytest.raises(RootMismatchError) as raised:
        check.raise_if_failed()
    assert (raised.value.expected_root, raised.value.computed_root) == (check.expected_root, check.computed_root)


def test_a_failed_consistency_check_names_the_root_that_differs():
    proof = consistency_proof(5, 9, BIG)
    forged_old = verify_consistency(5, 9, BIG_ROOTS[4], BIG_ROOTS[9], proof)
    forged_new = verify_consistency(5, 9, BIG_ROOTS[5], BIG_ROOTS[8], proof)

    assert (forged_old.which, forged_old.expected_root, forged_old.computed_root) == (
        "old root",
        BIG_ROOTS[4],
        BIG_ROOTS[5],
    )
    assert (forged_new.which, forged_new.expected_root, forged_new.computed_root) == (
        "new root",
        BIG_ROOTS[8],
        BIG_ROOTS[9],
    )
    assert verify_consistency(0, 5, BIG_ROOTS[1], BIG_ROOTS[5], []).computed_root == EMPTY_ROOT


def test_a_malformed_proof_says_why_and_raises_a_proof_error_without_roots():
    from services.ledger.domain.merkle import ProofError, RootMismatchError

    check = verify_inclusion(0, 4, BIG[0], inclusion_proof(0, 4, BIG)[:-1], BIG_ROOTS[4])
    assert not check and "fewer than a tree of size 4 needs" in check.reason and check.computed_root is None
    with pytest.raises(ProofError) as raised:
        check.raise_if_failed()
    assert not isinstance(raised.value, RootMismatchError)
    verify_inclusion(0, 4, BIG[0], inclusion_proof(0, 4, BIG), BIG_ROOTS[4]).raise_if_failed()  # holds: no raise
