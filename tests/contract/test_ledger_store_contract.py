"""The ledger behaves the same on SQLite and on PostgreSQL.

One body per test, run on each database adapter (`sqlite`, `postgres`), through the service's
own bootstrap (`bootstrap(Settings(... database_url ...))`, its migrations included) and the
calls the worker and the API make: ExchangeCompleted events (as services/common/contracts.py
writes them down) become entries once each, with dense indexes also under two concurrent
writers; leaf bytes come back byte for byte (LargeBinary: BLOB / bytea); checkpoints are signed
and verify, proofs verify against them; `verify_store` passes on an untouched store and names
a tampered row; the park report adds up."""

from __future__ import annotations

import base64
import hashlib
import threading
import uuid
from datetime import UTC, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from helpers.ledger import (
    PARK_A,
    PARK_B,
    YEAR,
    baseline,
    baseline_set,
    checkpoint,
    completed,
    exchange,
    feed,
    fresh_ledger,
    heat_delivery,
    ledger_settings,
    material_delivery,
    park_created,
    proof_hashes,
    record_six_water_exchanges,
    set_leaf_data,
    water_delivery,
)

from services.common.errors import Conflict
from services.common.identity import Principal, Role
from services.ledger.adapters.store import EntryScope, TreeReader
from services.ledger.adapters.tables import checkpoints, entries, processed_events
from services.ledger.bootstrap import MIGRATIONS as LEDGER_MIGRATIONS
from services.ledger.bootstrap import bootstrap
from services.ledger.domain import merkle
from services.ledger.domain.canonical import is_canonical
from services.ledger.domain.checkpoint import open_checkpoint
from services.ledger.domain.entries import exchange_entry, read_entry
from services.ledger.service_layer import queries, recording, reports

ADMIN = Principal(Role.ADMIN, "admin-key")
RECORDED_AT = datetime(2026, 7, 1, 1, 2, 3, 456789, tzinfo=UTC)


def stored_rows(ctx) -> list[tuple]:
    with ctx.store.engine.connect() as conn:
        return [
            tuple(r)
            for r in conn.execute(
                sa.select(
                    entries.c.idx, entries.c.event_id, entries.c.exchange_id, entries.c.year, entries.c.leaf_data
                ).order_by(entries.c.idx)
            )
        ]


@pytest.fixture
def ctx(database_url, tmp_path, monkeypatch):
    with fresh_ledger(monkeypatch, tmp_path, database_url) as context:
        context.now = lambda: RECORDED_AT
        yield context


@pytest.fixture
def six(ctx):
    record_six_water_exchanges(ctx)
    return ctx


# --- events become entries, once each, densely indexed ---------------------------------------------


def test_exchange_completed_events_become_one_entry_each_in_arrival_order_redeliveries_ignored(ctx):
    payloads = [exchange("heat"), exchange("water"), exchange("material")]
    events = [completed(p) for p in payloads]
    park = park_created(PARK_A)
    assert feed(ctx, park, events[0], events[1], events[0], events[2], events[1]) == [
        False,
        True,
        True,
        False,
        True,
        False,
    ]
    rows = stored_rows(ctx)
    assert [(idx, event_id, exchange_id, year) for idx, event_id, exchange_id, year, _ in rows] == [
        (i, e.id, p["exchange_id"], YEAR) for i, (e, p) in enumerate(zip(events, payloads, strict=True))
    ]
    assert ctx.store.size() == 3
    with ctx.store.engine.connect() as conn:  # an exchange's entry is its mark: one row for it, not two
        assert set(conn.scalars(sa.select(processed_events.c.event_id))) == {park.id}
    assert feed(ctx, park, *events) == [False] * 4  # all recognised as processed when delivered again
    assert ctx.store.size() == 3


def test_a_batch_is_written_at_once_duplicates_within_it_and_redelivered_ones_add_nothing(ctx):
    events = [completed(exchange("water")) for _ in range(4)]
    assert recording.record_batch(ctx, [park_created(PARK_A), events[0], events[1], events[0], events[2]]) == 3
    assert recording.record_batch(ctx, [events[2], events[3], events[1], events[3]]) == 1
    assert [r[1] for r in stored_rows(ctx)] == [e.id for e in events] and ctx.store.size() == 4
    assert checkpoint(ctx).size == 4 and queries.verify_store(ctx, ADMIN)["ok"] is True
    size, signed_at = ctx.store.last_checkpoint_signed()
    assert size == 4 and abs((datetime.now(UTC) - signed_at).total_seconds()) < 600


