"""The ledger service on a real SQLite file: completed exchanges become RFC 8785 entries on an
RFC 9162 log exactly once, proofs verify against the signed checkpoint, tampering with the rows
is named at the first bad entry, corrections reverse without editing, and the annual report adds
up by hand. Everything goes through `LedgerContext` as the worker and the API use it."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
import sqlalchemy as sa
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
    material_delivery,
    park_created,
    proof_hashes,
    record_six_water_exchanges,
    set_leaf_data,
    water_delivery,
)

from services.common.bus.sqlite_log import SqliteEventLog
from services.common.errors import Conflict
from services.common.events import EXCHANGES_TOPIC
from services.common.identity import Principal, Role
from services.ledger.adapters.tables import entries, rejected_events
from services.ledger.domain import merkle
from services.ledger.domain.canonical import is_canonical
from services.ledger.domain.entries import read_entry
from services.ledger.service_layer import queries, recording, reports

ADMIN = Principal(Role.ADMIN, "admin-key")


def rows(ctx) -> list[tuple[int, bytes]]:
    with ctx.store.engine.connect() as conn:
        return [
            (r.idx, bytes(r.leaf_data))
            for r in conn.execute(sa.select(entries.c.idx, entries.c.leaf_data).order_by(entries.c.idx))
        ]


@pytest.fixture
def ctx(tmp_path, monkeypatch):
    with fresh_ledger(monkeypatch, tmp_path, f"sqlite:///{tmp_path / 'ledger.db'}") as context:
        yield context


@pytest.fixture
def six(ctx):
    record_six_water_exchanges(ctx)
    return ctx


# --- consuming events exactly once -------------------------------------------------------------


def test_the_same_exchange_completed_event_applied_three_times_makes_one_entry(ctx):
    event = completed(exchange())
    added = [recording.apply_event(ctx, event) for _ in range(3)]
    assert added == [True, False, False]
    assert ctx.store.size() == 1
    assert [index for index, _ in rows(ctx)] == [0]


def test_two_completed_exchanges_become_entries_0_and_1_in_the_order_they_arrive(ctx):
    first, second = exchange("heat"), exchange("water")
    feed(ctx, completed(first), completed(second))
    stored = rows(ctx)
    assert [index for index, _ in stored] == [0, 1]
    assert [read_entry(data)["index"] for _, data in stored] == [0, 1]
    assert [read_entry(data)["exchange"]["exchange_id"] for _, data in stored] == [
        first["exchange_id"],
        second["exchange_id"],
    ]


def test_a_batch_keeps_one_entry_per_exchange_and_sets_aside_an_event_that_breaks_the_contract(ctx):
    first, second, third = completed(exchange("heat")), completed(exchange("water")), completed(exchange("heat"))
    broken = completed({**exchange("water"), "deliveries": "not a list"})
    batch = [first, second, first, broken, third]

    assert recording.record_batch(ctx, batch) == 3
    assert recording.record_batch(ctx, batch) == 0  # the whole batch redelivered adds nothing
    assert [read_entry(data)["event_id"] for _, data in rows(ctx)] == [first.id, second.id, third.id]
    assert checkpoint(ctx).size == 3
    with ctx.store.engine.connect() as conn:
        [(event_id, reason)] = conn.execute(sa.select(rejected_events.c.event_id, rejected_events.c.reason)).all()
    assert event_id == broken.id and reason


def test_a_batch_that_fails_midway_commits_none_of_it_and_its_redelivery_commits_all(ctx):
    batch = [completed(exchange("water")) for _ in range(5)]
    contribute, calls = ctx.contribute, []

    def database_gone_on_the_third(payload):
        calls.append(payload)
        if len(calls) == 3:
            raise OSError("disk I/O error")
        return contribute(payload)

    ctx.contribute = database_gone_on_the_third
    with pytest.raises(OSError):
        recording.record_batch(ctx, batch)
    assert ctx.store.size() == 0 and rows(ctx) == []

    ctx.contribute = contribute
    assert recording.record_batch(ctx, batch) == 5
    assert [read_entry(data)["event_id"] for _, data in rows(ctx)] == [event.id for event in batch]


def test_park_events_add_no_entries(ctx):
    feed(ctx, park_created(PARK_A), baseline_set(PARK_A))
    assert ctx.store.size() == 0


# --- evidence: canonical leaves, inclusion and consistency proofs ------------------------------


def test_every_entry_is_rfc8785_canonical_and_hashes_to_its_recorded_leaf_hash(ctx):
    feed(ctx, completed(exchange("heat")), completed(exchange("water")), completed(exchange("material")))
    for stored in ctx.store.all_entries():
        assert is_canonical(stored.leaf_data)
        assert merkle.leaf_hash(stored.leaf_data) == stored.leaf_hash
        entry = read_entry(stored.leaf_data)
        assert entry["index"] == stored.index and entry["type"] == "ExchangeCompleted"
        assert entry["contribution"]["exchange_id"] == entry["exchange"]["exchange_id"]


def test_the_entry_records_the_exchange_as_completed_and_the_coefficient_versions_it_used(ctx):
    payload = exchange("heat")
    feed(ctx, completed(payload))
    entry = read_entry(ctx.store.entry(0).leaf_data)
    assert entry["exchange"] == payload
    [delivery] = entry["contribution"]["deliveries"]
    energy = next(i for i in delivery["indicators"] if i["name"] == "energy_saved_tce")
    assert [(c["id"], c["version"]) for c in energy["coefficients"]] == [("gbt2589.kgce_lhv", 1)]


def test_every_inclusion_proof_verifies_against_the_root_in_the_signed_checkpoint(six):
    cp = checkpoint(six)
    assert cp.size == 6 and cp.origin == six.origin
    for stored in six.store.all_entries():
        proof = queries.inclusion(six, ADMIN, stored.index, None)
        assert proof["tree_size"] == 6
        assert merkle.verify_inclusion(
            stored.index, cp.size, merkle.leaf_hash(stored.leaf_data), proof_hashes(proof), cp.root
        )


def test_an_inclusion_proof_for_an_older_checkpoint_still_verifies_after_the_ledger_grew(six):
    old = checkpoint(six)
    feed(six, completed(exchange()), completed(exchange()))
    assert checkpoint(six).size == 8
    proof = queries.inclusion(six, ADMIN, 3, old.size)
    assert merkle.verify_inclusion(3, old.size, six.store.entry(3).leaf_hash, proof_hashes(proof), old.root)


def test_a_proof_does_not_verify_for_altered_leaf_bytes(six):
    cp = checkpoint(six)
    proof = proof_hashes(queries.inclusion(six, ADMIN, 2, None))
    altered = six.store.entry(2).leaf_data.replace(b'"500"', b'"5000"')
    assert altered != six.store.entry(2).leaf_data
    assert not merkle.verify_inclusion(2, cp.size, merkle.leaf_hash(altered), proof, cp.root)


def test_consistency_proofs_between_every_pair_of_signed_sizes_verify(ctx):
    signed = {}
    for _ in range(7):
        feed(ctx, completed(exchange()))
        cp = checkpoint(ctx)
        signed[cp.size] = cp.root
    assert sorted(signed) == [1, 2, 3, 4, 5, 6, 7]
    for old in signed:
        for new in signed:
            if old <= new:
                proof = proof_hashes(queries.consistency(ctx, old, new))
                assert merkle.verify_consistency(old, new, signed[old], signed[new], proof), (old, new)


def test_a_consistency_proof_does_not_verify_against_a_rewritten_history(ctx):
    feed(ctx, *[completed(exchange()) for _ in range(3)])
    old = checkpoint(ctx)
    feed(ctx, *[completed(exchange()) for _ in range(3)])
    new = checkpoint(ctx)
    proof = proof_hashes(queries.consistency(ctx, 3, 6))
    forged_old_root = merkle.root_hash([merkle.leaf_hash(b"forged")] * 3)
    assert merkle.verify_consistency(3, 6, old.root, new.root, proof)
    assert not merkle.verify_consistency(3, 6, forged_old_root, new.root, proof)


# --- tampering with the stored rows is named at the first bad entry ----------------------------


def test_an_untouched_ledger_verifies(six):
    result = queries.verify_store(six, ADMIN)
    assert result["ok"] is True and result["first_bad_index"] is None and result["size"] == 6


def test_editing_an_entrys_leaf_data_is_named_at_that_entry(six):
    set_leaf_data(six, 2, six.store.entry(2).leaf_data.replace(b'"500"', b'"5000"'))
    set_leaf_data(six, 4, six.store.entry(4).leaf_data.replace(b'"500"', b'"50"'))
    result = queries.verify_store(six, ADMIN)
    assert (result["ok"], result["first_bad_index"], result["kind"]) == (False, 2, "edited")


def delete_row(ctx, index: int) -> None:
    with ctx.store.engine.begin() as conn:
        conn.execute(entries.delete().where(entries.c.idx == index))


def test_deleting_an_entry_row_makes_the_ledger_fail_verification(six):
    delete_row(six, 3)
    result = queries.verify_store(six, ADMIN)
    assert result["ok"] is False and result["size"] == 6


def test_deleting_an_entry_row_is_named_at_that_entry(six):
    delete_row(six, 3)
    result = queries.verify_store(six, ADMIN)
    assert (result["ok"], result["first_bad_index"]) == (False, 3)


def test_swapping_two_entries_leaf_data_is_named_at_the_first_of_them(six):
    second, fifth = six.store.entry(1).leaf_data, six.store.entry(4).leaf_data
    set_leaf_data(six, 1, fifth)
    set_leaf_data(six, 4, second)
    result = queries.verify_store(six, ADMIN)
    assert (result["ok"], result["first_bad_index"], result["kind"]) == (False, 1, "reordered")


def test_tampering_with_the_last_entry_is_named_at_the_last_entry(six):
    set_leaf_data(six, 5, six.store.entry(5).leaf_data + b" ")
    result = queries.verify_store(six, ADMIN)
    assert (result["ok"], result["first_bad_index"]) == (False, 5)


def test_an_edit_is_still_named_after_the_ledger_has_grown_and_signed_again(six):
    set_leaf_data(six, 2, six.store.entry(2).leaf_data.replace(b'"500"', b'"5000"'))
    feed(six, completed(exchange()))
    result = queries.verify_store(six, ADMIN)
    assert (result["ok"], result["first_bad_index"], result["size"]) == (False, 2, 7)


def test_a_deleted_entry_still_fails_verification_after_the_ledger_has_grown(six):
    delete_row(six, 3)
    recording.apply_event(six, completed(exchange()))
    result = queries.verify_store(six, ADMIN)
    assert result["ok"] is False


def test_a_forged_entry_and_recorded_hash_are_not_laundered_into_the_next_checkpoint(six):
    forged = six.store.entry(2).leaf_data.replace(b'"500"', b'"5000"')
    with six.store.engine.begin() as conn:
        conn.execute(
            entries.update().where(entries.c.idx == 2).values(leaf_data=forged, leaf_hash=merkle.leaf_hash(forged))
        )
    assert queries.verify_store(six, ADMIN)["ok"] is False  # caught while the old checkpoint is the latest
    feed(six, completed(exchange()))  # the worker appends and signs the next checkpoint
    assert queries.verify_store(six, ADMIN)["ok"] is False


def test_a_rewrite_with_its_recorded_hash_is_named_by_the_checkpoints_signed_before_it(ctx):
    for _ in range(5):
        feed(ctx, completed(exchange("water")))  # a checkpoint after each: sizes 1..5
    forged = ctx.store.entry(2).leaf_data.replace(b'"500"', b'"5000"')
    with ctx.store.engine.begin() as conn:
        conn.execute(
            entries.update().where(entries.c.idx == 2).values(leaf_data=forged, leaf_hash=merkle.leaf_hash(forged))
        )
    result = queries.verify_store(ctx, ADMIN)
    assert (result["ok"], result["first_bad_index"], result["kind"]) == (False, 2, "forged")
    assert "entry 2 was rewritten" in result["reason"] and "signed at size 2" in result["reason"]


def test_only_an_admin_may_verify_or_export_the_whole_ledger(six):
    manager = Principal(Role.PARK_MANAGER, "manager-key", park_id=PARK_A)
    enterprise = Principal(Role.ENTERPRISE, "ent-key", park_id=PARK_A, enterprise_id="dye-works")
    for caller in (manager, enterprise):
        with pytest.raises(Exception) as refused:
            queries.verify_store(six, caller)
        assert getattr(refused.value, "status", None) == 403
        with pytest.raises(Exception) as refused:
            queries.export(six, caller)
        assert getattr(refused.value, "status", None) == 403


# --- corrections: new entries that reverse, never edits ----------------------------------------


def test_a_correction_is_a_new_entry_and_the_original_bytes_stay_as_they_were(six):
    before = six.store.entry(2).leaf_data
    index = recording.correct(six, 2, "meter RW-02 was misread", str(uuid.uuid4()))
    assert index == 6 and six.store.size() == 7
    assert six.store.entry(2).leaf_data == before
    correction = read_entry(six.store.entry(6).leaf_data)
    assert correction["type"] == "Correction" and correction["corrects"] == 2
    assert correction["reason"] == "meter RW-02 was misread"
    assert correction["exchange"] == read_entry(before)["exchange"]
    assert is_canonical(six.store.entry(6).leaf_data)
    assert checkpoint(six).size == 7 and queries.verify_store(six, ADMIN)["ok"] is True


def test_the_annual_report_no_longer_counts_a_reversed_exchange(ctx):
    kept, reversed_ = exchange("water", [water_delivery("500")]), exchange("water", [water_delivery("300")])
    feed(ctx, park_created(PARK_A, baselines=[baseline()]), completed(kept), completed(reversed_))
    before = reports.park_report(ctx, ADMIN, PARK_A, YEAR)
    assert before["indicators"]["water_saved_m3"]["value"] == Decimal("800")

    recording.correct(ctx, 1, "delivered to the wrong meter", str(uuid.uuid4()))
    after = reports.park_report(ctx, ADMIN, PARK_A, YEAR)
    assert after["indicators"]["water_saved_m3"]["value"] == Decimal("500")
    assert after["entries"]["included"] == 1 and after["entries"]["indexes"] == [0]


def test_correcting_an_entry_twice_is_refused(six):
    recording.correct(six, 2, "first correction", str(uuid.uuid4()))
    with pytest.raises(Conflict, match="already been corrected"):
        recording.correct(six, 2, "second correction", str(uuid.uuid4()))
    assert six.store.size() == 7


def test_correcting_a_correction_is_refused(six):
    index = recording.correct(six, 2, "first correction", str(uuid.uuid4()))
    with pytest.raises(Conflict, match="Correction"):
        recording.correct(six, index, "undo the correction", str(uuid.uuid4()))
    assert six.store.size() == 7


# --- the report's baseline comes from park events -----------------------------------------------


def test_without_a_baseline_the_rates_say_unknown_and_never_zero(ctx):
    feed(ctx, park_created(PARK_A), completed(exchange("material")))
    report = reports.park_report(ctx, ADMIN, PARK_A, YEAR)
    for name, rate in report["rates"].items():
        assert rate["value"] is None, name
        assert rate["complete"] is False
        assert f"no park baseline for {YEAR}" in rate["unknown"]
    assert report["indicators"]["solid_waste_utilised_t"]["value"] == Decimal("2000")


def test_a_baseline_in_park_created_feeds_the_rates(ctx):
    feed(ctx, park_created(PARK_A, baselines=[baseline(waste=8000.0)]), completed(exchange("material")))
    rate = reports.park_report(ctx, ADMIN, PARK_A, YEAR)["rates"]["solid_waste_utilisation_rate_pct"]
    assert rate["value"] == Decimal("25")  # 2,000 t utilised / 8,000 t generated x 100


def test_a_baseline_set_later_replaces_the_one_for_that_year_only(ctx):
    feed(
        ctx,
        park_created(PARK_A, baselines=[baseline(year=YEAR - 1, gdp=10.0), baseline(gdp=100.0)]),
        baseline_set(PARK_A, gdp=40000.0, energy=10000.0),
    )
    rates = reports.park_report(ctx, ADMIN, PARK_A, YEAR)["rates"]
    assert rates["energy_per_gdp_tce_per_10k_cny"]["value"] == Decimal("0.25")  # 10,000 tce / 40,000 x 10k CNY
    older = reports.park_report(ctx, ADMIN, PARK_A, YEAR - 1)["rates"]
    assert older["energy_per_gdp_tce_per_10k_cny"]["value"] == Decimal("2000")  # 20,000 tce / 10 x 10k CNY


def test_a_report_for_a_park_the_ledger_never_heard_of_is_not_found(ctx):
    with pytest.raises(Exception) as missing:
        reports.park_report(ctx, ADMIN, "no-such-park", YEAR)
    assert getattr(missing.value, "status", None) == 404


# --- the annual report, by hand ------------------------------------------------------------------


def test_the_annual_report_adds_up_by_hand(ctx):
    steam = exchange("heat", [heat_delivery("1000", "natural_gas", "0.9")])
    water = exchange("water", [water_delivery("500")], supplier=("wwtp", PARK_A), receiver=("refinery", PARK_A))
    ash = exchange("material", [material_delivery("2000")], supplier=("power", PARK_A), receiver=("cement", PARK_B))
    elsewhere = exchange("water", [water_delivery("999")], supplier=("x", PARK_B), receiver=("y", PARK_B))
    last_year = exchange("water", [water_delivery("777")], completed_at=f"{YEAR - 1}-07-01T00:00:00+00:00")
    feed(
        ctx,
        park_created(PARK_A, baselines=[baseline(gdp=50000.0, energy=20000.0, water=1000000.0, waste=8000.0)]),
        park_created(PARK_B, name="Park B"),
        *[completed(p) for p in (steam, water, ash, elsewhere, last_year)],
    )

    report = reports.park_report(ctx, ADMIN, PARK_A, YEAR)
    ind, rates = report["indicators"], report["rates"]
    assert report["entries"]["included"] == 3 and report["entries"]["other_years"] == 1

    # Steam: 1,000 GJ / 0.9 = 1,111.111 GJ = 1,111,111.111 MJ of natural gas not burnt;
    # energy saved = 1,111,111.111 MJ x 1000 kJ/MJ / 29,307 kJ/kgce / 1000 kg/t = 37.9128 tce.
    assert round(ind["energy_saved_tce"]["value"], 4) == Decimal("37.9128")
    # CO2 = 1.111111 TJ x 56.1 t CO2/TJ (IPCC 2006 natural gas) = 62.333 t.
    assert round(ind["co2_reduced_t"]["value"], 3) == Decimal("62.333")
    # Reclaimed water replacing municipal water: 500 m3 saved and 500 m3 not discharged.
    assert ind["water_saved_m3"]["value"] == Decimal("500")
    assert ind["wastewater_avoided_m3"]["value"] == Decimal("500")
    # 2,000 t fly ash utilised (the receiver is in park B; the supplier's park counts it too).
    assert ind["solid_waste_utilised_t"]["value"] == Decimal("2000")
    assert ind["hazardous_waste_utilised_t"]["value"] == Decimal("0")
    # Rates from the baseline: 2,000 / 8,000 x 100 = 25 %; 20,000 tce / 50,000 = 0.4; 1,000,000 m3 / 50,000 = 20.
    assert rates["solid_waste_utilisation_rate_pct"]["value"] == Decimal("25")
    assert rates["energy_per_gdp_tce_per_10k_cny"]["value"] == Decimal("0.4")
    assert rates["water_per_gdp_m3_per_10k_cny"]["value"] == Decimal("20")
    # The fly ash's own energy and CO2 (replacing clinker) are not computed, and the report says so.
    assert ind["energy_saved_tce"]["complete"] is False
    assert [m["exchange_id"] for m in ind["energy_saved_tce"]["not_computed"]] == [ash["exchange_id"]]
    assert any("at least 37.9128 tce" in line for line in report["summary"]["en"])


def test_park_b_sees_the_shared_exchange_but_not_park_as_own(ctx):
    ash = exchange("material", [material_delivery("2000")], supplier=("power", PARK_A), receiver=("cement", PARK_B))
    water = exchange("water", [water_delivery("500")])
    feed(ctx, park_created(PARK_A), park_created(PARK_B, name="Park B"), completed(ash), completed(water))
    report = reports.park_report(ctx, ADMIN, PARK_B, YEAR)
    assert report["entries"]["indexes"] == [0]
    assert report["indicators"]["water_saved_m3"]["value"] == Decimal("0")


# --- the worker ------------------------------------------------------------------------------------


def test_a_malformed_exchange_completed_event_does_not_block_the_events_behind_it(ctx, tmp_path):
    from services.ledger import worker

    bus = SqliteEventLog(tmp_path / "events.db")
    bad = exchange("water", [{**water_delivery(), "unit": "kg"}])
    good = exchange("water")
    bus.publish(EXCHANGES_TOPIC, completed(bad))
    bus.publish(EXCHANGES_TOPIC, completed(good))
    polls = iter(range(5))
    try:
        for _ in range(3):  # main() calls follow again after a failure
            try:
                worker.follow(ctx, bus, lambda: next(polls, None) is None)
            except Exception:
                continue
    finally:
        bus.close()
    recorded = [read_entry(e.leaf_data)["exchange"]["exchange_id"] for e in ctx.store.all_entries()]
    assert good["exchange_id"] in recorded


def test_the_worker_records_each_event_once_and_signs_a_checkpoint(ctx, tmp_path):
    from services.ledger import worker

    bus = SqliteEventLog(tmp_path / "events.db")
    events = [completed(exchange()) for _ in range(4)]
    for event in events + events[:2]:  # at-least-once: two of them arrive twice
        bus.publish(EXCHANGES_TOPIC, event)
    polls = iter(range(4))
    try:
        worker.follow(ctx, bus, lambda: next(polls, None) is None)
    finally:
        bus.close()
    assert ctx.store.size() == 4
    assert checkpoint(ctx).size == 4
