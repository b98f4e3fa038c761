"""`parkloop ledger export` and `parkloop ledger verify`: an auditor's offline check of the
ledger with nothing but the export file (entries, recorded hashes, checkpoint, public key)."""
from __future__ import annotations

import base64
import json
import os
from pathlib import Path

import requests

from services.ledger.domain.audit import audit_ledger


def export_ledger(url: str, admin_key: str, destination: Path) -> int:
    response = requests.get(f"{url.rstrip('/')}/api/v1/ledger/export",
                            headers={"Authorization": f"Bearer {admin_key}"}, timeout=120)
    response.raise_for_status()
    destination.write_text(json.dumps(response.json(), indent=1))
    return len(response.json()["entries"])


def verify_export(path: Path, public_key: str | None = None) -> tuple[bool, str]:
    """Verify an export; `public_key` (the verifier key obtained independently) overrides the
    one in the file, which an auditor should not simply trust."""
    exported = json.loads(path.read_text())
    key = public_key or exported["public_key"]
    result = audit_ledger([base64.b64decode(e) for e in exported["entries"]], exported["checkpoint"], key,
                          recorded_leaf_hashes=[base64.b64decode(h) for h in exported.get("leaf_hashes", [])] or None,
                          origin=exported.get("origin"))
    if result.ok:
        cp = result.checkpoint
        return True, (f"OK: {len(exported['entries'])} entries; checkpoint {cp.origin} size {cp.size} "
                      f"root {base64.b64encode(cp.root).decode()} verified with {key.strip()}")
    where = f"entry {result.first_bad_index}" if result.first_bad_index is not None else "the ledger"
    return False, f"FAILED: {where} ({result.kind}): {result.reason}"


def admin_key_from_env(data_dir: Path, given: str | None) -> str:
    return given or os.environ.get("PARKLOOP_ADMIN_KEY") or (data_dir / "admin.key").read_text().strip()
