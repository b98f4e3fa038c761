"""C2SP tlog checkpoints (c2sp.org/tlog-checkpoint): the signed statement "this log, at this size,
has this root", which auditors keep and later compare against proofs.

Body: origin line, tree size in decimal (no leading zeros), the root as standard padded base64,
then optional non-empty extension lines, each line ending in a newline. The body is the text
of a signed note (`note.py`), signed with Ed25519; by the spec's advice the key name should be
the origin. golang.org/x/mod/sumdb/tlog.ParseTree reads only its own "go.sum database tree"
origin, so independent tools parse the three lines themselves, as `parse_checkpoint` does.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable
from dataclasses import dataclass

from services.ledger.domain import note
from services.ledger.domain.merkle import HASH_SIZE
from services.ledger.domain.note import (  # noqa: F401 - re-exported: the checkpoint API in one place
    KeyFormatError,
    MalformedNoteError,
    NoteError,
    SignatureError,
    SigningKey,
    UnknownKeyError,
    VerifierKey,
)


class MalformedCheckpointError(NoteError):
    """The signature is good but the body is not a checkpoint (or not the expected origin)."""


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    def body(self) -> str:
        """The note text, validated: what gets signed."""
        if not self.origin or "\n" in self.origin:
            raise MalformedCheckpointError("the origin is one non-empty line")
        if not isinstance(self.size, int) or isinstance(self.size, bool) or self.size < 0:
            raise MalformedCheckpointError(f"tree size {self.size!r} is not a non-negative integer")
        if len(self.root) != HASH_SIZE:
            raise MalformedCheckpointError(f"root hash is {len(self.root)} bytes, not {HASH_SIZE}")
        for line in self.extensions:
            if not line or "\n" in line:
                raise MalformedCheckpointError(f"extension line {line!r} is not one non-empty line")
        lines = [self.origin, str(self.size), base64.b64encode(self.root).decode(), *self.extensions]
        return "".join(line + "\n" for line in lines)


def parse_checkpoint(body: str) -> Checkpoint:
    """Read a checkpoint body strictly: any second spelling of the same tree would let two
    byte-different checkpoints claim one state, so only the canonical one is accepted."""
    if not body.endswith("\n"):
        raise MalformedCheckpointError("checkpoint body must end with a newline")
    lines = body[:-1].split("\n")
    if len(lines) < 3:
        raise MalformedCheckpointError("a checkpoint has an origin, a size and a root line")
    origin, size_text, root_text, *extensions = lines
    if not origin:
        raise MalformedCheckpointError("empty origin line")
    if not (size_text.isascii() and size_text.isdigit()) or str(int(size_text)) != size_text:
        raise MalformedCheckpointError(f"tree size {size_text!r} is not a decimal without leading zeros")
    try:
        root = base64.b64decode(root_text.encode("ascii"), validate=True)
    except (ValueError, UnicodeEncodeError) as exc:
        raise MalformedCheckpointError(f"root hash line is not base64: {exc}") from exc
    if len(root) != HASH_SIZE or base64.b64encode(root).decode() != root_text:
        raise MalformedCheckpointError("root hash line is not the padded base64 of 32 bytes")
    if any(not line for line in extensions):
        raise MalformedCheckpointError("extension lines must not be empty")
    return Checkpoint(origin, int(size_text), root, tuple(extensions))


def sign_checkpoint(origin: str, size: int, root: bytes, key: SigningKey, extensions: Iterable[str] = ()) -> str:
    """The signed checkpoint text, ready to publish at /ledger/checkpoint."""
    return note.sign_note(Checkpoint(origin, size, bytes(root), tuple(extensions)).body(), key)


def open_checkpoint(text: str | bytes, verifier_text: str | VerifierKey, *, origin: str | None = None) -> Checkpoint:
    """Verify the signature with the given verifier key, then parse the body.

    Raises `SignatureError` (altered text), `UnknownKeyError` (not signed by this key),
    `MalformedNoteError`/`MalformedCheckpointError` (not a checkpoint), `KeyFormatError`
    (bad verifier key string). With `origin`, the body's origin line must equal it: a valid
    checkpoint of somebody else's log proves nothing about ours."""
    verifier = verifier_text if isinstance(verifier_text, VerifierKey) else VerifierKey.from_text(verifier_text)
    checkpoint = parse_checkpoint(note.open_note(text, verifier))
    if origin is not None and checkpoint.origin != origin:
        raise MalformedCheckpointError(f"checkpoint is for origin {checkpoint.origin!r}, not {origin!r}")
    return checkpoint