def test_a_batch_that_fails_half_way_leaves_no_entry_and_no_processed_id(ctx, monkeypatch):
    events = [completed(exchange("water")) for _ in range(3)]
    calls = []

    def contribute_then_fail(exchange_payload):
        calls.append(exchange_payload)
        if len(calls) == 3:
            raise RuntimeError("the database went away")
        return contribute(exchange_payload)

    contribute = ctx.contribute
    monkeypatch.setattr(ctx, "contribute", contribute_then_fail)
    with pytest.raises(RuntimeError):
        recording.apply_events(ctx, events)
    assert ctx.store.size() == 0 and stored_rows(ctx) == []
    monkeypatch.setattr(ctx, "contribute", contribute)
    assert recording.record_batch(ctx, events) == 3  # redelivered, all of it applies


def test_leaf_bytes_come_back_byte_for_byte_and_hash_to_the_recorded_leaf_hash(ctx):
    payload = exchange("heat", [heat_delivery("1000.000001"), heat_delivery("0.5", "coal", None)])
    event = completed(payload)
    feed(ctx, event)
    expected = exchange_entry(0, event.id, RECORDED_AT.isoformat(), payload, ctx.contribute(payload))
    stored = ctx.store.entry(0)
    assert type(stored.leaf_data) is bytes and stored.leaf_data == expected
    assert "蒸汽表".encode() in stored.leaf_data and is_canonical(stored.leaf_data)
    assert stored.leaf_hash == merkle.leaf_hash(expected) and len(stored.leaf_hash) == 32
    assert read_entry(stored.leaf_data)["exchange"] == payload
    assert list(ctx.store.all_entries()) == [stored] and ctx.store.recorded_leaf_hashes() == [stored.leaf_hash]


def test_the_blob_columns_keep_every_byte_value(ctx):
    """Below the service: whatever bytes are appended (NUL, 0x80-0xFF, invalid UTF-8) read back identical."""
    every_byte = bytes(range(256)) * 3 + b"\x00\xff\x00"
    with ctx.store.transaction() as tx:
        index = tx.next_index()
        tx.append(
            index,
            str(uuid.uuid4()),
            every_byte,
            {
                "exchange_id": "x",
                "kind": "heat",
                "supplier_park_id": PARK_A,
                "receiver_park_id": PARK_A,
                "supplier_id": "s",
                "receiver_id": "r",
                "year": YEAR,
            },
        )
    stored = ctx.store.entry(index)
    assert stored.leaf_data == every_byte and stored.leaf_hash == merkle.leaf_hash(every_byte)
    with ctx.store.engine.connect() as conn:
        assert bytes(conn.scalar(sa.select(entries.c.leaf_data).where(entries.c.idx == index))) == every_byte


def test_two_admins_correcting_the_same_entry_at_once_make_one_correction(ctx):
    feed(ctx, completed(exchange("water")))
    start, outcomes = threading.Barrier(2), []

    def correct():
        start.wait(10)
        try:
            outcomes.append(recording.correct(ctx, 0, "meter misread", str(uuid.uuid4())))
        except Conflict as exc:
            outcomes.append(exc)

    threads = [threading.Thread(target=correct) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(type(o).__name__ for o in outcomes) == ["Conflict", "int"], outcomes
    assert ctx.store.size() == 2 and checkpoint(ctx).size == 2


def test_two_concurrent_writers_leave_dense_indexes_and_one_entry_per_exchange(ctx):
    batches = [[completed(exchange("water")) for _ in range(15)] for _ in range(2)]
    start, errors = threading.Barrier(2), []

    def write(batch):
        try:
            start.wait(10)
            for event in batch:
                recording.apply_event(ctx, event)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(b,)) for b in batches]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert errors == []
    rows = stored_rows(ctx)
    assert [r[0] for r in rows] == list(range(30)) and ctx.store.size() == 30
    assert sorted(r[1] for r in rows) == sorted(e.id for b in batches for e in b)
    assert all(read_entry(r[4])["index"] == r[0] for r in rows)  # each leaf names the index it got
    assert recording.sign_latest(ctx) and queries.verify_store(ctx, ADMIN)["ok"] is True


