"""Ed25519 keys for C2SP signed notes, in the string forms golang.org/x/mod/sumdb/note reads.

Verifier key `<name>+<8 hex key ID>+<base64(0x01 || 32-byte public key)>`, signer key
`PRIVATE+KEY+<name>+<8 hex key ID>+<base64(0x01 || 32-byte seed)>`, and key ID =
SHA-256(name || 0x0A || 0x01 || public key)[:4] read big-endian (c2sp.org/signed-note; 0x01
names Ed25519). An auditor is handed the verifier string and pastes it into their own tool,
so a string that does not round-trip exactly is a support call, hence the strict parsing.
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


class NoteError(ValueError):
    """Base of every refusal to open a note or read a key."""


class KeyFormatError(NoteError):
    """A signer or verifier key string is malformed or its key ID does not match its key."""


def is_valid_name(name: str) -> bool:
    """Non-empty, no Unicode space, no '+', no control characters (the spec's rule)."""
    return bool(name) and "+" not in name and not any(c.isspace() or ord(c) < 0x20 for c in name)


def key_id(name: str, public_key: bytes) -> int:
    """SHA-256(name || 0x0A || 0x01 || public key)[:4], big-endian."""
    digest = hashlib.sha256(name.encode() + b"\n" + bytes([ALG_ED25519]) + public_key).digest()
    return int.from_bytes(digest[:4], "big")


def b64decode_strict(text: str) -> bytes:
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
        raw = b64decode_strict(key64)
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

    def sign(self, message: bytes) -> bytes:
        """The 64-byte Ed25519 signature (deterministic: same key and message, same bytes)."""
        return Ed25519PrivateKey.from_private_bytes(self.seed).sign(message)
