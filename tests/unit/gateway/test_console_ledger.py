"""The ledger pages' plain-Python helpers: filters, checkpoint fields, amounts, indicator totals, CSV pages."""

from __future__ import annotations

from decimal import Decimal

import pytest
from flask import Flask
from flask_babel import Babel

from gateway.console.formatting import china_date
from gateway.console.views.ledger import (
    api_filters,
    brief,
    contribution_totals,
    delivered,
    download_name,
    entry_row,
    merge_csv,
    page_number,
    read_checkpoint,
    reason_text,
)

CHECKPOINT = (
    "parkloop.local/ledger\n5\nqHIQNHy9J39/XHwLViJXkx+/mdg9uEyUH7FZyMjTz74=\n\n— parkloop.local/ledger uiKP4U=\n"
)
NO_FACTOR = "no verified factor for substituting clinker; not computed"


@pytest.fixture(autouse=True)
def request_context():
    """English (the msgids): the helpers' words go through Flask-Babel."""
    app = Flask(__name__)
    Babel(app, locale_selector=lambda: "en")
    with app.test_request_context():
        yield


def indicator(name, value, unit="t", unknown=None):
    return {"name": name, "value": value, "unit": unit, "unknown": unknown, "basis": "", "coefficients": []}


def material_entry(*deliveries_indicators, amounts=("620.4", "598.75")):
    return {
        "index": 0,
        "type": "ExchangeCompleted",
        "recorded_at": "2026-06-30T17:00:00+00:00",
        "exchange": {
            "kind": "material",
            "waste_code": "441-001-S02",
            "hazardous": False,
            "agreed_amount": "1500",
            "agreed_unit": "t",
            "supplier": {"enterprise_id": "s", "park_id": "p"},
            "receiver": {"enterprise_id": "r", "park_id": "p"},
            "deliveries": [{"id": f"d{i}", "amount": a, "unit": "t"} for i, a in enumerate(amounts)],
        },
        "contribution": {
            "deliveries": [
                {"delivery_id": f"d{i}", "indicators": list(found)} for i, found in enumerate(deliveries_indicators)
            ]
        },
    }


def test_the_checkpoint_is_read_for_its_origin_size_and_root():
    assert read_checkpoint(CHECKPOINT) == {
        "origin": "parkloop.local/ledger",
        "size": 5,
        "root": "qHIQNHy9J39/XHwLViJXkx+/mdg9uEyUH7FZyMjTz74=",
        "text": CHECKPOINT,
    }
    assert read_checkpoint(None) is None and read_checkpoint("not a checkpoint") is None


def test_dates_are_chinas_calendar_dates():
    assert china_date("2026-06-30T17:00:00+00:00") == "2026-07-01"
    assert china_date("2026-06-30T15:59:59+00:00") == "2026-06-30"
    assert china_date(None) == ""


def test_deliveries_add_up_per_unit_exactly():
    exchange = {
        "deliveries": [
            {"amount": "620.4", "unit": "t"},
            {"amount": "598.75", "unit": "t"},
            {"amount": "0.1", "unit": "GJ"},
        ]
    }
    assert delivered(exchange) == [(Decimal("1219.15"), "t"), (Decimal("0.1"), "GJ")]


def test_an_indicator_unknown_in_any_delivery_is_unknown_in_total_with_its_reason_never_zero():
    entry = material_entry(
        [indicator("solid_waste_utilised_t", "620.4"), indicator("energy_saved_tce", None, "tce", NO_FACTOR)],
        [indicator("solid_waste_utilised_t", "598.75"), indicator("energy_saved_tce", "1.5", "tce")],
    )
    totals = {t["name"]: t for t in contribution_totals(entry)}
    assert totals["solid_waste_utilised_t"]["value"] == Decimal("1219.15")
    assert totals["energy_saved_tce"]["value"] is None and totals["energy_saved_tce"]["reasons"] == [NO_FACTOR]
    assert [t["name"] for t in contribution_totals(entry)] == ["solid_waste_utilised_t", "energy_saved_tce"]


def test_the_brief_groups_unknown_indicators_by_reason():
    entry = material_entry(
        [
            indicator("solid_waste_utilised_t", "620.4"),
            indicator("energy_saved_tce", None, "tce", NO_FACTOR),
            indicator("co2_reduced_t", None, "t", NO_FACTOR),
        ],
        amounts=("620.4",),
    )
    summary = brief(contribution_totals(entry))
    assert [t["name"] for t in summary["known"]] == ["solid_waste_utilised_t"]
    assert summary["unknown"] == [(NO_FACTOR, ["Energy saved", "CO₂ reduced"])]


def test_a_list_row_carries_what_the_table_shows():
    row = entry_row(
        {
            "index": 0,
            "leaf_hash": "h",
            "entry": material_entry(
                [indicator("solid_waste_utilised_t", "620.4")], [indicator("solid_waste_utilised_t", "598.75")]
            ),
        }
    )
    assert row["recorded_on"] == "2026-07-01" and row["code"] == "441-001-S02" and row["kind"] == "material"
    assert row["delivered"] == [(Decimal("1219.15"), "t")] and row["agreed"] == (Decimal("1500"), "t")
    assert row["contributions"]["known"][0]["value"] == Decimal("1219.15")


def test_reasons_are_read_in_the_users_language_when_the_sentence_is_known_and_kept_otherwise():
    assert reason_text(NO_FACTOR) == NO_FACTOR  # English: the msgid, with the material filled in
    assert reason_text("grid factor for 2019 missing") == "grid factor for 2019 missing"
    assert reason_text(None) == "no reason recorded"


def test_filters_keep_only_what_the_api_accepts_and_an_enterprise_never_filters_by_enterprise():
    args = {"year": "2026", "kind": "heat", "code": " 900-249-08 ", "enterprise_id": "e1", "park_id": "p1"}
    assert api_filters(args, is_admin=True, is_enterprise=False) == {
        "year": 2026,
        "kind": "heat",
        "code": "900-249-08",
        "enterprise_id": "e1",
        "park_id": "p1",
    }
    assert api_filters(args, is_admin=False, is_enterprise=False) == {
        "year": 2026,
        "kind": "heat",
        "code": "900-249-08",
        "enterprise_id": "e1",
    }
    assert api_filters(args, is_admin=False, is_enterprise=True) == {"year": 2026, "kind": "heat", "code": "900-249-08"}
    bad = {"year": "last", "kind": "steam", "code": "drop table", "enterprise_id": "x" * 37}
    assert api_filters(bad, is_admin=False, is_enterprise=False) == {}
    assert api_filters({"code": "441-001-s02"}, False, False) == {"code": "441-001-S02"}


def test_page_numbers_are_positive_integers():
    assert page_number({"page": "3"}) == 3
    assert page_number({"page": "0"}) == 1 and page_number({"page": "-2"}) == 1 and page_number({}) == 1


def test_csv_pages_become_one_document_with_one_header():
    pages = ["index,kind\n0,heat\n1,water\n", "index,kind\n2,material\n", "index,kind\n"]
    assert merge_csv(pages) == "index,kind\n0,heat\n1,water\n2,material\n"
    assert merge_csv([]) == ""


def test_download_names_say_what_was_filtered():
    assert download_name({}, "csv") == "ledger-entries.csv"
    assert download_name({"kind": "heat", "year": 2026}, "json") == "ledger-entries_kind-heat_year-2026.json"
