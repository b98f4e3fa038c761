"""The ledger audit pages: the list with its filters and downloads, one entry, and "verify in this browser"
(ledger-page.js over ledger-verify.js), which must pass on the real evidence, fail in red naming the step
when an answer is tampered with on its way to the browser, and check consistency with the checkpoint the
same browser saw on an earlier visit."""

from __future__ import annotations

import base64
import csv
import io
import json
import re

import pytest

from services.ledger.domain.note_keys import SigningKey
from tests.e2e.conftest import PARK, complete_steam_exchange, eventually, new_enterprise, steam_offer
from tests.e2e.console.conftest import sign_in

ENTRY = 2  # the demo park's steam exchange: an entry the park manager sees
LEDGER_API = re.compile(r"/console/api/v1/ledger/")


def _flip_hash(text: str) -> str:
    """Another valid base64 SHA-256 hash: the first byte changed."""
    raw = bytearray(base64.b64decode(text))
    raw[0] ^= 0x01
    return base64.b64encode(bytes(raw)).decode()


def _verify(page) -> str:
    """Click "verify in this browser" and wait for the verdict; returns ok or fail."""
    page.click("#verify-button")
    verdict = page.locator("#verify-verdict[data-result]")
    verdict.wait_for(timeout=20000)
    return verdict.get_attribute("data-result")


def _step(page, step: str):
    return page.locator(f'#verify-steps li[data-step="{step}"]')


def _indexes(page) -> list[int]:
    return [
        int(i) for i in page.locator("#ledger-entries tbody tr").evaluate_all("rows => rows.map(r => r.dataset.index)")
    ]


def test_the_list_and_an_entry_load_clean_with_the_checkpoint_and_the_exact_leaf(page, system, demo, admin, watch):
    sign_in(page, system, demo["keys"]["park_manager"])
    page.goto(f"{system.url}/ledger")
    size = int(page.inner_text("#checkpoint-size"))
    assert size >= 5 and page.inner_text("#checkpoint-origin") == "parkloop.local/ledger"
    assert page.inner_text("#checkpoint-root") in admin.get("ledger/checkpoint").text
    assert set(_indexes(page)) >= {0, 1, 2, 3, 4}
    watch.assert_clean()
    page.goto(f"{system.url}/ledger/{ENTRY}")
    served = admin.get(f"ledger/entries/{ENTRY}").content
    assert page.locator("#leaf-exact").text_content() == served.decode("utf-8"), "the exact bytes, unchanged"
    assert json.loads(page.locator("#leaf-pretty").text_content()) == json.loads(served)
    assert "FT-301" in page.inner_text("table.deliveries")  # the meter reading, as evidence
    assert "gbt2589.kgce_lhv" in page.inner_text("table.indicators")  # the coefficient the value used
    watch.assert_clean()


def test_filters_narrow_the_list_and_the_downloads_hold_the_same_rows(page, system, demo):
    sign_in(page, system, demo["keys"]["park_manager"])
    page.goto(f"{system.url}/ledger")
    with page.expect_navigation():
        page.select_option("#kind", "heat")
    kinds = page.locator("#ledger-entries tbody tr").evaluate_all("rows => rows.map(r => r.dataset.kind)")
    assert kinds and set(kinds) == {"heat"}
    shown = _indexes(page)
    with page.expect_download() as download:
        page.click("#download-csv")
    rows = list(csv.DictReader(io.StringIO(open(download.value.path(), encoding="utf-8").read())))
    assert [int(r["index"]) for r in rows] == shown and {r["kind"] for r in rows} == {"heat"}
    with page.expect_download() as download:
        page.click("#download-json")
    body = json.loads(open(download.value.path(), encoding="utf-8").read())
    assert [item["index"] for item in body["items"]] == shown and body["filters"] == {"kind": "heat"}

    page.goto(f"{system.url}/ledger")
    page.fill("#code", "900-249-08")
    with page.expect_navigation():
        page.click(".ledger-filters button[type=submit]")
    codes = page.locator("#ledger-entries tbody tr td:nth-child(4) code").all_inner_texts()
    assert codes and set(codes) == {"900-249-08"}


def test_verify_in_this_browser_passes_on_the_real_evidence(page, system, demo, watch):
    sign_in(page, system, demo["keys"]["park_manager"])
    page.goto(f"{system.url}/ledger/{ENTRY}")
    verify_calls = []
    page.on("request", lambda r: "/ledger/verify" in r.url and verify_calls.append(r.url))
    assert _verify(page) == "ok"
    for step in ("verifier key", "checkpoint signature", "inclusion proof"):
        assert _step(page, step).get_attribute("class") == "ok", step
    assert f"{ENTRY}" in _step(page, "inclusion proof").inner_text()
    assert _step(page, "consistency proof").get_attribute("class") == "skipped"  # nothing seen before
    assert not verify_calls, "the browser decides by itself: it never asks the server's audit"
    watch.assert_clean()


def _tamper_proof(route):
    response = route.fetch()
    body = response.json()
    body["hashes"][0] = _flip_hash(body["hashes"][0])
    route.fulfill(response=response, json=body)


