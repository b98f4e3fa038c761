"""`parkloop ledger export` and `parkloop ledger verify`: an auditor's offline check of the
ledger with nothing but the export file (entries, recorded hashes, checkpoint, public key)."""

from __future__ import annotations

import base64
import os
from collections.abc import Iterator
from pathlib import Path

import ijson
import requests

from services.ledger.domain.audit import Source, audit_stream
from services.ledger.domain.checkpoint import NoteError, open_checkpoint


class CannotProceed(Exception):
    """What stopped the command, said for the person who typed it (exit status 2)."""


def export_ledger(url: str, admin_key: str, destination: Path) -> int:
    """Download the export to `destination` as it arrives (not held in memory); returns its entry count."""
    endpoint = f"{url.rstrip('/')}/api/v1/ledger/export"
    try:
        response = requests.get(endpoint, headers={"Authorization": f"Bearer {admin_key}"}, timeout=120, stream=True)
        if response.ok:
            with destination.open("wb") as out:
                for chunk in response.iter_content(chunk_size=1 << 20):
                    out.write(chunk)
    except requests.RequestException as exc:
        raise CannotProceed(
            f"cannot reach ParkLoop at {url} ({type(exc).__name__}); is it running? Give its address with --url"
        ) from None
    if not response.ok:
        detail = response.json().get("detail", "") if "json" in response.headers.get("Content-Type", "") else ""
        raise CannotProceed(f"{endpoint} answered {response.status_code} {response.reason}: {detail}".rstrip(": "))
    return sum(1 for _ in _items(destination, "entries")())


def _items(path: Path, name: str) -> Source:
    """A pass over the base64 items of the export's list `name`, decoded one at a time."""

    def items() -> Iterator[bytes]:
        with path.open("rb") as handle:
            for item in ijson.items(handle, f"{name}.item"):
                yield base64.b64decode(item, validate=True)

    return items


def _fields(path: Path) -> dict:
    """The export's fields other than its two long lists, in one streaming pass; `has_leaf_hashes`
    says whether the recorded hashes are there."""
    found: dict = {"checkpoints": [], "has_leaf_hashes": False}
    with path.open("rb") as handle:
        for prefix, event, value in ijson.parse(handle):
            if prefix == "" and event == "map_key" and value == "leaf_hashes":
                found["has_leaf_hashes"] = True
            elif prefix in ("origin", "checkpoint", "public_key") and event == "string":
                found[prefix] = value
            elif prefix == "checkpoints.item" and event == "string":
                found["checkpoints"].append(value)
    return found


def verify_export(path: Path, public_key: str | None = None) -> tuple[bool, str]:
    """Verify an export, reading it as a stream: memory stays bounded whatever the ledger's size.
    `public_key` (the verifier key obtained independently) overrides the one in the file, which an
    auditor should not simply trust."""
    try:
        exported = _fields(path)
        key = public_key or exported["public_key"]
        exported["checkpoint"]
        signed = [open_checkpoint(note, key, origin=exported.get("origin")) for note in exported["checkpoints"]]
        result = audit_stream(
            _items(path, "entries"),
            exported["checkpoint"],
            key,
            recorded=_items(path, "leaf_hashes") if exported["has_leaf_hashes"] else None,
            origin=exported.get("origin"),
            signed=sorted((cp.size, cp.root) for cp in signed),
        )
    except NoteError as exc:
        return False, f"FAILED: the ledger (checkpoint): an earlier signed checkpoint does not open: {exc}"
    except (OSError, ValueError, KeyError, TypeError, ijson.JSONError) as exc:
        raise CannotProceed(f"cannot read a ledger export from {path}: {type(exc).__name__}: {exc}") from None
    if result.ok:
        cp = result.checkpoint
        assert cp is not None
        return True, (
            f"OK: {cp.size + result.uncovered} entries; checkpoint {cp.origin} size {cp.size} "
            f"root {base64.b64encode(cp.root).decode()} verified with {key.strip()}"
        )
    where = f"entry {result.first_bad_index}" if result.first_bad_index is not None else "the ledger"
    return False, f"FAILED: {where} ({result.kind}): {result.reason}"


def admin_key_from_env(data_dir: Path, given: str | None) -> str:
    key_file = data_dir / "admin.key"
    key = given or os.environ.get("PARKLOOP_ADMIN_KEY") or (key_file.read_text().strip() if key_file.exists() else "")
    if not key:
        raise CannotProceed(f"no admin key: pass --admin-key, set PARKLOOP_ADMIN_KEY, or run where {key_file} exists")
    return key
