"""C2SP signed notes (c2sp.org/signed-note), byte-compatible with golang.org/x/mod/sumdb/note,
so auditors can check our checkpoints with its `note.Open`.

Layout, from the spec: the note text (ending in a newline), a blank line, then one line per
signature: EM DASH U+2014, space, key name, space, base64(4-byte big-endian key ID || 64-byte
Ed25519 signature of the text), newline. The keys and their string forms are in `note_keys`.
"""

from __future__ import annotations

import base64

from services.ledger.domain.note_keys import (  # noqa: F401 - re-exported with the note API
    KeyFormatError,
    NoteError,
    SigningKey,
    VerifierKey,
    b64decode_strict,
    is_valid_name,
)

SIGNATURE_PREFIX = "\u2014 "  # "— "
MAX_SIGNATURES = 100  # as note.Open: bound the work a hostile note can cause


class MalformedNoteError(NoteError):
    """The text is not a signed note (bad layout, control characters, bad base64)."""


class SignatureError(NoteError):
    """A signature by the expected key is present but does not verify: the text was altered."""


class UnknownKeyError(NoteError):
    """No signature in the note comes from the expected key (wrong key, or unsigned)."""


def _signature_line(key: SigningKey, text: str) -> str:
    blob = base64.b64encode(key.key_id.to_bytes(4, "big") + key.sign(text.encode("utf-8"))).decode()
    return f"{SIGNATURE_PREFIX}{key.name} {blob}\n"


def _as_text(note: str | bytes) -> str:
    """Notes must be valid UTF-8; a str with lone surrogates is no more valid than bad bytes."""
    try:
        return note.decode("utf-8") if isinstance(note, bytes) else note.encode("utf-8").decode("utf-8")
    except UnicodeError as exc:
        raise MalformedNoteError(f"a note is valid UTF-8: {exc}") from exc


def _check_characters(text: str) -> None:
    if any(ord(c) < 0x20 and c != "\n" for c in text):
        raise MalformedNoteError("a note may hold no control character but newline")


def sign_note(text: str, *keys: SigningKey) -> str:
    """The signed note: text, blank line, one signature line per key."""
    if not text.endswith("\n"):
        raise MalformedNoteError("note text must end with a newline")
    _check_characters(_as_text(text))
    return text + "\n" + "".join(_signature_line(key, text) for key in keys)


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
            blob = b64decode_strict(blob64)
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
