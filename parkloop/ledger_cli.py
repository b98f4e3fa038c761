"""`parkloop ledger export` and `parkloop ledger verify`: an auditor's offline check of the
ledger with nothing but the export file (entries, recorded hashes, checkpoint, public key)."""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path

import requests

from services.ledger.domain.audit import audit_ledger


class CannotProceed(Exception):
    """What stopped the command, said for the person who typed it (exit status 2)."""


def export_ledger(url: str, admin_key: str, destination: Path) -> int:
    endpoint = f"{url.rstrip('/')}/api/v1/ledger/export"
    try:
        response = requests.get(endpoint, headers={"Authorization": f"Bearer {admin_key}"}, timeout=120)
    except requests.RequestException as exc:
        raise CannotProceed(
            f"cannot reach ParkLoop at {url} ({type(exc).__name__}); is it running? Give its address with --url"
        ) from None
    if not response.ok:
        detail = response.json().get("detail", "") if "json" in response.headers.get("Content-Type", "") else ""
        raise CannotProceed(f"{endpoint} answered {response.status_code} {response.reason}: {detail}".rstrip(": "))
    destination.write_text(json.dumps(response.json(), indent=1))
    return len(response.json()["entries"])


def verify_export(path: Path, public_key: str | None = None) -> tuple[bool, str]:
    """Verify an export; `public_key` (the verifier key obtained independently) overrides the
    one in the file, which an auditor should not simply trust."""
    try:
        exported = json.loads(path.read_text())
        key = public_key or exported["public_key"]
        exported["entries"], exported["checkpoint"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise CannotProceed(f"cannot read a ledger export from {path}: {type(exc).__name__}: {exc}") from None
    result = audit_ledger(
        [base64.b64decode(e) for e in exported["entries"]],
        exported["checkpoint"],
        key,
        recorded_leaf_hashes=[base64.b64decode(h) for h in exported.get("leaf_hashes", [])] or None,
        origin=exported.get("origin"),
    )
    if result.ok:
        cp = result.checkpoint
        return True, (
            f"OK: {len(exported['entries'])} entries; checkpoint {cp.origin} size {cp.size} "
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