def test_entries_are_found_by_park_enterprise_year_and_kind_and_filed_under_chinas_calendar_year(ctx):
    new_year = exchange("water", completed_at=f"{YEAR}-12-31T17:00:00+00:00")  # 01:00 on 1 January in Beijing
    shared = exchange("material", supplier=("power", PARK_A), receiver=("cement", PARK_B))
    feed(ctx, completed(exchange("heat")), completed(new_year), completed(shared))
    assert stored_rows(ctx)[1][3] == YEAR + 1

    def found(**scope):
        found_entries, total = ctx.store.find(EntryScope(**scope), 0, 100)
        assert total == len(found_entries)
        return [e.index for e in found_entries]

    assert found() == [0, 1, 2]
    assert found(park_id=PARK_B) == [2] and found(park_id=PARK_A) == [0, 1, 2]
    assert found(enterprise_id="cement") == [2] and found(enterprise_id="dye-works") == [0, 1]
    assert found(year=YEAR) == [0, 2] and found(year=YEAR + 1) == [1]
    assert found(kind="material") == [2] and found(park_id=PARK_A, year=YEAR, kind="heat") == [0]
    assert found(nothing=True) == []
    page, total = ctx.store.find(EntryScope(park_id=PARK_A), 1, 1)
    assert [e.index for e in page] == [1] and total == 3


def test_entries_are_found_by_waste_code_and_entries_recorded_before_the_column_get_theirs(ctx):
    fly_ash, slag = exchange("material", waste_code="441-001-S02"), exchange("material", waste_code="900-249-08")
    feed(ctx, completed(fly_ash), completed(exchange("heat")), completed(slag))

    def found(code):
        found_entries, total = ctx.store.find(EntryScope(code=code), 0, 100)
        assert total == len(found_entries)
        return [e.index for e in found_entries]

    assert found("441-001-S02") == [0] and found("900-249-08") == [2] and found("441-001-S99") == []
    # Back to the schema before the column, and up again: migration 0003 fills it from each entry's own leaf.
    ctx.store.engine.dispose()
    config = Config()
    config.set_main_option("script_location", str(LEDGER_MIGRATIONS))
    config.set_main_option(
        "sqlalchemy.url", str(ctx.store.engine.url.render_as_string(hide_password=False)).replace("%", "%%")
    )
    command.downgrade(config, "0002")
    command.upgrade(config, "head")
    with ctx.store.engine.connect() as conn:
        codes = conn.execute(sa.select(entries.c.idx, entries.c.waste_code).order_by(entries.c.idx)).all()
    assert [tuple(c) for c in codes] == [(0, "441-001-S02"), (1, None), (2, "900-249-08")]
    assert found("900-249-08") == [2]


# --- checkpoints and proofs -------------------------------------------------------------------------


def test_checkpoints_are_signed_per_size_and_every_proof_verifies_against_them(ctx):
    signed = {}
    for _ in range(5):
        feed(ctx, completed(exchange("water")))
        cp = checkpoint(ctx)
        signed[cp.size] = cp.root
    assert sorted(signed) == [1, 2, 3, 4, 5] and recording.sign_latest(ctx) is False  # one per size
    history = list(ctx.store.checkpoint_history())
    assert history == sorted(signed.items()) and all(type(root) is bytes for _, root in history)
    with ctx.store.engine.connect() as conn:
        notes = list(conn.scalars(sa.select(checkpoints.c.signed_note).order_by(checkpoints.c.size)))
    assert [open_checkpoint(n, ctx.signing_key.verifier_text()).size for n in notes] == [1, 2, 3, 4, 5]
    assert ctx.store.latest_checkpoint() == (5, notes[-1])
    for stored in ctx.store.all_entries():
        for size in range(stored.index + 1, 6):
            proof = proof_hashes(queries.inclusion(ctx, ADMIN, stored.index, size))
            assert merkle.verify_inclusion(stored.index, size, merkle.leaf_hash(stored.leaf_data), proof, signed[size])
    for old in signed:
        for new in signed:
            if old <= new:
                proof = proof_hashes(queries.consistency(ctx, old, new))
                assert merkle.verify_consistency(old, new, signed[old], signed[new], proof), (old, new)


