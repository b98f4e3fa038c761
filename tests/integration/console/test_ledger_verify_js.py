"""The console's in-browser ledger witness (gateway/console/static/console/js/ledger-verify.js)
checks real evidence in a real Chromium and names the step a bad piece of evidence fails at.

The evidence is made by the ledger's own domain code (canonical JSON leaves, `MerkleLog` roots
and proofs, C2SP signed checkpoints), so the module is held to what the server really serves.
The module is served from disk to a page of origin http://verify.test through `page.route`.
WebCrypto exists only in secure contexts, so Chromium is told to treat that origin as one
(the real console must be served over HTTPS or from localhost for the same reason).

Skipped when /usr/bin/chromium is missing, except with CI=true, where it fails instead.
"""

from __future__ import annotations

import base64
import json
from decimal import Decimal
from pathlib import Path

import pytest

from services.ledger.domain.canonical import canonical_entry
from services.ledger.domain.checkpoint import SigningKey, sign_checkpoint
from services.ledger.domain.merkle_log import MerkleLog
from tests.conftest import WITNESS_TEST_ORIGIN

ROOT = Path(__file__).resolve().parents[3]
MODULE = ROOT / "gateway/console/static/console/js/ledger-verify.js"
SITE = WITNESS_TEST_ORIGIN
MODULE_URL = "/static/console/js/ledger-verify.js"
LOG = "parkloop.local/ledger"
PIN = f"parkloop.witness.{LOG}"
MAX_SIZE = 17

KEY, CHECKPOINT, INCLUSION, CONSISTENCY = "verifier key", "checkpoint signature", "inclusion proof", "consistency proof"

PAGE = f"""<!doctype html>
<meta charset="utf-8"><title>ledger witness test</title>
<script type="module">
import * as lv from "{MODULE_URL}";
const bytes = (b64) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
function memoryStorage(initial) {{
  const items = new Map(Object.entries(initial || {{}}));
  return {{
    getItem: (k) => (items.has(k) ? items.get(k) : null),
    setItem: (k, v) => items.set(k, String(v)),
    dump: () => Object.fromEntries(items),
  }};
}}
// An API double: texts by path, entry bodies as base64 of their exact bytes.
function fakeApi(api, fetched) {{
  const answer = (table, path) => {{
    fetched.push(path);
    if (!(path in table)) throw new Error(`404 for ${{path}}`);
    return table[path];
  }};
  return {{
    fetchText: async (path) => answer(api.texts, path),
    fetchBytes: async (path) => bytes(answer(api.bytes, path)),
  }};
}}
window.lv = lv;
window.bytes = bytes;
window.runWitness = async ({{ index, api, stored, origin }}) => {{
  const fetched = [];
  const storage = memoryStorage(stored);
  const results = await lv.witnessEntry({{ index, storage, origin, ...fakeApi(api, fetched) }});
  return {{ results, stored: storage.dump(), fetched }};
}};
window.attempt = async (fn) => {{
  try {{
    return {{ ok: true, value: await fn() }};
  }} catch (e) {{
    return {{ ok: false, name: e.name, step: e.step, detail: e.detail, message: e.message,
             isVerifyError: e instanceof lv.VerifyError }};
  }}
}};
window.ready = true;
</script>
"""


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def entry(i: int, note: str = "") -> bytes:
    """A canonical-JSON leaf with non-ASCII text, so the bytes, not a re-encoding, are hashed."""
    return canonical_entry(
        {
            "index": i,
            "type": "exchange",
            "corrects": None,
            "exchange": {
                "exchange_id": f"EX-{i:04d}",
                "kind": "waste",
                "waste_code": "900-249-08",
                "quantity_t": Decimal("12.50") + i,
                "supplier": "苏州工业园区热电 №1",
                "receiver": "Park B — Müller GmbH",
                "note": note,
            },
        }
    )


