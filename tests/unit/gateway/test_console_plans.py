"""The planner pages' plain-Python helpers: the form's request body, the plan's Sankey links, the
comparison with the ledger's figures for the year."""

from __future__ import annotations

from decimal import Decimal

from flask import Flask
from flask_babel import Babel

from gateway.console.views.plans import comparison, form_errors, plan_links, plan_request, reason_text


def pairing(offer_enterprise, want_enterprise, kind, amount, unit, offer="o1", want="w1"):
    return {
        "offer": {"id": offer, "enterprise_id": offer_enterprise},
        "want": {"id": want, "enterprise_id": want_enterprise},
        "kind": kind,
        "per_year": {"amount": amount, "unit": unit},
    }


def test_the_form_asks_for_the_chosen_objective_and_settings():
    body = plan_request(
        {"objective": "waste_first", "heat_pipeline_max_km": " 8 ", "heat_fuel": "natural_gas", "material_lot": "30"}
    )
    assert body["priorities"][0] == "hazardous_waste_utilised_t"
    assert (body["heat_pipeline_max_km"], body["heat_fuel"], body["lots"]) == ("8", "natural_gas", {"material": "30"})
    assert plan_request({"objective": "co2"}) == {"weights": {"co2_reduced_t": 1}, "heat_fuel": "coal"}


def test_the_apis_lot_errors_show_beside_the_lot_field():
    assert form_errors({"lots.material.value": ["too small"], "heat_fuel": ["x"]}) == {
        "material_lot": ["too small"],
        "heat_fuel": ["x"],
    }


def test_planned_flows_are_summed_per_enterprise_pair_and_unit_as_the_ledgers_are():
    plan = {
        "pairings": [
            pairing("power", "pta", "heat", 288000.0, "GJ", "o1", "w1"),
            pairing("power", "pta", "heat", 144000.0, "GJ", "o2", "w1"),
            pairing("wwtp", "power", "water", 3650.0, "m3"),
        ]
    }
    links = plan_links(plan)
    assert list(links) == ["GJ", "m3"]
    assert [(x["source"], x["target"], x["amount"], len(x["exchanges"])) for x in links["GJ"]] == [
        ("power", "pta", Decimal("432000.0"), 2)
    ]


def test_the_comparison_puts_plan_greedy_and_ledger_side_by_side_and_keeps_unknown_unknown():
    plan = {"totals": {"co2_reduced_t": 100.0}, "greedy": {"totals": {"co2_reduced_t": 40.0}}}
    report = {"indicators": {"co2_reduced_t": {"value": "12.5", "unit": "t"}, "water_saved_m3": {"value": None}}}
    rows = {r["key"]: r for r in comparison(plan, report)}
    assert (rows["co2_reduced_t"]["plan"], rows["co2_reduced_t"]["greedy"], rows["co2_reduced_t"]["ledger"]) == (
        100.0,
        40.0,
        "12.5",
    )
    assert rows["water_saved_m3"]["ledger"] is None and rows["water_saved_m3"]["plan"] == 0.0


def test_an_unpaired_listings_reason_is_told_from_the_apis_figures():
    app = Flask(__name__)
    Babel(app, locale_selector=lambda: "en")  # English: the msgids
    with app.test_request_context():
        told = reason_text({"reason": "no_counterpart", "facts": {"nearest_km": 4.512}}, "en")
        assert "4.512 km" in told
        assert "900-249-08" in reason_text({"reason": "legality", "facts": {"code": "900-249-08"}}, "en")
