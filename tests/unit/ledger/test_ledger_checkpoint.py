"""C2SP signed notes and tlog checkpoints.

The known answer is the example in golang.org/x/mod/sumdb/note's package documentation (signer
and verifier key of "PeterNeumann" and the signed note they produce); Ed25519 is deterministic,
so our signature must be byte-identical to Go's. The key-mangling test mirrors that package's
TestNewVerifier/TestNewSigner: no substring or one-byte change of a key string is accepted.
"""

from __future__ import annotations

import base64

import pytest

from services.ledger.domain.checkpoint import (
    Checkpoint,
    KeyFormatError,
    MalformedCheckpointError,
    MalformedNoteError,
    SignatureError,
    SigningKey,
    UnknownKeyError,
    VerifierKey,
    open_checkpoint,
    parse_checkpoint,
    sign_checkpoint,
)
from services.ledger.domain.merkle import leaf_hash, root_hash
from services.ledger.domain.note import open_note, sign_note

GO_SIGNER = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
GO_VERIFIER = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
GO_NOTE = GO_TEXT + (
    "\n\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgK"
    "vqfqdngotpRZb6KE6RyyBwJnAM=\n"
)

ORIGIN = "parkloop.example/ledger"
ROOT = root_hash([leaf_hash(b"a"), leaf_hash(b"b"), leaf_hash(b"c")])


@pytest.fixture(scope="module")
def key() -> SigningKey:
    return SigningKey.generate(ORIGIN)


def test_go_note_package_example_signs_and_opens_byte_for_byte():
    signer = SigningKey.from_text(GO_SIGNER)
    assert signer.verifier_text() == GO_VERIFIER
    assert signer.text() == GO_SIGNER
    assert sign_note(GO_TEXT, signer) == GO_NOTE
    assert open_note(GO_NOTE, VerifierKey.from_text(GO_VERIFIER)) == GO_TEXT
    assert open_note(GO_NOTE.encode("utf-8"), VerifierKey.from_text(GO_VERIFIER)) == GO_TEXT


def test_no_mangled_key_string_is_accepted():
    for good, parse in ((GO_VERIFIER, VerifierKey.from_text), (GO_SIGNER, SigningKey.from_text)):
        for i in range(len(good)):
            for j in range(i + 1, len(good) + 1):
                if (i, j) != (0, len(good)):
                    with pytest.raises(KeyFormatError):
                        parse(good[i:j])
            with pytest.raises(KeyFormatError):
                parse(good[:i] + chr(ord(good[i]) + 1) + good[i + 1 :])
    with pytest.raises(KeyFormatError):  # wrong length key, with adjusted key hash (from the Go test)
        VerifierKey.from_text("PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==")
    with pytest.raises(KeyFormatError):  # unknown algorithm, with adjusted key hash
        VerifierKey.from_text("PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")


def test_generated_keys_round_trip_through_their_strings(key):
    again = SigningKey.from_text(key.text())
    assert again == key and again.verifier_text() == key.verifier_text()
    name, hex_id, key64 = key.verifier_text().split("+", 2)
    assert name == ORIGIN and len(hex_id) == 8 and base64.b64decode(key64)[0] == 0x01
    assert key.text() not in repr(key)
    with pytest.raises(KeyFormatError):
        SigningKey.generate("has space")
    with pytest.raises(KeyFormatError):
        SigningKey.generate("has+plus")


def test_checkpoint_layout(key):
    signed = sign_checkpoint(ORIGIN, 3, ROOT, key, extensions=["time 2025-06-01T08:00:00Z"])
    body, _, signatures = signed.partition("\n\n")
    assert body + "\n" == f"{ORIGIN}\n3\n{base64.b64encode(ROOT).decode()}\ntime 2025-06-01T08:00:00Z\n"
    line = signatures.rstrip("\n")
    assert signatures.endswith("\n") and "\n" not in line
    prefix, name, blob = line.split(" ")
    assert prefix == "\u2014" and name == ORIGIN
    raw = base64.b64decode(blob)
    assert len(raw) == 4 + 64 and raw[:4] == key.key_id.to_bytes(4, "big")


def test_sign_and_open_round_trip(key):
    signed = sign_checkpoint(ORIGIN, 3, ROOT, key, extensions=["time 2025-06-01T08:00:00Z"])
    cp = open_checkpoint(signed, key.verifier_text(), origin=ORIGIN)
    assert cp == Checkpoint(ORIGIN, 3, ROOT, ("time 2025-06-01T08:00:00Z",))
    empty = open_checkpoint(sign_checkpoint(ORIGIN, 0, root_hash([]), key), key.verifier_text())
    assert (empty.size, empty.extensions) == (0, ())