class Ledger:
    """A log of leaves signed by one key, answering the API paths the witness asks for."""

    def __init__(self, key: SigningKey, leaves: list[bytes]) -> None:
        self.key, self.leaves = key, leaves
        self.log = MerkleLog()
        for leaf in leaves:
            self.log.append(leaf)

    def root_b64(self, size: int) -> str:
        return b64(self.log.root(size))

    def checkpoint(self, size: int) -> str:
        return sign_checkpoint(LOG, size, self.log.root(size), self.key)

    def inclusion(self, index: int, size: int) -> str:
        hashes = [b64(h) for h in self.log.inclusion_proof(index, size)]
        return json.dumps({"index": index, "tree_size": size, "hashes": hashes})

    def consistency(self, old: int, new: int) -> str:
        return json.dumps({"from": old, "to": new, "hashes": [b64(h) for h in self.log.consistency_proof(old, new)]})

    def api(self, size: int) -> dict:
        """Everything the API serves while the ledger's latest checkpoint has `size` entries."""
        texts = {"ledger/public-key": self.key.verifier_text() + "\n", "ledger/checkpoint": self.checkpoint(size)}
        for i in range(size):
            texts[f"ledger/entries/{i}/proof?tree_size={size}"] = self.inclusion(i, size)
        for old in range(1, size + 1):
            texts[f"ledger/consistency?from={old}&to={size}"] = self.consistency(old, size)
        return {"texts": texts, "bytes": {f"ledger/entries/{i}": b64(self.leaves[i]) for i in range(size)}}

    def seen(self, size: int) -> dict:
        """What a browser stores after accepting this ledger's checkpoint of `size`."""
        return {
            PIN: json.dumps(
                {"key": self.key.verifier_text(), "size": size, "root": self.root_b64(size)}, separators=(",", ":")
            )
        }


@pytest.fixture(scope="module")
def chromium(browser):
    """pytest-playwright's browser (tests/conftest.py launches Debian's Chromium, with SITE as a secure origin)."""
    return browser


def open_site(page, api=lambda: None) -> None:
    """Route http://verify.test to the test page, the module from disk and, when `api()` gives
    one, the ledger API under /api/v1/ (looked up per request, so a test can move the ledger on)."""

    def handle(route):
        path = route.request.url.removeprefix(SITE)
        if path == "/":
            return route.fulfill(body=PAGE, content_type="text/html; charset=utf-8")
        if path == MODULE_URL:
            return route.fulfill(body=MODULE.read_bytes(), content_type="text/javascript; charset=utf-8")
        served, api_path = api(), path.removeprefix("/api/v1/")
        if served and api_path in served["bytes"]:
            return route.fulfill(body=base64.b64decode(served["bytes"][api_path]), content_type="application/json")
        if served and api_path in served["texts"]:
            return route.fulfill(body=served["texts"][api_path].encode(), content_type="text/plain; charset=utf-8")
        return route.fulfill(status=404, body="not found")

    page.route(f"{SITE}/**", handle)
    page.goto(f"{SITE}/")
    page.wait_for_function("window.ready === true")


@pytest.fixture(scope="module")
def site(chromium):
    context = chromium.new_context()
    page = context.new_page()
    open_site(page)
    yield page
    context.close()


@pytest.fixture(scope="module")
def ledger() -> Ledger:
    return Ledger(SigningKey.generate(LOG), [entry(i) for i in range(MAX_SIZE)])


def witness(page, api: dict, index: int, stored: dict | None = None, origin: str | None = None) -> dict:
    return page.evaluate(
        "args => runWitness(args)", {"index": index, "api": api, "stored": stored or {}, "origin": origin}
    )


def steps(outcome: dict) -> list[tuple[str, bool]]:
    return [(r["step"], r["ok"]) for r in outcome["results"]]


def failure(outcome: dict) -> dict:
    failed = [r for r in outcome["results"] if not r["ok"]]
    assert len(failed) == 1 and outcome["results"][-1] is failed[0], outcome["results"]
    return failed[0]


def attempt(page, call: str, args: dict) -> dict:
    """Run `call` (JS using `lv`, `bytes` and `a`), returning its value or its VerifyError's fields."""
    return page.evaluate(f"a => attempt(() => {call})", args)


# -- a valid entry ------------------------------------------------------------------------------