def test_the_signing_key_persists_and_a_restarted_service_still_verifies_its_checkpoints(six, database_url, tmp_path):
    before = checkpoint(six)
    again = bootstrap(ledger_settings(tmp_path, database_url))
    try:
        assert again.signing_key.verifier_text() == six.signing_key.verifier_text()
        assert checkpoint(again) == before and queries.verify_store(again, ADMIN)["ok"] is True
    finally:
        again.store.engine.dispose()


def test_signing_extends_the_frontier_and_a_restarted_service_reads_the_stored_hashes_once(
    ctx, database_url, tmp_path, monkeypatch
):
    for batch in (1, 2, 5, 1, 9):  # sizes 1, 3, 8, 9, 18
        feed(ctx, *[completed(exchange("water")) for _ in range(batch)])
        assert checkpoint(ctx).root == merkle.root_hash(ctx.store.recorded_leaf_hashes())
    reads: list[tuple[int, int | None]] = []
    again = bootstrap(ledger_settings(tmp_path, database_url))
    try:
        read = again.store.recorded_leaf_hashes

        def counted(start=0, stop=None):
            reads.append((start, stop))
            return read(start, stop)

        monkeypatch.setattr(again.store, "recorded_leaf_hashes", counted)
        for size in range(19, 26):
            feed(again, completed(exchange("heat")))
            assert checkpoint(again).size == size
            assert checkpoint(again).root == merkle.root_hash(read())
        assert reads == [(0, 19)] + [(size, size + 1) for size in range(19, 25)]  # all once, then only the new one
        history = list(again.store.checkpoint_history())
        assert [size for size, _ in history] == [1, 3, 8, 9, 18, *range(19, 26)]
        assert queries.verify_store(again, ADMIN)["ok"] is True
    finally:
        again.store.engine.dispose()


def test_signing_refuses_a_store_that_no_longer_matches_the_last_checkpoint(six, database_url, tmp_path):
    forged = b'{"forged":true}'
    with six.store.engine.begin() as conn:  # a rewrite that also records the new leaf's hash
        rewrite = entries.update().where(entries.c.idx == 2)
        conn.execute(rewrite.values(leaf_data=forged, leaf_hash=merkle.leaf_hash(forged)))
    feed(six, completed(exchange("water")))  # the running service's frontier kept the hashes it signed
    assert checkpoint(six).size == 7 and queries.verify_store(six, ADMIN)["ok"] is False
    again = bootstrap(ledger_settings(tmp_path, database_url))
    try:
        feed(again, completed(exchange("water")))  # a restarted one rebuilds from the stored (forged) hashes
        assert again.store.last_signed_root()[0] == 7 and recording.sign_latest(again) is False
    finally:
        again.store.engine.dispose()


# --- audits ----------------------------------------------------------------------------------------


def test_an_untouched_store_verifies_and_its_export_is_complete(six):
    result = queries.verify_store(six, ADMIN)
    assert (result["ok"], result["first_bad_index"], result["size"]) == (True, None, 6)
    exported = queries.export(six, ADMIN)
    assert len(list(exported["entries"])) == len(list(exported["leaf_hashes"])) == 6
    assert list(exported["checkpoints"])[-1] == exported["checkpoint"]


def test_an_export_holds_the_entries_there_were_when_it_began(six):
    exported = queries.export(six, ADMIN)
    feed(six, completed(exchange("water")))  # appended while the export is being written out
    entries_, hashes = list(exported["entries"]), list(exported["leaf_hashes"])
    assert len(entries_) == len(hashes) == 6 == open_checkpoint(exported["checkpoint"], exported["public_key"]).size
    assert [merkle.leaf_hash(base64.b64decode(e)) for e in entries_] == [base64.b64decode(h) for h in hashes]
    assert open_checkpoint(exported["checkpoint"], exported["public_key"]).size == 6