def test_wrong_key_is_refused(key):
    signed = sign_checkpoint(ORIGIN, 3, ROOT, key)
    with pytest.raises(UnknownKeyError):
        open_checkpoint(signed, SigningKey.generate(ORIGIN).verifier_text())  # same name, other key
    with pytest.raises(UnknownKeyError):
        open_checkpoint(signed, GO_VERIFIER)


def test_edited_body_or_signature_is_refused(key):
    signed = sign_checkpoint(ORIGIN, 3, ROOT, key)
    with pytest.raises(SignatureError):
        open_checkpoint(signed.replace("\n3\n", "\n4\n", 1), key.verifier_text())
    other_root = base64.b64encode(root_hash([leaf_hash(b"x")])).decode()
    with pytest.raises(SignatureError):
        open_checkpoint(signed.replace(base64.b64encode(ROOT).decode(), other_root), key.verifier_text())
    body, _, line = signed.partition("\n\n")
    prefix, name, blob = line.rstrip("\n").split(" ")
    raw = bytearray(base64.b64decode(blob))
    raw[10] ^= 1
    with pytest.raises(SignatureError):
        open_checkpoint(f"{body}\n\n{prefix} {name} {base64.b64encode(raw).decode()}\n", key.verifier_text())


def test_other_signatures_are_ignored_but_one_from_our_key_is_required(key):
    witness = SigningKey.generate("witness.example/w1")
    cosigned = sign_note(f"{ORIGIN}\n3\n{base64.b64encode(ROOT).decode()}\n", witness, key)
    assert open_checkpoint(cosigned, key.verifier_text()).size == 3
    assert open_checkpoint(cosigned, witness.verifier_text()).size == 3


@pytest.mark.parametrize(
    "note",
    [
        "",
        "parkloop.example/ledger\n3\nAAAA\n",  # no signature block
        "body\n\n",  # empty signature block
        "body\n\n\u2014 name\n",  # no signature
        "body\n\n- name AAAAAAA=\n",  # hyphen instead of em dash
        "body\n\n\u2014 name AAAAAAAA\n\u2014 x",  # no final newline
        "bo\tdy\n\n\u2014 name AAAAAAA=\n",  # control character
        "body\n\n\u2014 name !!!!\n",  # not base64
        b"body\n\n\xe2\x80\x94 name AAAAAAA=\n\xff\n",  # not UTF-8
        "body\ud800\n\n\u2014 name AAAAAAA=\n",  # lone surrogate
    ],
)
def test_malformed_notes_are_refused(key, note):
    with pytest.raises(MalformedNoteError):
        open_checkpoint(note, key.verifier_text())


@pytest.mark.parametrize(
    "body",
    [
        "origin\n3\n",  # no root line
        "\n3\n{root}\n",  # empty origin
        "origin\n03\n{root}\n",  # leading zero
        "origin\n-3\n{root}\n",
        "origin\n\u0663\n{root}\n",  # a non-ASCII digit
        "origin\n3\n{short}\n",  # root of 31 bytes
        "origin\n3\n{unpadded}\n",  # base64 without its padding
        "origin\n3\n{root}\n\nextension\n",  # empty extension line
    ],
)
def test_malformed_checkpoint_bodies_are_refused(body):
    text = body.format(
        root=base64.b64encode(ROOT).decode(),
        short=base64.b64encode(ROOT[:31]).decode(),
        unpadded=base64.b64encode(ROOT).decode().rstrip("="),
    )
    with pytest.raises(MalformedCheckpointError):
        parse_checkpoint(text)


def test_signed_malformed_body_and_foreign_origin_are_refused(key):
    with pytest.raises(MalformedCheckpointError):
        open_checkpoint(sign_note("origin\n03\nAAAA\n", key), key.verifier_text())
    signed = sign_checkpoint("someone.else/log", 3, ROOT, key)
    with pytest.raises(MalformedCheckpointError):
        open_checkpoint(signed, key.verifier_text(), origin=ORIGIN)


def test_checkpoints_that_cannot_be_written_are_refused(key):
    for origin, size, root, ext in (
        ("", 1, ROOT, ()),
        ("o", -1, ROOT, ()),
        ("o", 1, ROOT[:5], ()),
        ("o", 1, ROOT, ("",)),
        ("two\nlines", 1, ROOT, ()),
    ):
        with pytest.raises(MalformedCheckpointError):
            sign_checkpoint(origin, size, root, key, ext)
