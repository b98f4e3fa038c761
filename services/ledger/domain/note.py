"""C2SP signed notes (c2sp.org/signed-note) with Ed25519 keys, byte-compatible with
golang.org/x/mod/sumdb/note, so auditors can check our checkpoints with `note.Open`.

Layout, from the spec: the note text (ending in a newline), a blank line, then one line per
signature: EM DASH U+2014, space, key name, space, base64(4-byte big-endian key ID || 64-byte
Ed25519 signature of the text), newline. Key ID = SHA-256(name || 0x0A || 0x01 || 32-byte
public key)[:4], 0x01 naming Ed25519. Key strings are the ones the Go package reads:
verifier `<name>+<8 hex id>+<base64(0x01 || public key)>`, signer
`PRIVATE+KEY+<name>+<8 hex id>+<base64(0x01 || 32-byte seed)>`.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

ALG_ED25519 = 0x01
SIGNATURE_PREFIX = "\u2014 "  # "— "
MAX_SIGNATURES = 100  # as note.Open: bound the work a hostile note can cause


class NoteError(ValueError):
    """Base of every refusal to open a note or read a key."""


class KeyFormatError(NoteError):
    """A signer or verifier key string is malformed or its key ID does not match its key."""


class MalformedNoteError(NoteError):
    """The text is not a signed note (bad layout, control characters, bad base64)."""


class SignatureError(NoteError):
    """A signature by the expected key is present but does not verify: the text was altered."""


class UnknownKeyError(NoteError):
    """No signature in the note comes from the expected key (wrong key, or unsigned)."""


def is_valid_name(name: str) -> bool:
    """Non-empty, no Unicode space, no '+', no control characters (the spec's rule)."""
    return bool(name) and "+" not in name and not any(c.isspace() or ord(c) < 0x20 for c in name)


def key_id(name: str, public_key: bytes) -> int:
    """SHA-256(name || 0x0A || 0x01 || public key)[:4], big-endian."""
    digest = hashlib.sha256(name.encode() + b"\n" + bytes([ALG_ED25519]) + public_key).digest()
    return int.from_bytes(digest[:4], "big")


def _b64decode(text: str) -> bytes:
    """Standard padded base64, refusing characters outside the alphabet."""
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError) as exc:
        raise ValueError(f"bad base64: {exc}") from exc


def _split_key(text: str, parts: int) -> list[str]:
    fields = text.strip().split("+", parts - 1)
    if len(fields) != parts:
        raise KeyFormatError(f"a key string has {parts} '+'-separated fields")
    return fields


def _parse_key(name: str, hex_id: str, key64: str) -> bytes:
    """Check name and ID syntax and the Ed25519 algorithm byte; returns the 32 key bytes."""
    if not is_valid_name(name):
        raise KeyFormatError(f"invalid key name {name!r}")
    if len(hex_id) != 8 or any(c not in "0123456789abcdefABCDEF" for c in hex_id):
        raise KeyFormatError(f"key ID {hex_id!r} is not 8 hex digits")
    try:
        raw = _b64decode(key64)
    except ValueError as exc:
        raise KeyFormatError(str(exc)) from exc
    if len(raw) != 33 or raw[0] != ALG_ED25519:
        raise KeyFormatError("only Ed25519 keys (algorithm byte 0x01, 32 key bytes) are supported")
    return raw[1:]


@dataclass(frozen=True)
class VerifierKey:
    name: str
    key_id: int
    public_key: bytes

    @classmethod
    def from_text(cls, text: str) -> VerifierKey:
        name, hex_id, key64 = _split_key(text, 3)
        public = _parse_key(name, hex_id, key64)
        if int(hex_id, 16) != key_id(name, public):
            raise KeyFormatError(f"key ID {hex_id} does not match the key named {name!r}")
        return cls(name, int(hex_id, 16), public)

    def text(self) -> str:
        key64 = base64.b64encode(bytes([ALG_ED25519]) + self.public_key).decode()
        return f"{self.name}+{self.key_id:08x}+{key64}"

    def verify(self, message: bytes, signature: bytes) -> bool:
        try:
            Ed25519PublicKey.from_public_bytes(self.public_key).verify(signature, message)
        except (InvalidSignature, ValueError):
            return False
        return True


