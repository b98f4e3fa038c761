"""The provincial roll-up on a two-park example added up by hand: amounts summed in their unit over the
parks that submitted, an unknown left out and named (never read as zero), rates never summed, and the
parks that have not submitted or lag a target."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from services.ledger.domain.rollup import province_period, province_report
from services.ledger.domain.submissions import CitedCheckpoint, Submission

NOW = datetime(2026, 12, 1, tzinfo=UTC)
PARKS = [{"id": "x", "name": "海滨石化产业园"}, {"id": "y", "name": "滨江化工园"}, {"id": "z", "name": "未报送园区"}]


def figure(value: str | None, unit: str) -> dict:
    return {"value": value, "exact_value": value, "unit": unit, "complete": value is not None, "unknown": None}


def submitted(park: str, year: int, energy: str, co2: str | None, on_track: bool, plan: str = "2026-2030"):
    figures = {
        "indicators": {"energy_saved_tce": figure(energy, "tce"), "co2_reduced_t": figure(co2, "t")},
        "rates": {"solid_waste_utilisation_rate_pct": figure("70", "%")},
        "progress": {
            "plan_period": plan,
            "rows": [{"indicator": "energy_saved_tce", "target": "1000"}],
            "on_track": on_track,
            "lagging": [] if on_track else ["energy_saved_tce"],
        },
        "projects": [],
    }
    sections = {"sections": dict.fromkeys(("progress", "results", "experience", "difficulties"), "已写")}
    return Submission.draft(park, year, 1, sections, NOW).submitted(NOW, CitedCheckpoint(7, "cm9vdA=="), figures)


def test_the_roll_up_sums_two_parks_by_hand():
    report = province_report(
        "Jiangsu",
        2026,
        PARKS,
        {"x": submitted("x", 2026, "120.25", "300", True), "y": submitted("y", 2026, "79.75", None, False)},
    )
    energy, co2 = report["totals"]["energy_saved_tce"], report["totals"]["co2_reduced_t"]
    assert (energy["exact_value"], energy["unit"], energy["complete"]) == (Decimal("200.00"), "tce", True)
    assert (co2["value"], co2["complete"], co2["parks_unknown"]) == (Decimal(300), False, ["y"])
    assert "solid_waste_utilisation_rate_pct" not in report["totals"]  # rates are never added up
    assert report["not_submitted"] == ["z"]
    assert report["lagging"] == ["y"]
    assert [p["submitted"] for p in report["parks"]] == [True, True, False]


def test_an_amount_no_park_knows_is_unknown_not_zero():
    report = province_report("Jiangsu", 2026, PARKS[:1], {"x": submitted("x", 2026, "1", None, True)})
    assert report["totals"]["co2_reduced_t"]["value"] is None
    assert province_report("Jiangsu", 2026, PARKS, {})["totals"]["energy_saved_tce"]["value"] is None


def test_the_period_summary_adds_each_parks_years_against_its_period_target():
    found = {
        ("x", 2026): submitted("x", 2026, "100", "10", True),
        ("x", 2027): submitted("x", 2027, "150", "20", True),
        ("y", 2026): submitted("y", 2026, "50", "5", False),
    }
    summary = province_period("Jiangsu", 2026, 2030, PARKS[:2], found, through_year=2027)
    x, y = summary["parks"]
    # park x: 100 + 150 = 250 tce of its 1,000 tce period target = 25 %
    assert (x["amounts"]["energy_saved_tce"]["value"], x["amounts"]["energy_saved_tce"]["progress_pct"]) == (
        Decimal(250),
        Decimal(25),
    )
    assert (x["years_submitted"], x["years_missing"]) == ([2026, 2027], [])
    assert y["years_missing"] == [2027]
    assert summary["totals"]["energy_saved_tce"]["value"] == Decimal(300)
    assert summary["incomplete"] == ["y"]
