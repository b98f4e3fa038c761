"""The console's implementation-plan and submission forms, in plain Python: which form fields become the API's
body, and the API's indexed field errors (`targets.0.unit`, `attached_figures.1.value`) put back beside the field
the user filled in; which version the submission editor writes."""

from __future__ import annotations

from werkzeug.datastructures import MultiDict

from gateway.console.listing_forms import place_errors
from gateway.console.views import submissions, targets


def test_the_plan_form_becomes_the_api_body_leaving_empty_targets_and_projects_out():
    form = MultiDict(
        [
            ("targets.energy_saved_tce.target", "2000"),
            ("targets.energy_saved_tce.baseline_year", "2025"),
            ("targets.water_saved_m3.target", ""),
            ("targets.co2_reduced_t.target", "5000"),
            ("targets.co2_reduced_t.baseline_year", "2025"),
            ("targets.co2_reduced_t.baseline_value", "10"),
            ("project_rows", "3"),
            ("projects.0.name", ""),
            ("projects.1.name", "热电联产蒸汽管网"),
            ("projects.1.contributes_to", "energy_saved_tce"),
            ("projects.1.contributes_to", "co2_reduced_t"),
            ("projects.1.status", "under_construction"),
            ("projects.1.investment_10k_cny", "1200"),
        ]
    )
    body, order, rows = targets.plan_body(form)
    assert [t["indicator"] for t in body["targets"]] == ["energy_saved_tce", "co2_reduced_t"]
    assert order == [("energy_saved_tce", []), ("co2_reduced_t", [])]
    assert body["targets"][0] == {
        "indicator": "energy_saved_tce",
        "unit": "tce",
        "baseline_year": "2025",
        "target": "2000",
    }
    assert body["targets"][1]["baseline_value"] == "10"
    assert rows == [1] and body["projects"][0]["contributes_to"] == ["energy_saved_tce", "co2_reduced_t"]
    errors = targets.form_errors(
        {"targets.1.baseline_year": ["must not be after"], "projects.0.name": ["bad"], "period": ["x"]}, order, rows
    )
    assert errors == {
        "targets.co2_reduced_t.baseline_year": ["must not be after"],
        "projects.1.name": ["bad"],
        "period": ["x"],
    }


def test_per_year_targets_go_into_the_body_and_their_errors_come_back_beside_their_year():
    form = MultiDict(
        [
            ("period", "2026-2030"),
            ("targets.solid_waste_utilised_t.target", "50000"),
            ("targets.solid_waste_utilised_t.baseline_year", "2025"),
            ("targets.solid_waste_utilised_t.yearly.2026", "8000"),
            ("targets.solid_waste_utilised_t.yearly.2027", ""),
            ("targets.solid_waste_utilised_t.yearly.2028", "-1"),
            ("targets.solid_waste_utilised_t.yearly.2031", "9"),  # outside the period: not a field of the form
        ]
    )
    body, order, rows = targets.plan_body(form)
    assert body["targets"][0]["yearly"] == [{"year": 2026, "target": "8000"}, {"year": 2028, "target": "-1"}]
    errors = targets.form_errors({"targets.0.yearly.1.target": ["must not be negative"]}, order, rows)
    assert errors == {"targets.solid_waste_utilised_t.yearly.2028": ["must not be negative"]}
    beside, elsewhere = place_errors(errors, targets.shown_fields("2026-2030", 2))
    assert beside == errors and elsewhere == {}  # shown beside the 2028 input, not in the box above the form
    shown = targets.form_values(form)["targets"]["solid_waste_utilised_t"]["yearly"]
    assert shown[2026] == "8000" and shown[2028] == "-1" and 2031 not in shown


def test_a_project_row_keeps_its_place_so_its_error_stays_beside_it():
    form = MultiDict(
        [
            ("project_rows", "4"),
            ("projects.0.name", ""),
            ("projects.1.name", "中水回用管线"),
            ("projects.1.investment_10k_cny", "lots"),
            ("projects.2.name", ""),
        ]
    )
    body, order, rows = targets.plan_body(form)
    errors = targets.form_errors({"projects.0.investment_10k_cny": ["Not a valid number."]}, order, rows)
    assert errors == {"projects.1.investment_10k_cny": ["Not a valid number."]}
    projects = targets.form_values(form)["projects"]
    assert [p["name"] for p in projects] == ["", "中水回用管线"]  # row 1 is shown again as row 1


def test_a_recorded_plans_per_year_targets_fill_the_form_so_saving_it_again_keeps_them():
    plan = {
        "targets": [{"indicator": "co2_reduced_t", "target": "900", "yearly": [{"year": 2027, "target": "150"}]}],
        "projects": [],
    }
    assert targets.plan_values(plan)["targets"]["co2_reduced_t"]["yearly"] == {2027: "150"}


def test_the_five_year_period_of_a_year():
    assert [targets.five_year_period(y) for y in (2021, 2025, 2026, 2030, 2031)] == [
        "2021-2025",
        "2021-2025",
        "2026-2030",
        "2026-2030",
        "2031-2035",
    ]


def test_the_editor_writes_the_draft_in_place_or_the_version_after_the_submitted_one():
    assert submissions.version_to_write([]) == (1, None)
    draft = {"version": 2, "status": "draft"}
    assert submissions.version_to_write([draft, {"version": 1, "status": "superseded"}]) == (2, draft)
    submitted = {"version": 2, "status": "submitted"}
    assert submissions.version_to_write([submitted]) == (3, submitted)


def test_attached_figures_errors_find_their_form_row():
    form = MultiDict(
        [("figure_rows", "3"), ("attached_figures.0.name", ""), ("attached_figures.2.name", "SO2"),
         ("attached_figures.2.value", "x"), ("attached_figures.2.unit", "t"), ("sections.progress", "进展")]
    )  # fmt: skip
    body, rows = submissions.submission_body(form)
    assert body["attached_figures"] == [{"name": "SO2", "value": "x", "unit": "t"}] and rows == [2]
    assert body["sections"]["progress"] == "进展" and body["sections"]["results"] == ""
    assert submissions.form_errors({"attached_figures.0.value": ["Not a valid number."]}, rows) == {
        "attached_figures.2.value": ["Not a valid number."]
    }
    figures = submissions.figure_values(form)
    assert [f["name"] for f in figures] == ["", "", "SO2"]  # the figure is shown again in row 2, beside its error
    beside, elsewhere = place_errors(
        {"attached_figures.2.value": ["x"], "attached_figures.2.id": ["y"]}, submissions.shown_fields(5)
    )
    assert beside == {"attached_figures.2.value": ["x"]} and elsewhere == {"attached_figures.2.id": ["y"]}
