"""The park pages' plain-Python helpers: which ledger entries count, the Sankey's links, the indicator cards."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from gateway.console.api_text import api_text
from gateway.console.views.ledger import read_checkpoint
from gateway.console.views.park import (
    chosen_year,
    counted_entries,
    download_name,
    flow_links,
    has_cycle,
    indicator_cards,
    indicator_entries,
    line_widths,
    sankey_data,
    this_year,
    year_options,
)

PARK = "park-1"


def entry(
    index,
    exchange,
    supplier,
    receiver,
    deliveries,
    kind="material",
    code=None,
    type_="ExchangeCompleted",
    corrects=None,
    indicators=(),
):
    body = {
        "index": index,
        "type": type_,
        "exchange": {
            "exchange_id": exchange,
            "kind": kind,
            "waste_code": code,
            "supplier": {"enterprise_id": supplier, "park_id": PARK},
            "receiver": {"enterprise_id": receiver, "park_id": PARK},
            "completed_at": "2026-05-01T02:00:00+00:00",
            "deliveries": [
                {"id": f"d{index}-{i}", "amount": amount, "unit": unit} for i, (amount, unit) in enumerate(deliveries)
            ],
        },
    }
    if corrects is not None:
        body["corrects"] = corrects
    else:
        body["contribution"] = {"deliveries": [{"indicators": [{"name": n, "value": v} for n, v in indicators]}]}
    return body


def test_corrected_entries_and_entries_replaced_by_later_ones_are_not_counted():
    entries = [
        entry(0, "x1", "A", "B", [("10", "t")]),
        entry(1, "x2", "A", "C", [("5", "t")]),
        entry(2, "x2", "A", "C", [("6", "t")]),  # a later entry for the same exchange replaces #1
        entry(3, "x1", "A", "B", [("10", "t")], type_="Correction", corrects=0),
    ]
    counted, left_out = counted_entries(entries)
    assert [e["index"] for e in counted] == [2]
    assert left_out == {"reversed": [0], "corrections": [3], "replaced": [1]}


def test_one_link_per_supplier_receiver_pair_and_unit_summing_every_exchange_of_the_pair():
    counted = [
        entry(0, "x1", "A", "B", [("10.5", "t"), ("4.5", "t")], code="441-001-S02"),
        entry(1, "x2", "A", "B", [("5", "t")], code="900-249-08"),
        entry(2, "x3", "A", "C", [("100", "GJ"), ("2", "MWh")], kind="heat"),
        entry(3, "x4", "D", "B", [("300", "m3")], kind="water"),
    ]
    links = flow_links(counted)
    assert list(links) == ["t", "GJ", "MWh", "m3"], "units in a fixed order, never summed together"
    [ab] = links["t"]
    assert (ab["source"], ab["target"], ab["amount"]) == ("A", "B", Decimal("20"))
    assert ab["codes"] == ["441-001-S02", "900-249-08"] and ab["exchanges"] == ["x1", "x2"]
    assert links["GJ"][0]["amount"] == Decimal("100") and links["MWh"][0]["amount"] == Decimal("2")
    assert sum(len(v) for v in links.values()) == 4


def test_a_cycle_is_drawn_as_two_columns_so_no_link_is_lost():
    counted = [
        entry(0, "x1", "A", "B", [("1", "t")]),
        entry(1, "x2", "B", "A", [("2", "t")]),
        entry(2, "x3", "B", "C", [("3", "t")]),
    ]
    links = flow_links(counted)["t"]
    assert has_cycle(links)
    diagram = sankey_data("t", links, {"A": "甲化工", "B": "乙建材", "C": "丙"}, "zh_CN")
    assert diagram["two_columns"] and len(diagram["links"]) == 3
    names = [n["name"] for n in diagram["nodes"]]
    assert len(names) == len(set(names)) and {"s:A", "r:A", "s:B", "r:B", "r:C"} == set(names)
    assert {n["label"] for n in diagram["nodes"]} == {"甲化工", "乙建材", "丙"}
    assert not has_cycle(flow_links([counted[0], counted[2]])["t"])


def test_sankey_links_carry_the_amount_as_people_read_it():
    links = flow_links([entry(0, "x1", "A", "B", [("1219.15", "t")])])["t"]
    diagram = sankey_data("t", links, {"A": "甲", "B": "乙"}, "zh_CN")
    assert diagram["nodes"] == [{"name": "A", "label": "甲"}, {"name": "B", "label": "乙"}]
    assert diagram["links"][0]["amount"].startswith("1,219 ") and diagram["links"][0]["value"] == 1219.15


def test_line_widths_are_scaled_within_each_unit():
    links = flow_links(
        [
            entry(0, "x1", "A", "B", [("1000", "t")]),
            entry(1, "x2", "A", "C", [("500", "t")]),
            entry(2, "x3", "A", "B", [("2", "GJ")], kind="heat"),
        ]
    )
    widths = line_widths(links)
    assert widths[("t", "A", "B")] == 12.0 and widths[("t", "A", "C")] == 7.0
    assert widths[("GJ", "A", "B")] == 12.0, "2 GJ is the thickest heat flow, whatever the tonnes"


def _item(value, missing=0, deliveries=1, unit="t", **extra):
    return {
        "value": value,
        "exact_value": value,
        "unit": unit,
        "complete": missing == 0,
        "deliveries": deliveries,
        "not_computed": [
            {
                "exchange_id": "x",
                "delivery_id": f"d{i}",
                "reason": "no verified factor for substituting clinker; not computed",
            }
            for i in range(missing)
        ],
        "method": "weighed general industrial solid waste received for utilisation",
        "sources": [],
        "assumptions": [],
        **extra,
    }


def test_cards_say_unknown_and_why_never_zero_and_flag_what_was_not_counted():
    report = {
        "indicators": {
            "energy_saved_tce": _item("740.6382", missing=2, unit="tce"),
            "co2_reduced_t": _item(None, missing=1, deliveries=0),
            "water_saved_m3": _item("0", deliveries=0, unit="m3"),
            "solid_waste_utilised_t": _item("2005.35"),
        },
        "rates": {
            "solid_waste_utilisation_rate_pct": {
                "value": None,
                "unit": "%",
                "complete": False,
                "method": "",
                "assumptions": [],
                "sources": [],
                "unknown": "no park baseline for 2024: enter GDP, energy, water and solid waste generated",
            }
        },
    }
    cards = {c["key"]: c for c in indicator_cards(report)}
    assert cards["energy_saved_tce"]["state"] == "partial" and cards["energy_saved_tce"]["missing"] == 2
    assert cards["energy_saved_tce"]["value"] == "740.6382"
    assert cards["co2_reduced_t"]["state"] == "unknown" and cards["co2_reduced_t"]["value"] is None
    assert "clinker" in cards["co2_reduced_t"]["reasons"][0]
    assert cards["water_saved_m3"]["state"] == "none", "no exchange contributed: a true zero, said so"
    assert cards["solid_waste_utilised_t"]["state"] == "known"
    assert "2024" in cards["solid_waste_utilisation_rate_pct"]["reasons"][0]
    assert cards["hazardous_waste_utilised_t"]["state"] == "unknown", "an indicator the report lacks is unknown"
    air = cards["air_pollutants_reduced_t"]
    assert air["value"] is None and air["reasons"] == ["no emission factors recorded; not computed"]
    assert list(cards)[-1] == "air_pollutants_reduced_t" and len(cards) == 10


def test_each_indicator_names_the_entries_behind_it():
    counted = [
        entry(
            0, "x1", "A", "B", [("1", "t")], indicators=[("solid_waste_utilised_t", "1"), ("energy_saved_tce", None)]
        ),
        entry(4, "x2", "C", "D", [("2", "GJ")], kind="heat", indicators=[("energy_saved_tce", "3.2")]),
    ]
    behind = indicator_entries(counted)
    assert behind["solid_waste_utilised_t"] == [0] and behind["energy_saved_tce"] == [4]
    assert behind["solid_waste_utilisation_rate_pct"] == [0]


def test_the_year_is_chinas_and_a_bad_year_falls_back_to_the_current_one():
    assert this_year(datetime(2025, 12, 31, 17, tzinfo=UTC)) == 2026
    assert chosen_year(None, 2026) == 2026 and chosen_year("2024", 2026) == 2024
    assert chosen_year("abc", 2026) == 2026 and chosen_year("1999", 2026) == 2026
    assert year_options(2026, 2026)[0] == 2026 and year_options(2026, 2026)[-1] == 2021
    assert 2030 in year_options(2030, 2026)


def test_api_sentences_pass_through_unless_known():
    assert api_text("something new the ledger says") == "something new the ledger says"
    assert (
        api_text("no verified factor for substituting base oil; not computed")
        == "no verified factor for substituting base oil; not computed"
    )  # no request: English, the msgid itself
    assert api_text(None) == ""


def test_checkpoint_and_download_name():
    text = "parkloop.local/ledger\n5\nunnrRE/wmahCAJnkQyjKA1Vw1K9BZRw0QVaoKO4i4RM=\n\n— parkloop.local/ledger 10DK\n"
    cp = read_checkpoint(text)
    assert (cp["origin"], cp["size"], cp["root"]) == (
        "parkloop.local/ledger",
        5,
        "unnrRE/wmahCAJnkQyjKA1Vw1K9BZRw0QVaoKO4i4RM=",
    )
    assert download_name("7f23c88f-bd38", 2026, "csv") == "parkloop-report-7f23c88f-bd38-2026.csv"
    assert download_name('x"; evil', 2026, "json") == "parkloop-report-xevil-2026.json"
