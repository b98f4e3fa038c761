"""The annual report: sums per park, kind and enterprise, rates from the baseline, unknowns kept
unknown, the summary for the provincial DRC and the CSV export, checked against hand arithmetic."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest

from services.common.coefficients import default_coefficients
from services.common.indicators import contributions, to_dict
from services.ledger.domain.report import CSV_HEADER, annual_report, china_date, report_csv
from services.ledger.domain.rounding import jsonable

COEFFICIENTS = default_coefficients()
PARK = {"id": "park-sip", "name": "Suzhou Industrial Park"}
BASELINE = {
    "year": 2024,
    "gdp_10k_cny": "2000000",
    "energy_tce": "900000",
    "water_m3": "50000000",
    "solid_waste_generated_t": "20000",
}


def entry(
    index,
    exchange_id,
    kind,
    supplier,
    receiver,
    amount,
    unit,
    substitution=None,
    hazardous=False,
    completed="2024-06-30T08:00:00Z",
    as_dict=False,
):
    payload = {
        "exchange_id": exchange_id,
        "kind": kind,
        "offer_id": "of",
        "want_id": None,
        "supplier": {"enterprise_id": supplier, "park_id": "park-sip"},
        "receiver": {"enterprise_id": receiver, "park_id": "park-sip"},
        "waste_code": None,
        "hazardous": hazardous,
        "agreed_amount": amount,
        "agreed_unit": unit,
        "completed_at": completed,
        "deliveries": [
            {
                "id": f"{exchange_id}-d1",
                "delivered_on": "2024-05-01",
                "amount": amount,
                "unit": unit,
                "evidence": {},
                "substitution": substitution or {},
            }
        ],
    }
    contribution = contributions(payload, COEFFICIENTS)
    return {
        "index": index,
        "exchange_id": exchange_id,
        "kind": kind,
        "supplier_enterprise_id": supplier,
        "receiver_enterprise_id": receiver,
        "completed_at": completed,
        "contribution": to_dict(contribution) if as_dict else contribution,
    }


def park_entries():
    return [
        # 1,000 GJ steam / 0.85 on coal -> 40.1430 tce, 111.294 t CO2
        entry(
            1,
            "ex-steam",
            "heat",
            "steelworks",
            "dyehouse",
            "1000",
            "GJ",
            {"substitutes": "boiler_heat", "fuel": "coal", "boiler_efficiency": "0.85"},
        ),
        # 360 GJ / 1.0 replacing an electric boiler in 2024 -> 100,000 kWh -> 12.29 tce, 53.06 t (2023 factor)
        entry(
            2,
            "ex-hotwater",
            "heat",
            "steelworks",
            "brewery",
            "360",
            "GJ",
            {"substitutes": "boiler_heat", "fuel": "electricity", "boiler_efficiency": "1"},
        ),
        # 1,250 m3 reclaimed water replacing municipal water
        entry(
            3,
            "ex-water",
            "water",
            "brewery",
            "dyehouse",
            "1250",
            "m3",
            {"substitutes": "municipal_water"},
            as_dict=True,
        ),
        # 3,000 t slag replacing natural gypsum; energy and CO2 not computed
        entry(
            4,
            "ex-slag",
            "material",
            "steelworks",
            "cement",
            "3000",
            "t",
            {"substitutes": "virgin_material", "material": "natural gypsum"},
        ),
        # 12.5 t waste mineral oil (HW08) to a licensed recycler
        entry(5, "ex-oil", "material", "dyehouse", "recycler", "12.5", "t", hazardous=True),
    ]


@pytest.fixture
def report():
    return annual_report(PARK, 2024, BASELINE, park_entries())


def test_park_totals_add_up_by_hand(report):
    ind = report["indicators"]
    # energy: 40.1430 + 12.29 = 52.4330 tce known; the slag and waste-oil deliveries are not computed
    assert round(ind["energy_saved_tce"]["value"], 4) == Decimal("52.4330")
    assert ind["energy_saved_tce"]["complete"] is False
    assert [m["exchange_id"] for m in ind["energy_saved_tce"]["not_computed"]] == ["ex-slag", "ex-oil"]
    # CO2: 111.294 + 53.06 = 164.354 t known
    assert round(ind["co2_reduced_t"]["value"], 3) == Decimal("164.354")
    assert ind["water_saved_m3"]["value"] == Decimal("1250")
    assert ind["wastewater_avoided_m3"]["value"] == Decimal("1250")
    assert ind["solid_waste_utilised_t"]["value"] == Decimal("3000")
    assert ind["hazardous_waste_utilised_t"]["value"] == Decimal("12.5")


def test_each_indicator_lists_the_coefficients_behind_it(report):
    sources = report["indicators"]["co2_reduced_t"]["sources"]
    assert any(s.startswith("ipcc2006.v2c2.t2_2.other_bituminous_coal@v1") for s in sources)
    assert any(s.startswith("mee_nbs.grid_co2.CN.2023@v1") and "2023" in s for s in sources)
    assert any("used 2023" in a for a in report["indicators"]["co2_reduced_t"]["assumptions"])
    assert report["indicators"]["energy_saved_tce"]["sources"][0].startswith("gbt2589.kgce_lhv@v1")


def test_the_utilisation_rate_and_intensities_from_the_baseline(report):
    rates = report["rates"]
    # 3,000 t / (20,000 t + 0 from storage, assumed) x 100 = 15 %
    assert rates["solid_waste_utilisation_rate_pct"]["value"] == Decimal("15")
    assert any("assumes none was drawn" in a for a in rates["solid_waste_utilisation_rate_pct"]["assumptions"])
    # 900,000 tce / 2,000,000 (10k CNY) = 0.45 tce/10k CNY; 50,000,000 m3 / 2,000,000 = 25 m3/10k CNY
    assert rates["energy_per_gdp_tce_per_10k_cny"]["value"] == Decimal("0.45")
    assert rates["water_per_gdp_m3_per_10k_cny"]["value"] == Decimal("25")


def test_the_rate_counts_waste_drawn_from_earlier_years_storage():
    # 3,000 t / (20,000 + 5,000) t x 100 = 12 %
    baseline = {**BASELINE, "solid_waste_from_storage_utilised_t": "5000"}
    rate = annual_report(PARK, 2024, baseline, park_entries())["rates"]["solid_waste_utilisation_rate_pct"]
    assert rate["value"] == Decimal("12")
    assert not any("assumes none was drawn" in a for a in rate["assumptions"])


def test_without_a_baseline_the_rates_are_unknown_not_zero():
    report = annual_report(PARK, 2024, None, park_entries())
    for item in report["rates"].values():
        assert item["value"] is None and item["complete"] is False and "no park baseline" in item["unknown"]
    assert report["indicators"]["water_saved_m3"]["value"] == Decimal("1250")  # exchange sums still there
    assert any("not computed (no park baseline" in line for line in report["summary"]["en"])
    rows = list(csv.DictReader(io.StringIO(report_csv(report))))
    rate_row = next(r for r in rows if r["indicator"] == "solid_waste_utilisation_rate_pct")
    assert rate_row["value"] == "" and rate_row["complete"] == "no"


def test_an_indicator_nobody_could_compute_has_no_value():
    only_slag = [e for e in park_entries() if e["exchange_id"] == "ex-slag"]
    report = annual_report(PARK, 2024, BASELINE, only_slag)
    assert report["indicators"]["co2_reduced_t"]["value"] is None
    assert report["indicators"]["energy_saved_tce"]["value"] is None
    # nothing of that kind happened: a known zero, said as such
    assert report["indicators"]["water_saved_m3"] == {
        **report["indicators"]["water_saved_m3"],
        "value": Decimal(0),
        "complete": True,
        "deliveries": 0,
    }
    assert any(line.startswith("CO2 reduced: not computed") for line in report["summary"]["en"])


def test_per_kind_and_per_enterprise_views(report):
    heat = report["by_kind"]["heat"]
    assert round(heat["energy_saved_tce"]["value"], 4) == Decimal("52.4330") and heat["energy_saved_tce"]["complete"]
    assert set(report["by_kind"]["water"]) == {"water_saved_m3", "wastewater_avoided_m3"}
    steel = report["by_enterprise"]["steelworks"]
    assert steel["as_receiver"] == {}
    assert steel["as_supplier"]["solid_waste_utilised_t"]["value"] == Decimal("3000")
    assert round(steel["as_supplier"]["co2_reduced_t"]["value"], 3) == Decimal("164.354")
    dye = report["by_enterprise"]["dyehouse"]
    assert round(dye["as_receiver"]["co2_reduced_t"]["value"], 3) == Decimal("111.294")
    assert dye["as_receiver"]["water_saved_m3"]["value"] == Decimal("1250")
    assert dye["as_supplier"]["hazardous_waste_utilised_t"]["value"] == Decimal("12.5")


def test_only_the_years_entries_count_and_a_later_entry_replaces_an_earlier_one():
    entries = park_entries() + [
        entry(
            6,
            "ex-late",
            "water",
            "brewery",
            "dyehouse",
            "999",
            "m3",
            {"substitutes": "fresh_water"},
            completed="2025-01-02T00:00:00Z",
        ),
        entry(7, "ex-water", "water", "brewery", "dyehouse", "1000", "m3", {"substitutes": "municipal_water"}),
    ]
    report = annual_report(PARK, 2024, BASELINE, entries)
    assert report["entries"] == {
        "included": 5,
        "replaced_by_later_entries": 1,
        "other_years": 1,
        "indexes": [1, 2, 4, 5, 7],
    }
    assert report["indicators"]["water_saved_m3"]["value"] == Decimal("1000")


def test_the_year_is_the_calendar_year_in_china():
    assert china_date("2024-12-31T16:30:00Z").isoformat() == "2025-01-01"
    assert china_date("2024-12-31T15:59:59+00:00").isoformat() == "2024-12-31"
    assert china_date("2024-12-31").isoformat() == "2024-12-31"


def test_a_baseline_for_another_year_is_refused():
    with pytest.raises(ValueError):
        annual_report(PARK, 2024, {**BASELINE, "year": 2023}, park_entries())


def test_the_summary_is_fit_to_hand_to_the_provincial_drc(report):
    zh, en = report["summary"]["zh"], report["summary"]["en"]
    assert zh[0].startswith("Suzhou Industrial Park2024年度") and "5项" in zh[0]
    assert "节约能源：至少 52.433 吨标准煤（另有2笔交付未计算）" in zh
    assert "一般工业固体废物综合利用率：15 %（仅计入经ParkLoop登记的交换量；假定未利用往年贮存量）" in zh
    assert "单位GDP能耗：0.45 吨标准煤/万元" in zh
    assert "Energy saved: at least 52.433 tce (2 deliveries not computed)" in en
    assert "Fresh/municipal water saved: 1250 m3" in en
    assert not any(" 0 " in line and "not computed" in line for line in en)


def test_the_csv_has_a_header_and_one_row_per_indicator_and_view(report):
    text = report_csv(report)
    assert text.splitlines()[0] == ",".join(CSV_HEADER)
    rows = list(csv.DictReader(io.StringIO(text)))
    park = {r["indicator"]: r for r in rows if r["section"] == "park"}
    assert len(park) == 9
    assert park["energy_saved_tce"]["value"] == "52.433" and park["energy_saved_tce"]["complete"] == "no"
    assert park["energy_saved_tce"]["not_computed"].startswith("2: no verified factor for substituting natural gypsum")
    assert park["co2_reduced_t"]["value"] == "164.3541"
    assert park["solid_waste_utilisation_rate_pct"]["value"] == "15"
    assert park["water_per_gdp_m3_per_10k_cny"]["value"] == "25"
    slag = [r for r in rows if r["section"] == "kind" and r["group"] == "material"]
    assert {r["indicator"]: r["value"] for r in slag} == {
        "energy_saved_tce": "",
        "co2_reduced_t": "",
        "solid_waste_utilised_t": "3000",
        "hazardous_waste_utilised_t": "12.5",
    }
    cement = [r for r in rows if r["group"] == "cement"]
    assert {r["view"] for r in cement} == {"receiver"}


def test_a_partly_computed_total_says_at_least_and_how_many_are_missing():
    steam_and_slag = [e for e in park_entries() if e["exchange_id"] in ("ex-steam", "ex-slag")]
    en = annual_report(PARK, 2024, BASELINE, steam_and_slag)["summary"]["en"]
    assert "CO2 reduced: at least 111.2941 t (1 delivery not computed)" in en


# --- values for people beside the exact values; a park with no exchanges yet -----------------------


def decimal_strings(value):
    """Every string in a JSON-able report that reads as a number."""
    if isinstance(value, dict):
        return [s for v in value.values() for s in decimal_strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in decimal_strings(v)]
    if isinstance(value, str):
        try:
            Decimal(value)
        except ArithmeticError:
            return []
        return [value]
    return []


def test_a_park_with_a_baseline_and_no_exchanges_gets_zeros_and_its_rates_in_plain_notation():
    report = annual_report(PARK, 2024, BASELINE, [])
    assert report["entries"] == {"included": 0, "replaced_by_later_entries": 0, "other_years": 0, "indexes": []}
    for item in report["indicators"].values():
        assert (item["value"], item["exact_value"], item["complete"], item["deliveries"]) == (0, 0, True, 0)
    body = jsonable(report)
    assert {item["value"] for item in body["indicators"].values()} == {"0"}
    assert {item["exact_value"] for item in body["indicators"].values()} == {"0"}
    # 0 t / 20,000 t x 100 is Decimal("0E+1"): once written as "0E+1"
    assert body["rates"]["solid_waste_utilisation_rate_pct"]["value"] == "0"
    assert body["rates"]["solid_waste_utilisation_rate_pct"]["exact_value"] == "0"
    assert body["rates"]["energy_per_gdp_tce_per_10k_cny"]["value"] == "0.45"
    assert body["rates"]["water_per_gdp_m3_per_10k_cny"]["value"] == "25"
    assert not [s for s in decimal_strings(body) if "E" in s.upper()]
    en = report["summary"]["en"]
    assert "Energy saved: 0 tce (no contributing exchanges)" in en
    assert any(line.startswith("General industrial solid waste comprehensive utilisation rate: 0 % (") for line in en)
    assert "节约能源：0 吨标准煤（无相关交换）" in report["summary"]["zh"]
    park = {r["indicator"]: r for r in csv.DictReader(io.StringIO(report_csv(report))) if r["section"] == "park"}
    assert {park[name]["value"] for name in park} == {"0", "0.45", "25"}
    rate = park["solid_waste_utilisation_rate_pct"]
    assert rate["value"] == rate["exact_value"] == "0"


def test_a_park_whose_baseline_cannot_give_a_rate_gets_unknowns_with_their_reasons():
    zeros = {**BASELINE, "gdp_10k_cny": "0", "solid_waste_generated_t": "0"}
    report = annual_report(PARK, 2024, zeros, [])
    rates = jsonable(report)["rates"]
    for name, reason in [
        ("energy_per_gdp_tce_per_10k_cny", "baseline GDP is zero"),
        ("water_per_gdp_m3_per_10k_cny", "baseline GDP is zero"),
        ("solid_waste_utilisation_rate_pct", "no solid waste generated or drawn from storage"),
    ]:
        assert rates[name]["value"] is None and rates[name]["exact_value"] is None, name
        assert rates[name]["complete"] is False and rates[name]["unknown"].startswith(reason)
    assert "Energy use per unit GDP: not computed (baseline GDP is zero)" in report["summary"]["en"]
    row = next(
        r for r in csv.DictReader(io.StringIO(report_csv(report))) if r["indicator"] == "energy_per_gdp_tce_per_10k_cny"
    )
    assert (row["value"], row["exact_value"], row["not_computed"]) == ("", "", "baseline GDP is zero")


def test_values_are_rounded_for_people_and_the_exact_value_is_kept_beside_them(report):
    energy = report["indicators"]["energy_saved_tce"]
    assert energy["value"] == Decimal("52.433")  # 52.4330 to four places, the trailing zero dropped
    assert energy["exact_value"] == Decimal("52.43298932798628715484555988430791")
    body = jsonable(report)
    assert body["indicators"]["co2_reduced_t"]["value"] == "164.3541"
    assert body["indicators"]["co2_reduced_t"]["exact_value"] == "164.3541176470588235294117647058824"
    assert body["by_kind"]["heat"]["energy_saved_tce"]["value"] == "52.433"
    assert body["by_enterprise"]["dyehouse"]["as_receiver"]["co2_reduced_t"]["value"] == "111.2941"
    # 3,000 t / 17 t x 100: a quotient, rounded for people, carried to 34 digits beside it
    rate = jsonable(annual_report(PARK, 2024, {**BASELINE, "solid_waste_generated_t": "17"}, park_entries()))["rates"][
        "solid_waste_utilisation_rate_pct"
    ]
    assert rate["value"] == "17647.0588"
    assert rate["exact_value"] == "17647.05882352941176470588235294118"
    rows = list(csv.DictReader(io.StringIO(report_csv(report))))
    park = {r["indicator"]: r for r in rows if r["section"] == "park"}
    assert park["energy_saved_tce"]["exact_value"] == "52.43298932798628715484555988430791"
    assert park["water_saved_m3"]["value"] == park["water_saved_m3"]["exact_value"] == "1250"


def test_rates_are_computed_from_the_exact_values_not_the_rounded_ones():
    # 0.00004 t utilised rounds to "0" t, yet of 0.0001 t generated it is 40 %
    tiny = [entry(1, "ex-dust", "material", "steelworks", "cement", "0.00004", "t", {"substitutes": "virgin_material"})]
    report = annual_report(PARK, 2024, {**BASELINE, "solid_waste_generated_t": "0.0001"}, tiny)
    utilised = report["indicators"]["solid_waste_utilised_t"]
    assert (utilised["value"], utilised["exact_value"]) == (Decimal(0), Decimal("0.00004"))
    assert report["rates"]["solid_waste_utilisation_rate_pct"]["value"] == Decimal("40")
    assert jsonable(report)["indicators"]["solid_waste_utilised_t"]["exact_value"] == "0.00004"


def test_very_large_and_very_small_baselines_give_plain_rates_and_a_summary():
    huge = {**BASELINE, "gdp_10k_cny": 1e-10, "energy_tce": 1e30, "water_m3": 1e-20}
    report = annual_report(PARK, 2024, huge, park_entries())
    body = jsonable(report)
    assert body["rates"]["energy_per_gdp_tce_per_10k_cny"]["value"] == "1" + "0" * 40  # was "1E+40"
    assert body["rates"]["water_per_gdp_m3_per_10k_cny"]["value"] == "0"
    assert body["rates"]["water_per_gdp_m3_per_10k_cny"]["exact_value"] == "0.0000000001"
    assert not [s for s in decimal_strings(body) if "E" in s.upper()]
    assert f"Energy use per unit GDP: 1{'0' * 40} tce/10k CNY" in report["summary"]["en"]  # once a 500
