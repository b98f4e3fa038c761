"""Coefficients are versioned data: the shipped table, historic versions, year and region fallbacks."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from services.common.coefficients import CoefficientNotFound, Coefficients, default_coefficients


@pytest.fixture
def table() -> Coefficients:
    return default_coefficients()


def test_the_shipped_table_holds_the_gbt_2589_figures(table):
    assert table.latest("kgce_lhv").coefficient.value == Decimal("29307")
    assert table.latest("electricity_kgce").coefficient.value == Decimal("0.1229")
    heat = table.latest("heat_kgce").coefficient
    assert heat.value == Decimal("0.03412")
    assert round(Decimal(1000) / Decimal(29307), 5) == heat.value  # 0.03412 kgce/MJ is 1/29.307 rounded


@pytest.mark.parametrize("year, factor", [(2021, "0.5568"), (2022, "0.5366"), (2023, "0.5306")])
def test_the_national_grid_factor_of_each_published_year(table, year, factor):
    selected = table.latest("grid_co2", year)
    assert selected.coefficient.value == Decimal(factor)
    assert selected.coefficient.unit == "kgCO2/kWh"
    assert selected.fallback is None


@pytest.mark.parametrize(
    "fuel, factor", [("coal", "94.6"), ("natural_gas", "56.1"), ("fuel_oil", "77.4"), ("diesel", "74.1")]
)
def test_ipcc_default_fuel_factors_apply_to_any_year(table, fuel, factor):
    selected = table.latest(f"fuel_co2.{fuel}", 2025)
    assert selected.coefficient.value == Decimal(factor)
    assert selected.coefficient.unit == "tCO2/TJ"
    assert "Table 2.2" in selected.coefficient.reference


def test_every_row_names_its_source_edition_and_how_it_was_checked(table):
    for row in table:
        assert row.source and row.edition and row.reference and row.verification, row.id


def test_a_province_without_its_own_factor_falls_back_to_the_national_one_and_says_so(table):
    selected = table.latest("grid_co2", 2022, "320000")
    assert selected.coefficient.id == "mee_nbs.grid_co2.CN.2022"
    assert "region 320000" in selected.fallback and "CN" in selected.fallback


def test_a_year_not_yet_published_uses_the_latest_earlier_year_and_says_so(table):
    selected = table.latest("grid_co2", 2025)
    assert selected.coefficient.year == 2023
    assert "2025" in selected.fallback and "2023" in selected.fallback


def test_a_year_before_any_publication_is_not_guessed(table):
    with pytest.raises(CoefficientNotFound):
        table.latest("grid_co2", 2019)


def test_a_new_version_is_what_latest_returns_and_the_old_one_stays_retrievable(table):
    old = table.latest("grid_co2", 2023).coefficient
    revised = table.with_version(replace(old, version=2, value=Decimal("0.5300")))
    assert revised.latest("grid_co2", 2023).coefficient.version_id == "mee_nbs.grid_co2.CN.2023@v2"
    assert revised.get("mee_nbs.grid_co2.CN.2023", 1).value == Decimal("0.5306")
    assert table.latest("grid_co2", 2023).coefficient.value == Decimal("0.5306")  # the original table is untouched


def test_a_version_cannot_be_overwritten_or_reused(table):
    old = table.latest("grid_co2", 2023).coefficient
    with pytest.raises(ValueError):
        table.with_version(replace(old, value=Decimal("0.1")))
    with pytest.raises(ValueError):
        Coefficients([old, replace(old, value=Decimal("0.1"))])


def test_a_new_version_keeps_what_figure_it_is(table):
    old = table.latest("grid_co2", 2023).coefficient
    with pytest.raises(ValueError):
        table.with_version(replace(old, version=2, year=2024))


def test_two_ids_cannot_claim_the_same_figure(table):
    old = table.latest("grid_co2", 2023).coefficient
    with pytest.raises(ValueError):
        Coefficients([old, replace(old, id="someone.else.2023")])


def test_pinning_replays_the_exact_version_an_entry_recorded(table):
    old = table.latest("grid_co2", 2023).coefficient
    revised = table.with_version(replace(old, version=2, value=Decimal("0.5300")))
    replay = revised.pinned({"mee_nbs.grid_co2.CN.2023": 1})
    assert replay.latest("grid_co2", 2023).coefficient.value == Decimal("0.5306")
    with pytest.raises(CoefficientNotFound):
        revised.pinned({"mee_nbs.grid_co2.CN.2023": 9})


def test_an_unknown_id_or_version_is_an_error_not_a_default(table):
    with pytest.raises(CoefficientNotFound):
        table.get("mee_nbs.grid_co2.CN.2023", 7)
    with pytest.raises(CoefficientNotFound):
        table.latest("fuel_co2.peat")