@dataclass(frozen=True, repr=False)
class SigningKey:
    """An Ed25519 note signer; repr hides the seed so it never lands in a log line."""

    name: str
    seed: bytes

    def __repr__(self) -> str:
        return f"SigningKey(name={self.name!r}, key_id={self.key_id:08x})"

    @classmethod
    def generate(cls, name: str) -> SigningKey:
        if not is_valid_name(name):
            raise KeyFormatError(f"invalid key name {name!r}")
        seed = Ed25519PrivateKey.generate().private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
        return cls(name, seed)

    @classmethod
    def from_text(cls, text: str) -> SigningKey:
        private, key, name, hex_id, key64 = _split_key(text, 5)
        if (private, key) != ("PRIVATE", "KEY"):
            raise KeyFormatError("a signer key string starts with PRIVATE+KEY+")
        signer = cls(name, _parse_key(name, hex_id, key64))
        if int(hex_id, 16) != signer.key_id:  # the ID names the public key, so derive it first
            raise KeyFormatError(f"key ID {hex_id} does not match the key named {name!r}")
        return signer

    @property
    def public_key(self) -> bytes:
        private = Ed25519PrivateKey.from_private_bytes(self.seed)
        return private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)

    @property
    def key_id(self) -> int:
        return key_id(self.name, self.public_key)

    def verifier(self) -> VerifierKey:
        return VerifierKey(self.name, self.key_id, self.public_key)

    def verifier_text(self) -> str:
        return self.verifier().text()

    def text(self) -> str:
        """The secret signer key string; store it like a password."""
        key64 = base64.b64encode(bytes([ALG_ED25519]) + self.seed).decode()
        return f"PRIVATE+KEY+{self.name}+{self.key_id:08x}+{key64}"

    def signature_line(self, text: str) -> str:
        signature = Ed25519PrivateKey.from_private_bytes(self.seed).sign(text.encode("utf-8"))
        blob = base64.b64encode(self.key_id.to_bytes(4, "big") + signature).decode()
        return f"{SIGNATURE_PREFIX}{self.name} {blob}\n"


def _check_characters(text: str) -> None:
    if any(ord(c) < 0x20 and c != "\n" for c in text):
        raise MalformedNoteError("a note may hold no control character but newline")


def sign_note(text: str, *keys: SigningKey) -> str:
    """The signed note: text, blank line, one signature line per key."""
    if not text.endswith("\n"):
        raise MalformedNoteError("note text must end with a newline")
    _check_characters(_as_text(text))
    return text + "\n" + "".join(key.signature_line(text) for key in keys)


def _as_text(note: str | bytes) -> str:
    """Notes must be valid UTF-8; a str with lone surrogates is no more valid than bad bytes."""
    try:
        return note.decode("utf-8") if isinstance(note, bytes) else note.encode("utf-8").decode("utf-8")
    except UnicodeError as exc:
        raise MalformedNoteError(f"a note is valid UTF-8: {exc}") from exc


def open_note(note: str | bytes, verifier: VerifierKey) -> str:
    """The note's text, once a signature by `verifier` is found and verifies.

    As the spec asks: signatures by other keys are ignored; a signature by this key that fails
    rejects the whole note; no signature by this key rejects it too."""
    note = _as_text(note)
    _check_characters(note)
    split = note.rfind("\n\n")
    if split < 0 or not note.endswith("\n"):
        raise MalformedNoteError("no blank line before a signature block ending in a newline")
    text, lines = note[: split + 1], note[split + 2 :].split("\n")[:-1]
    if not lines or len(lines) > MAX_SIGNATURES:
        raise MalformedNoteError(f"a note carries 1..{MAX_SIGNATURES} signature lines")
    verified = False
    for line in lines:
        name, _, blob64 = line.removeprefix(SIGNATURE_PREFIX).partition(" ")
        try:
            blob = _b64decode(blob64)
        except ValueError:
            blob = b""
        if not line.startswith(SIGNATURE_PREFIX) or not is_valid_name(name) or len(blob) < 5:
            raise MalformedNoteError(f"malformed signature line {line!r}")
        if name != verifier.name or int.from_bytes(blob[:4], "big") != verifier.key_id:
            continue
        if not verifier.verify(text.encode("utf-8"), blob[4:]):
            raise SignatureError(f"signature by {verifier.name}+{verifier.key_id:08x} does not verify")
        verified = True
    if not verified:
        raise UnknownKeyError(f"note is not signed by {verifier.name}+{verifier.key_id:08x}")
    return text
