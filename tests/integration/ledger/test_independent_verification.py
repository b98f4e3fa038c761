"""An auditor's own tool accepts our evidence: the Go program in gocheck/ verifies our signed
checkpoints with golang.org/x/mod/sumdb/note and our tree, inclusion and consistency proofs with
golang.org/x/mod/sumdb/tlog (pinned in gocheck/go.mod, go.sum committed), and rejects tampering.

Skipped only when no `go` is on PATH; the build needs the Go module proxy (or a warm module
cache) the first time.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from services.ledger.domain.canonical import canonical_entry
from services.ledger.domain.checkpoint import SigningKey, sign_checkpoint
from services.ledger.domain.merkle import leaf_hash
from services.ledger.domain.merkle_log import MerkleLog

GOCHECK = Path(__file__).parent / "gocheck"
ORIGIN = "parkloop.example/ledger/test"
SIZE = 50
OLD_SIZES = (1, 2, 16, 17, 32, 49, 50)


@pytest.fixture(scope="module")
def gocheck(tmp_path_factory) -> Path:
    if shutil.which("go") is None:
        pytest.skip("`go` is not on PATH: the independent Go verifier cannot be built")
    binary = tmp_path_factory.mktemp("gocheck") / "gocheck"
    env = {**os.environ, "GOTOOLCHAIN": "local", "GOFLAGS": "-mod=readonly -buildvcs=false"}
    build = subprocess.run(
        ["go", "build", "-o", str(binary), "."], cwd=GOCHECK, env=env, capture_output=True, text=True, timeout=300
    )
    assert build.returncode == 0, f"go build failed:\n{build.stderr}"
    return binary


@pytest.fixture(scope="module")
def ledger():
    key = SigningKey.generate(ORIGIN)
    entries = [
        canonical_entry(
            {
                "index": i,
                "exchange": f"EX-{i:04d}",
                "material": "900-249-08",
                "quantity_t": f"{i}.25",
                "from": "苏州工业园区",
                "to": "Park B",
            }
        )
        for i in range(SIZE)
    ]
    log = MerkleLog()
    for data in entries:
        log.append(data)
    checkpoints = {n: sign_checkpoint(ORIGIN, n, log.root(n), key, extensions=[f"entries {n}"]) for n in OLD_SIZES}
    return key, entries, log, checkpoints


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def request(ledger, **overrides) -> dict:
    key, entries, log, checkpoints = ledger
    req = {
        "origin": ORIGIN,
        "verifier_key": key.verifier_text(),
        "checkpoint": checkpoints[SIZE],
        "leaves": [b64(e) for e in entries],
        "inclusion": [
            {"index": i, "leaf": b64(entries[i]), "proof": [b64(p) for p in log.inclusion_proof(i)]}
            for i in range(SIZE)
        ],
        "consistency": [
            {"old_checkpoint": checkpoints[n], "proof": [b64(p) for p in log.consistency_proof(n)]} for n in OLD_SIZES
        ],
    }
    req.update(overrides)
    return req


def verify(gocheck: Path, req: dict) -> tuple[int, dict]:
    run = subprocess.run([str(gocheck)], input=json.dumps(req), capture_output=True, text=True, timeout=60)
    assert run.returncode in (0, 1), run.stderr
    return run.returncode, json.loads(run.stdout)


def test_go_accepts_our_checkpoint_tree_and_every_proof(gocheck, ledger):
    status, report = verify(gocheck, request(ledger))
    assert status == 0, report
    assert report["checkpoint"] == {"ok": True, "size": SIZE, "root": b64(ledger[2].root())}
    assert report["tree"]["ok"] and report["tree"]["root"] == b64(ledger[2].root())
    assert len(report["inclusion"]) == SIZE and all(r["ok"] for r in report["inclusion"])
    assert len(report["consistency"]) == len(OLD_SIZES) and all(r["ok"] for r in report["consistency"])


def test_go_signs_our_checkpoint_body_with_our_private_key_to_the_same_bytes(gocheck, ledger):
    key, _, log, checkpoints = ledger
    body = checkpoints[SIZE].rpartition("\n\n")[0] + "\n"
    status, report = verify(gocheck, request(ledger, signer_key=key.text(), sign_text=body))
    assert status == 0 and report["signed"] == checkpoints[SIZE]


def test_go_rejects_an_edited_checkpoint(gocheck, ledger):
    edited = ledger[3][SIZE].replace(f"\n{SIZE}\n", f"\n{SIZE - 1}\n", 1)
    status, report = verify(gocheck, request(ledger, checkpoint=edited))
    assert status == 1 and "invalid signature" in report["checkpoint"]["error"]


def test_go_rejects_a_checkpoint_from_another_key(gocheck, ledger):
    other = SigningKey.generate(ORIGIN)
    status, report = verify(gocheck, request(ledger, verifier_key=other.verifier_text()))
    assert status == 1 and "no verifiable signatures" in report["checkpoint"]["error"]


def test_go_rejects_a_tampered_inclusion_proof_and_an_edited_entry(gocheck, ledger):
    req = request(ledger)
    proof = base64.b64decode(req["inclusion"][7]["proof"][2])
    req["inclusion"][7]["proof"][2] = b64(bytes([proof[0] ^ 1]) + proof[1:])
    req["inclusion"][23]["leaf"] = b64(ledger[1][23].replace(b'"23.25"', b'"2.325"'))
    req["leaves"][40] = b64(b'{"forged":true}')
    status, report = verify(gocheck, req)
    assert status == 1
    assert [i for i, r in enumerate(report["inclusion"]) if not r["ok"]] == [7, 23]
    assert not report["tree"]["ok"]
    assert leaf_hash(ledger[1][23]) != leaf_hash(base64.b64decode(req["inclusion"][23]["leaf"]))


def test_go_rejects_a_tampered_consistency_proof(gocheck, ledger):
    req = request(ledger)
    proof = base64.b64decode(req["consistency"][3]["proof"][0])
    req["consistency"][3]["proof"][0] = b64(bytes([proof[0] ^ 0x10]) + proof[1:])
    req["consistency"][4]["proof"] = req["consistency"][4]["proof"][:-1]
    status, report = verify(gocheck, req)
    assert status == 1
    assert [r["ok"] for r in report["consistency"]] == [True, True, True, False, False, True, True]