def test_an_edited_row_is_named(six):
    set_leaf_data(six, 2, six.store.entry(2).leaf_data.replace(b'"500"', b'"5000"'))
    result = queries.verify_store(six, ADMIN)
    assert (result["ok"], result["first_bad_index"], result["kind"]) == (False, 2, "edited")


def test_a_swap_a_deletion_and_a_forged_hash_are_each_named(six):
    second, fifth = six.store.entry(1).leaf_data, six.store.entry(4).leaf_data
    set_leaf_data(six, 1, fifth)
    set_leaf_data(six, 4, second)
    result = queries.verify_store(six, ADMIN)
    assert (result["ok"], result["first_bad_index"], result["kind"]) == (False, 1, "reordered")
    set_leaf_data(six, 1, second)
    set_leaf_data(six, 4, fifth)
    assert queries.verify_store(six, ADMIN)["ok"] is True

    appended = six.store.recorded_leaf_hashes()
    forged = six.store.entry(3).leaf_data.replace(b'"500"', b'"5000"')
    with six.store.engine.begin() as conn:
        conn.execute(
            entries.update().where(entries.c.idx == 3).values(leaf_data=forged, leaf_hash=merkle.leaf_hash(forged))
        )
    assert queries.verify_store(six, ADMIN)["ok"] is False
    feed(six, completed(exchange("water")))  # the forgery is not laundered into the next checkpoint: it is signed
    signed = checkpoint(six)  # from the frontier, which keeps the hashes as they were appended
    assert signed.size == 7 and signed.root == merkle.root_hash(appended + six.store.recorded_leaf_hashes(start=6))
    assert signed.root != merkle.root_hash(six.store.recorded_leaf_hashes())
    assert queries.verify_store(six, ADMIN)["ok"] is False

    with six.store.engine.begin() as conn:
        conn.execute(entries.delete().where(entries.c.idx == 3))
    result = queries.verify_store(six, ADMIN)
    assert (result["ok"], result["first_bad_index"], result["kind"]) == (False, 3, "deleted")


# --- the annual report -----------------------------------------------------------------------------


def test_the_park_report_adds_up_and_follows_baselines_and_corrections(ctx):
    steam = exchange("heat", [heat_delivery("1000", "natural_gas", "0.9")])
    water = exchange("water", [water_delivery("500")], supplier=("wwtp", PARK_A), receiver=("refinery", PARK_A))
    ash = exchange("material", [material_delivery("2000")], supplier=("power", PARK_A), receiver=("cement", PARK_B))
    elsewhere = exchange("water", [water_delivery("999")], supplier=("x", PARK_B), receiver=("y", PARK_B))
    feed(
        ctx,
        park_created(PARK_A, baselines=[baseline(gdp=10.0)]),
        park_created(PARK_B, name="Park B"),
        baseline_set(PARK_A, gdp=50000.0),
        *[completed(p) for p in (steam, water, ash, elsewhere)],
    )

    report = reports.park_report(ctx, ADMIN, PARK_A, YEAR)
    ind, rates = report["indicators"], report["rates"]
    assert report["entries"]["included"] == 3 and report["entries"]["indexes"] == [0, 1, 2]
    assert round(ind["energy_saved_tce"]["value"], 4) == Decimal("37.9128")  # 1000 GJ / 0.9 / 29.307 GJ/tce
    assert round(ind["co2_reduced_t"]["value"], 3) == Decimal("62.333")  # 1.1111 TJ x 56.1 t/TJ
    assert ind["water_saved_m3"]["value"] == Decimal("500")
    assert ind["solid_waste_utilised_t"]["value"] == Decimal("2000")
    assert rates["solid_waste_utilisation_rate_pct"]["value"] == Decimal("25")
    assert rates["energy_per_gdp_tce_per_10k_cny"]["value"] == Decimal("0.4")  # the later baseline won
    assert reports.park_report(ctx, ADMIN, PARK_B, YEAR)["entries"]["indexes"] == [2, 3]

    recording.correct(ctx, 1, "delivered to the wrong meter", str(uuid.uuid4()))
    after = reports.park_report(ctx, ADMIN, PARK_A, YEAR)
    assert after["indicators"]["water_saved_m3"]["value"] == Decimal("0")
    assert after["entries"]["indexes"] == [0, 2]
    assert checkpoint(ctx).size == 5 and queries.verify_store(ctx, ADMIN)["ok"] is True


