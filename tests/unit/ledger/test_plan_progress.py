"""Targets and progress against the park's implementation plan, worked by hand (README, "Targets and
progress"): elapsed share, an amount's period total against the period target, a level's share of the
way from its baseline, the yearly target overriding the path, and unknown staying unknown."""

from __future__ import annotations

from decimal import Decimal

import pytest

from services.common.errors import InvalidFields
from services.ledger.domain.plans import NOT_MEASURED, Plan
from services.ledger.domain.progress import Measured, progress_table
from services.ledger.domain.rounding import jsonable

D = Decimal

PLAN = Plan.of(
    "park-a",
    "2026-2030",
    {
        "targets": [
            {
                "indicator": "energy_saved_tce",
                "unit": "tce",
                "baseline_year": 2025,
                "target": D(500),
                "yearly": [{"year": 2026, "target": D(80)}],
            },
            {"indicator": "co2_reduced_t", "unit": "t", "baseline_year": 2025, "target": D(1000)},
            {
                "indicator": "solid_waste_utilisation_rate_pct",
                "unit": "%",
                "baseline_year": 2025,
                "baseline_value": D(60),
                "target": D(80),
            },
            {
                "indicator": "energy_per_gdp_tce_per_10k_cny",
                "unit": "tce/10k CNY",
                "baseline_year": 2025,
                "baseline_value": D("0.4"),
                "target": D("0.3"),
            },
            {"indicator": "main_air_pollutants_reduced_t", "unit": "t", "baseline_year": 2025, "target": D(10)},
        ],
        "projects": [
            {
                "name": "蒸汽管网互联",
                "content": "热电厂余热蒸汽供应印染企业",
                "investment_10k_cny": D(1200),
                "contributes_to": ["energy_saved_tce", "co2_reduced_t"],
                "status": "under_construction",
            }
        ],
    },
)
MEASURED = {
    2026: {"energy_saved_tce": Measured(D(90)), "co2_reduced_t": Measured(D(100))},
    2027: {
        "energy_saved_tce": Measured(D(120)),
        "co2_reduced_t": Measured(None, False, "no CO2 factor for the delivery year"),
        "solid_waste_utilisation_rate_pct": Measured(D(66)),
        "energy_per_gdp_tce_per_10k_cny": Measured(D("0.36")),
    },
}


def rows(year: int) -> dict[str, dict]:
    return {r["indicator"]: r for r in progress_table(PLAN, year, MEASURED)["rows"]}


def test_an_amount_is_measured_by_its_period_total_against_the_share_of_the_period_elapsed():
    energy = rows(2027)["energy_saved_tce"]
    # 2027 is the second of five years: 40 % elapsed; 90 + 120 = 210 tce of 500 = 42 %
    assert energy["elapsed_pct"] == D(40)
    assert energy["value"] == D(120) and energy["period_total"] == D(210)
    assert energy["progress_pct"] == D(42)
    assert energy["on_track"] is True


def test_a_yearly_target_decides_that_year_even_when_the_path_is_behind():
    energy = rows(2026)["energy_saved_tce"]
    # 90 of 500 = 18 % against 20 % elapsed, but the plan asks 80 tce for 2026 and 90 reaches it
    assert (energy["progress_pct"], energy["elapsed_pct"], energy["target_for_year"]) == (D(18), D(20), D(80))
    assert energy["on_track"] is True


def test_a_level_is_measured_from_its_baseline_towards_its_target_either_way():
    table = rows(2027)
    rate = table["solid_waste_utilisation_rate_pct"]
    # (66 - 60) / (80 - 60) = 30 % of the way, behind 40 % elapsed
    assert (rate["progress_pct"], rate["on_track"]) == (D(30), False)
    per_gdp = table["energy_per_gdp_tce_per_10k_cny"]
    # less is better: (0.36 - 0.4) / (0.3 - 0.4) = 40 %, on the path
    assert (per_gdp["progress_pct"], per_gdp["on_track"], per_gdp["direction"]) == (D(40), True, "lower")


def test_unknown_stays_unknown_never_zero():
    table = rows(2027)
    co2 = table["co2_reduced_t"]
    assert co2["value"] is None and co2["progress_pct"] is None and co2["on_track"] is None
    assert "no CO2 factor" in co2["unknown"]
    air = table["main_air_pollutants_reduced_t"]
    assert (air["value"], air["on_track"], air["unknown"]) == (None, None, NOT_MEASURED)
    # an amount whose earlier year is unknown has no period total
    later = progress_table(PLAN, 2028, {**MEASURED, 2028: {"co2_reduced_t": Measured(D(5))}})
    co2_2028 = next(r for r in later["rows"] if r["indicator"] == "co2_reduced_t")
    assert co2_2028["value"] == D(5) and co2_2028["period_total"] is None and "2027" in co2_2028["unknown"]


def test_the_park_lags_when_any_known_target_lags_and_a_year_outside_the_plan_has_no_table():
    table = progress_table(PLAN, 2027, MEASURED)
    assert table["on_track"] is False and table["lagging"] == ["solid_waste_utilisation_rate_pct"]
    assert progress_table(PLAN, 2031, MEASURED) == {"plan_period": None, "rows": [], "on_track": None, "lagging": []}


def test_a_plan_is_stored_and_restored_unchanged():
    assert Plan.restore(jsonable(PLAN.to_dict())) == PLAN


ENERGY = {"indicator": "energy_saved_tce", "unit": "tce", "baseline_year": 2025, "target": 1}


@pytest.mark.parametrize(
    ("period", "target", "field"),
    [
        ("2026-2030", {**ENERGY, "unit": "kgce"}, "targets.0.unit"),
        ("2030-2026", ENERGY, "period"),
        ("2026-2030", {**ENERGY, "baseline_year": 2027}, "targets.0.baseline_year"),
        ("2026-2030", {**ENERGY, "yearly": [{"year": 2031, "target": 1}]}, "targets.0.yearly.0.year"),
    ],
)
def test_a_plan_that_breaks_a_rule_names_the_field(period, target, field):
    with pytest.raises(InvalidFields) as raised:
        Plan.of("park-a", period, {"targets": [target], "projects": []})
    assert field in raised.value.errors


def test_each_indicator_has_one_target():
    target = {"indicator": "co2_reduced_t", "unit": "t", "baseline_year": 2025, "target": 1}
    with pytest.raises(InvalidFields) as raised:
        Plan.of("park-a", "2026-2030", {"targets": [target, target]})
    assert "targets" in raised.value.errors