@pytest.mark.parametrize("size", range(1, MAX_SIZE + 1))
def test_a_valid_entry_passes_every_step_and_is_remembered(site, ledger, size):
    api = ledger.api(size)
    for index in sorted({0, size // 2, size - 1}):
        outcome = witness(site, api, index)
        assert steps(outcome) == [(KEY, True), (CHECKPOINT, True), (INCLUSION, True)], outcome["results"]
        assert ledger.root_b64(size) in outcome["results"][1]["detail"]
        assert f"entry {index}" in outcome["results"][2]["detail"]
        assert outcome["stored"] == ledger.seen(size)

    checkpoint = attempt(
        site, "lv.verifyCheckpoint(a.note, a.key)", {"note": ledger.checkpoint(size), "key": ledger.key.verifier_text()}
    )
    assert checkpoint == {"ok": True, "value": {"origin": LOG, "size": size, "rootB64": ledger.root_b64(size)}}


def test_the_verifier_key_is_parsed_with_its_own_hash(site, ledger):
    parsed = attempt(
        site,
        "lv.parseVerifierKey(a.key).then(k => ({...k, publicKey: Array.from(k.publicKey)}))",
        {"key": ledger.key.verifier_text() + "\n"},
    )
    assert parsed["value"] == {
        "name": LOG,
        "keyHashHex": f"{ledger.key.key_id:08x}",
        "publicKey": list(ledger.key.public_key),
        "text": ledger.key.verifier_text(),
    }


def test_the_leaf_hash_is_rfc9162s_over_the_exact_bytes(site, ledger):
    computed = attempt(site, "lv.leafHash(bytes(a.leaf)).then(h => Array.from(h))", {"leaf": b64(ledger.leaves[3])})
    assert bytes(computed["value"]) == ledger.log.leaf_hash(3)


# -- tampering is caught at the step that owns the evidence ------------------------------------


def test_a_tampered_leaf_byte_fails_at_inclusion_proof_and_stores_nothing(site, ledger):
    api = ledger.api(9)
    leaf = bytearray(ledger.leaves[4])
    leaf[leaf.index(b"16.50")] ^= 0x01  # "16.50" t becomes "06.50" t: one bit of one byte
    api["bytes"]["ledger/entries/4"] = b64(bytes(leaf))

    outcome = witness(site, api, 4)

    assert steps(outcome) == [(KEY, True), (CHECKPOINT, True), (INCLUSION, False)]
    detail = failure(outcome)["detail"]
    assert f"expected root {ledger.root_b64(9)}" in detail and "computed root" in detail
    assert outcome["stored"] == {}

    thrown = attempt(
        site,
        "lv.verifyInclusion({index: 4, leaf: bytes(a.leaf), proof: a.proof, checkpoint: a.cp})",
        {"leaf": b64(bytes(leaf)), "proof": ledger.inclusion(4, 9), "cp": {"size": 9, "rootB64": ledger.root_b64(9)}},
    )
    assert thrown["isVerifyError"] and thrown["name"] == "VerifyError" and thrown["step"] == INCLUSION
    assert thrown["message"] == f"{INCLUSION}: {thrown['detail']}"


def test_a_tampered_proof_hash_fails_at_inclusion_proof(site, ledger):
    api = ledger.api(13)
    proof = json.loads(api["texts"]["ledger/entries/6/proof?tree_size=13"])
    proof["hashes"][1] = b64(bytes(32))
    api["texts"]["ledger/entries/6/proof?tree_size=13"] = json.dumps(proof)

    outcome = witness(site, api, 6)

    assert steps(outcome) == [(KEY, True), (CHECKPOINT, True), (INCLUSION, False)]
    assert outcome["stored"] == {}


def test_an_entry_beyond_the_signed_tree_fails_at_inclusion_proof(site, ledger):
    outcome = witness(site, ledger.api(5), 5)
    assert steps(outcome)[-1] == (INCLUSION, False)
    assert "not in the signed tree of size 5" in failure(outcome)["detail"]


def tamper_root(note: str, root: bytes) -> str:
    origin, size, _root, rest = note.split("\n", 3)
    return "\n".join([origin, size, b64(root), rest])


def tamper_signature(note: str) -> str:
    text, signature_line = note.rstrip("\n").rsplit("\n", 1)
    name, blob = signature_line.rsplit(" ", 1)
    raw = bytearray(base64.b64decode(blob))
    raw[10] ^= 0x80  # inside the Ed25519 signature, after the 4-byte key hash
    return f"{text}\n{name} {b64(bytes(raw))}\n"


@pytest.mark.parametrize("tamper", ["root", "signature"])
def test_a_tampered_checkpoint_fails_at_checkpoint_signature(site, ledger, tamper):
    api = ledger.api(8)
    note = api["texts"]["ledger/checkpoint"]
    forged = tamper_root(note, ledger.log.root(7)) if tamper == "root" else tamper_signature(note)
    api["texts"]["ledger/checkpoint"] = forged

    outcome = witness(site, api, 2)

    assert steps(outcome) == [(KEY, True), (CHECKPOINT, False)]
    assert "does not verify" in failure(outcome)["detail"]
    assert outcome["stored"] == {}
    thrown = attempt(site, "lv.verifyCheckpoint(a.note, a.key)", {"note": forged, "key": ledger.key.verifier_text()})
    assert (thrown["ok"], thrown["step"]) == (False, CHECKPOINT)


def test_a_checkpoint_signed_by_another_key_fails_at_checkpoint_signature(site, ledger):
    other = SigningKey.generate(LOG)
    api = ledger.api(6)
    api["texts"]["ledger/checkpoint"] = sign_checkpoint(LOG, 6, ledger.log.root(6), other)

    outcome = witness(site, api, 0)

    assert steps(outcome) == [(KEY, True), (CHECKPOINT, False)]
    detail = failure(outcome)["detail"]
    assert f"expected a signature by {LOG}+{ledger.key.key_id:08x}" in detail and f"{other.key_id:08x}" in detail


def test_a_checkpoint_of_another_log_fails_when_the_witness_watches_one_origin(site, ledger):
    outcome = witness(site, ledger.api(3), 1, origin="parkloop.other/ledger")
    assert steps(outcome) == [(KEY, True), (CHECKPOINT, False)]
    assert f"got one of {LOG}" in failure(outcome)["detail"]


def other_key_same_hash(ledger) -> str:
    """Another Ed25519 key presented under our key's name and key hash."""
    name, key_hash, _key = ledger.key.verifier_text().split("+", 2)
    return "+".join([name, key_hash, SigningKey.generate(LOG).verifier_text().split("+", 2)[2]])


@pytest.mark.parametrize("forge", ["wrong key hash", "swapped key bytes", "renamed", "not a key"])
def test_a_malformed_or_inconsistent_key_fails_at_verifier_key(site, ledger, forge):
    text = ledger.key.verifier_text()
    forged = {
        "wrong key hash": text.replace(f"+{ledger.key.key_id:08x}+", f"+{(ledger.key.key_id ^ 1):08x}+"),
        "swapped key bytes": other_key_same_hash(ledger),
        "renamed": text.replace(LOG, "parkloop.evil/ledger", 1),
        "not a key": "hello",
    }[forge]
    api = ledger.api(4)
    api["texts"]["ledger/public-key"] = forged

    outcome = witness(site, api, 3)

    assert steps(outcome) == [(KEY, False)]
    if forge != "not a key":
        assert "SHA-256(name" in failure(outcome)["detail"]  # says which hash it expected and what it computed
    assert outcome["stored"] == {}
    assert attempt(site, "lv.parseVerifierKey(a.key)", {"key": forged})["step"] == KEY


def test_a_key_change_after_the_first_visit_fails_at_verifier_key_and_keeps_the_pin(site, ledger):
    first = witness(site, ledger.api(5), 2)
    assert all(ok for _, ok in steps(first)) and first["stored"] == ledger.seen(5)

    rekeyed = Ledger(SigningKey.generate(LOG), ledger.leaves)  # same entries, a new (validly signing) key
    second = witness(site, rekeyed.api(6), 2, stored=first["stored"])

    assert steps(second) == [(KEY, False)]
    detail = failure(second)["detail"]
    assert rekeyed.key.verifier_text() in detail and ledger.key.verifier_text() in detail
    assert second["stored"] == first["stored"]


def test_the_pin_survives_in_the_browsers_local_storage_between_visits(chromium, ledger):
    """End to end: real fetch() against the API paths, real localStorage, two visits."""
    context = chromium.new_context()
    try:
        page = context.new_page()
        state = {"api": ledger.api(4)}
        open_site(page, lambda: state["api"])
        visit = f"""async (index) => {{
            const results = await lv.witnessEntry({{index, storage: localStorage, ...lv.httpFetchers("/api/v1/")}});
            return {{results, stored: localStorage.getItem({PIN!r})}};
        }}"""

        first = page.evaluate(visit, 3)
        state["api"] = ledger.api(11)
        second = page.evaluate(visit, 10)
        state["api"] = Ledger(SigningKey.generate(LOG), ledger.leaves).api(12)
        third = page.evaluate(visit, 11)
    finally:
        context.close()

    assert [ok for _, ok in steps(first)] == [True] * 3 and json.loads(first["stored"])["size"] == 4
    assert steps(second) == [(KEY, True), (CHECKPOINT, True), (INCLUSION, True), (CONSISTENCY, True)]
    assert json.loads(second["stored"]) == json.loads(ledger.seen(11)[PIN])
    assert steps(third) == [(KEY, False)] and third["stored"] == second["stored"]


def test_a_missing_entry_fails_at_inclusion_proof_naming_the_request(chromium, ledger):
    context = chromium.new_context()
    try:
        page = context.new_page()
        api = ledger.api(3)
        del api["bytes"]["ledger/entries/1"]
        open_site(page, lambda: api)
        results = page.evaluate("""() => lv.witnessEntry({index: 1, storage: localStorage,
                                                          ...lv.httpFetchers("/api/v1/")})""")
    finally:
        context.close()
    assert [(r["step"], r["ok"]) for r in results][-1] == (INCLUSION, False)
    assert "GET ledger/entries/1 answered 404" in results[-1]["detail"]


# -- consistency with what this browser saw before ---------------------------------------------


def test_consistency_proofs_verify_between_every_pair_of_sizes(site, ledger):
    cases = [
        {
            "older": {"size": m, "rootB64": ledger.root_b64(m)},
            "newer": {"size": n, "rootB64": ledger.root_b64(n)},
            "proof": ledger.consistency(m, n),
        }
        for n in range(1, MAX_SIZE + 1)
        for m in range(1, n + 1)
    ]
    outcomes = site.evaluate("cases => Promise.all(cases.map(c => attempt(() => lv.verifyConsistency(c))))", cases)
    failed = [(c["older"]["size"], c["newer"]["size"], o) for c, o in zip(cases, outcomes, strict=True) if not o["ok"]]
    assert failed == []
    assert len(outcomes) == MAX_SIZE * (MAX_SIZE + 1) // 2


@pytest.mark.parametrize("new", range(2, MAX_SIZE + 1))
def test_a_later_visit_checks_consistency_from_each_earlier_size(site, ledger, new):
    api = ledger.api(new)
    for old in range(1, new + 1):
        outcome = witness(site, api, new - 1, stored=ledger.seen(old))
        assert steps(outcome) == [(KEY, True), (CHECKPOINT, True), (INCLUSION, True), (CONSISTENCY, True)], (
            old,
            outcome["results"],
        )
        assert outcome["stored"] == ledger.seen(new)
        asked = f"ledger/consistency?from={old}&to={new}" in outcome["fetched"]
        assert asked == (old < new)  # an unchanged tree needs no proof, only the same root


@pytest.mark.parametrize(("old", "new", "rewritten"), [(1, 2, 0), (5, 12, 3), (8, 12, 3), (16, 17, 15), (7, 17, 6)])
def test_a_rewritten_history_fails_at_consistency_proof_and_leaves_storage_unchanged(site, ledger, old, new, rewritten):
    leaves = list(ledger.leaves)
    leaves[rewritten] = entry(rewritten, note="corrected quietly")
    history = Ledger(ledger.key, leaves)  # same key, every proof honest for the rewritten tree
    before = ledger.seen(old)

    outcome = witness(site, history.api(new), new - 1, stored=before)

    assert steps(outcome) == [(KEY, True), (CHECKPOINT, True), (INCLUSION, True), (CONSISTENCY, False)]
    detail = failure(outcome)["detail"]
    assert "expected the" in detail and "computed" in detail
    assert outcome["stored"] == before


def test_two_roots_for_one_size_fail_at_consistency_proof(site, ledger):
    leaves = list(ledger.leaves)
    leaves[2] = entry(2, note="another view")
    fork = Ledger(ledger.key, leaves)
    before = ledger.seen(9)

    outcome = witness(site, fork.api(9), 2, stored=before)

    assert steps(outcome)[-1] == (CONSISTENCY, False)
    assert "two different roots were signed for size 9" in failure(outcome)["detail"]
    assert outcome["stored"] == before


def test_a_shrunk_log_fails_at_consistency_proof_and_leaves_storage_unchanged(site, ledger):
    before = ledger.seen(10)

    outcome = witness(site, ledger.api(7), 3, stored=before)

    assert steps(outcome) == [(KEY, True), (CHECKPOINT, True), (INCLUSION, True), (CONSISTENCY, False)]
    assert "the log shrank" in failure(outcome)["detail"]
    assert outcome["stored"] == before
    thrown = attempt(
        site,
        "lv.verifyConsistency(a)",
        {
            "older": {"size": 10, "rootB64": ledger.root_b64(10)},
            "newer": {"size": 7, "rootB64": ledger.root_b64(7)},
            "proof": {"from": 10, "to": 7, "hashes": []},
        },
    )
    assert (thrown["ok"], thrown["step"]) == (False, CONSISTENCY)


def test_a_proof_for_other_sizes_fails_at_consistency_proof(site, ledger):
    thrown = attempt(
        site,
        "lv.verifyConsistency(a)",
        {
            "older": {"size": 3, "rootB64": ledger.root_b64(3)},
            "newer": {"size": 9, "rootB64": ledger.root_b64(9)},
            "proof": ledger.consistency(4, 9),
        },
    )
    assert thrown["step"] == CONSISTENCY and "expected a proof from size 3 to size 9" in thrown["detail"]