# --- proofs from the stored tree, against an independent RFC 9162 implementation -------------------


def _mth(leaves: list[bytes]) -> bytes:
    """RFC 9162 §2.1.1 as written: MTH({}) = SHA-256(), MTH({d}) = SHA-256(0x00 || d), else split at k."""
    if not leaves:
        return hashlib.sha256().digest()
    if len(leaves) == 1:
        return hashlib.sha256(b"\x00" + leaves[0]).digest()
    k = 1 << ((len(leaves) - 1).bit_length() - 1)
    return hashlib.sha256(b"\x01" + _mth(leaves[:k]) + _mth(leaves[k:])).digest()


def _rfc_path(m: int, leaves: list[bytes]) -> list[bytes]:
    """§2.1.3.1 PATH(m, D[n])."""
    if len(leaves) == 1:
        return []
    k = 1 << ((len(leaves) - 1).bit_length() - 1)
    if m < k:
        return _rfc_path(m, leaves[:k]) + [_mth(leaves[k:])]
    return _rfc_path(m - k, leaves[k:]) + [_mth(leaves[:k])]


def _rfc_subproof(m: int, leaves: list[bytes], b: bool) -> list[bytes]:
    """§2.1.4.1 SUBPROOF(m, D[n], b)."""
    n = len(leaves)
    if m == n:
        return [] if b else [_mth(leaves)]
    k = 1 << ((n - 1).bit_length() - 1)
    if m <= k:
        return _rfc_subproof(m, leaves[:k], b) + [_mth(leaves[k:])]
    return _rfc_subproof(m - k, leaves[k:], False) + [_mth(leaves[:k])]


def _append_raw(ctx, leaves: list[bytes]) -> None:
    with ctx.store.transaction() as tx:
        for data in leaves:
            index = tx.next_index()
            facts = {"exchange_id": f"x-{index}", "kind": "water", "supplier_park_id": PARK_A}
            facts |= {"receiver_park_id": PARK_A, "supplier_id": "s", "receiver_id": "r", "waste_code": None}
            tx.append(index, f"e-{index}", data, {**facts, "year": YEAR})


def test_proofs_read_o_log_n_stored_rows_and_equal_an_independent_rfc9162_implementation(ctx, monkeypatch):
    leaves = [f"leaf {i}".encode() for i in range(5000)]
    for start in range(0, 5000, 500):  # as the worker does: a batch, then a checkpoint
        _append_raw(ctx, leaves[start : start + 500])
        recording.sign_latest(ctx)
    _append_raw(ctx, leaves[5000:] + [b"unsigned 1", b"unsigned 2", b"unsigned 3"])  # not signed yet
    leaves += [b"unsigned 1", b"unsigned 2", b"unsigned 3"]
    rows_read: list[int] = []
    stored = TreeReader._stored

    def counted(reader, height, start, stop):
        found = stored(reader, height, start, stop)
        rows_read.append(len(found))
        return found

    monkeypatch.setattr(TreeReader, "_stored", counted)
    for index, size in [(0, 1), (0, 5000), (4999, 5000), (1234, 3001), (2047, 2048), (17, 5003), (5002, 5003)]:
        rows_read.clear()
        proof = proof_hashes(queries.inclusion(ctx, ADMIN, index, size))
        assert proof == _rfc_path(index, leaves[:size]), (index, size)
        assert merkle.verify_inclusion(index, size, merkle.leaf_hash(leaves[index]), proof, _mth(leaves[:size]))
        assert sum(rows_read) <= 16 * (2 * size.bit_length() + 1), (index, size, sum(rows_read))
    for old, new in [(1, 5000), (500, 5000), (1023, 1024), (1500, 4500), (4999, 5003), (3, 3)]:
        rows_read.clear()
        proof = proof_hashes(queries.consistency(ctx, old, new))
        assert proof == _rfc_subproof(old, leaves[:new], True), (old, new)
        assert sum(rows_read) <= 16 * (2 * new.bit_length() + 1), (old, new, sum(rows_read))