def _tamper_checkpoint(route):
    response = route.fetch()
    lines = response.text().split("\n")
    lines[2] = _flip_hash(lines[2])  # the root
    route.fulfill(response=response, body="\n".join(lines))


@pytest.mark.parametrize(
    "path, tamper, step, says",
    [
        (r"/console/api/v1/ledger/entries/\d+/proof", _tamper_proof, "inclusion proof", "computed root"),
        (r"/console/api/v1/ledger/checkpoint", _tamper_checkpoint, "checkpoint signature", "does not verify"),
    ],
    ids=["proof", "checkpoint"],
)
def test_a_tampered_answer_fails_in_red_naming_the_step(page, system, demo, path, tamper, step, says):
    sign_in(page, system, demo["keys"]["park_manager"])
    page.route(re.compile(path), tamper)
    page.goto(f"{system.url}/ledger/{ENTRY}")
    assert _verify(page) == "fail"
    failed = _step(page, step)
    assert failed.get_attribute("class") == "fail"
    assert says in failed.inner_text()  # what was checked and what was found
    assert failed.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(254, 226, 226)"  # red
    assert page.locator("#verify-verdict").evaluate("e => getComputedStyle(e).color") == "rgb(185, 28, 28)"
    assert failed.locator(".step-name").inner_text() in page.inner_text("#verify-verdict")
    assert (
        page.locator('#verify-steps li[class="ok"]').count() == {"checkpoint signature": 1, "inclusion proof": 2}[step]
    )


def test_another_key_than_the_one_this_browser_pinned_fails_at_the_verifier_key(page, system, demo):
    sign_in(page, system, demo["keys"]["park_manager"])
    page.goto(f"{system.url}/ledger/{ENTRY}")
    assert _verify(page) == "ok"  # the first visit pins the key
    real = system.client(demo["keys"]["park_manager"]).get("ledger/public-key").text.strip()
    other = SigningKey.generate(real.split("+")[0]).verifier_text()
    page.route(
        re.compile(r"/console/api/v1/ledger/public-key"),
        lambda route: route.fulfill(status=200, content_type="text/plain", body=other + "\n"),
    )
    page.reload()
    assert _verify(page) == "fail"
    failed = _step(page, "verifier key")
    assert failed.get_attribute("class") == "fail" and "pinned" in failed.inner_text()


@pytest.fixture(scope="module")
def other_park(system, admin):
    """A park of its own with a steam supplier and a receiver, so new entries leave the demo park as it is."""
    park_id = admin.post("parks", {**PARK, "name": "Ledger witness park"}).json()["id"]
    supplier = new_enterprise(system, admin, park_id, "Witness Steam Co")
    receiver = new_enterprise(system, admin, park_id, "Witness Dye Works")
    offer = supplier.api.post("offers", steam_offer())
    assert offer.status_code == 201, offer.text
    return supplier, receiver, offer.json()["id"]


def test_a_second_visit_checks_consistency_with_the_checkpoint_this_browser_saw_before(
    page, system, demo, admin, other_park, watch
):
    sign_in(page, system, demo["keys"]["park_manager"])
    page.goto(f"{system.url}/ledger/{ENTRY}")
    assert _verify(page) == "ok"
    seen = int(page.evaluate("() => JSON.parse(localStorage.getItem('parkloop.witness.parkloop.local/ledger')).size"))

    supplier, receiver, offer_id = other_park
    complete_steam_exchange(supplier, receiver, "500", offer_id=offer_id, receiver_enterprise_id=receiver.enterprise_id)
    eventually(
        lambda: int(admin.get("ledger/checkpoint").text.split("\n")[1]),
        lambda size: size > seen,
        "the ledger to record the new exchange",
    )

    page.goto(f"{system.url}/ledger/{ENTRY}")  # a later visit, in the same browser
    assert _verify(page) == "ok"
    consistency = _step(page, "consistency proof")
    assert consistency.get_attribute("class") == "ok"
    assert f"{seen}" in consistency.inner_text()
    assert f"{seen}" in page.inner_text("#verify-witness")  # "this browser last saw size N on <date>"
    watch.assert_clean()


def test_an_enterprise_sees_only_the_entries_of_its_own_exchanges(page, system, demo, admin):
    key = demo["keys"]["cement"]
    me = system.client(key).get("keys/me").json()["enterprise_id"]
    sign_in(page, system, key)
    page.goto(f"{system.url}/ledger")
    shown = _indexes(page)
    assert shown and page.locator("#enterprise_id").count() == 0
    every = admin.get("ledger/entries", params={"page_size": 200}).json()["items"]
    own = [
        e["index"]
        for e in every
        if me
        in (e["entry"]["exchange"]["supplier"]["enterprise_id"], e["entry"]["exchange"]["receiver"]["enterprise_id"])
    ]
    assert shown == own and len(own) < len(every)
    other = next(e["index"] for e in every if e["index"] not in own)
    assert page.goto(f"{system.url}/ledger/{other}").status == 404
