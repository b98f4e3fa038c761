"""Indicator contributions of one exchange, each checked against arithmetic written out by hand.

Reference figures: 1 kgce = 29 307 kJ and electricity 0.1229 kgce/kWh (GB/T 2589); IPCC 2006
Table 2.2 CO2 defaults 94.6 / 56.1 / 77.4 / 74.1 tCO2/TJ (bituminous coal / natural gas /
residual fuel oil / gas-diesel oil); national grid 0.5568 / 0.5366 / 0.5306 kgCO2/kWh (2021-23).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import replace
from decimal import Decimal

import pytest

from services.common.coefficients import default_coefficients
from services.common.indicators import InvalidPayload, Unknown, contributions, from_dict, show, to_dict
from services.ledger.domain.canonical import canonical_entry

COEFFICIENTS = default_coefficients()


def delivery(amount="1000", unit="GJ", on="2024-05-01", **substitution) -> dict:
    return {
        "id": f"d-{amount}-{on}",
        "delivered_on": on,
        "amount": amount,
        "unit": unit,
        "evidence": {"meter_reading": "M-1", "period": on[:7]},
        "substitution": substitution,
    }


def payload(kind="heat", deliveries=(), hazardous=False) -> dict:
    return {
        "exchange_id": "ex-1",
        "kind": kind,
        "offer_id": "of-1",
        "want_id": None,
        "supplier": {"enterprise_id": "steelworks", "park_id": "park-1"},
        "receiver": {"enterprise_id": "dyehouse", "park_id": "park-1"},
        "waste_code": None,
        "hazardous": hazardous,
        "agreed_amount": "1",
        "agreed_unit": "t",
        "completed_at": "2024-06-30T08:00:00Z",
        "deliveries": list(deliveries),
    }


def one(kind, d, hazardous=False, region=None):
    """The indicators of a single-delivery exchange, by name."""
    result = contributions(payload(kind, [d], hazardous), COEFFICIENTS, region)
    return {i.name: i for i in result.deliveries[0].indicators}


def test_steam_replacing_a_coal_boiler():
    # 1,000 GJ / 0.85 = 1,176,470.588 MJ displaced; / 29,307 MJ per tce = 40.1430 tce;
    # 1.176470588 TJ x 94.6 tCO2/TJ = 111.294 t CO2
    got = one("heat", delivery("1000", "GJ", substitutes="boiler_heat", fuel="coal", boiler_efficiency="0.85"))
    assert show(got["energy_saved_tce"].value, 4) == "40.1430"
    assert show(got["co2_reduced_t"].value, 3) == "111.294"
    assert abs(got["energy_saved_tce"].value - Decimal("40.142989327986287154845")) < Decimal("1e-20")  # unrounded
    assert [(u.id, u.version) for u in got["energy_saved_tce"].coefficients] == [("gbt2589.kgce_lhv", 1)]
    assert [(u.id, u.version) for u in got["co2_reduced_t"].coefficients] == [
        ("ipcc2006.v2c2.t2_2.other_bituminous_coal", 1)
    ]
    assert "1,176,470.588 MJ" in got["energy_saved_tce"].basis and "40.1430 tce" in got["energy_saved_tce"].basis
    assert "other bituminous coal" in " ".join(got["co2_reduced_t"].assumptions)
    assert set(got) == {"energy_saved_tce", "co2_reduced_t"}  # water and waste do not apply to heat


def test_heat_in_mwh_replacing_a_gas_boiler_of_unstated_efficiency():
    # 500 MWh x 3.6 = 1,800 GJ; / 0.9 (assumed) = 2,000 GJ = 2,000,000 MJ
    # energy 2,000,000 / 29,307 = 68.2431 tce; CO2 2 TJ x 56.1 = 112.2 t
    got = one("heat", delivery("500", "MWh", substitutes="boiler_heat", fuel="natural_gas"))
    assert show(got["energy_saved_tce"].value) == "68.2431"
    assert got["co2_reduced_t"].value == Decimal("112.2")
    assert "boiler efficiency not stated; assumed 0.9" in got["energy_saved_tce"].assumptions
    assert "boiler efficiency not stated; assumed 0.9" in got["co2_reduced_t"].assumptions


def test_heat_replacing_a_fuel_oil_boiler():
    # 100 GJ / 0.8 = 125,000 MJ; 125,000 / 29,307 = 4.2652 tce; 0.125 TJ x 77.4 = 9.675 t
    got = one("heat", delivery("100", substitutes="boiler_heat", fuel="fuel_oil", boiler_efficiency="0.8"))
    assert show(got["energy_saved_tce"].value) == "4.2652"
    assert got["co2_reduced_t"].value == Decimal("9.675")


def test_heat_replacing_a_diesel_boiler():
    # 29.307 GJ / 1.0 = 29,307 MJ = exactly 1 tce; 0.029307 TJ x 74.1 = 2.1716487 t
    got = one("heat", delivery("29.307", substitutes="boiler_heat", fuel="diesel", boiler_efficiency="1"))
    assert got["energy_saved_tce"].value == 1
    assert got["co2_reduced_t"].value == Decimal("2.1716487")


@pytest.mark.parametrize("year, co2", [("2021", "55.68"), ("2022", "53.66"), ("2023", "53.06")])
def test_heat_replacing_an_electric_boiler_uses_the_grid_factor_of_the_delivery_year(year, co2):
    # 360 GJ / 1.0 = 360,000 MJ / 3.6 = 100,000 kWh; x 0.1229 kgce/kWh / 1000 = 12.29 tce;
    # x 0.5568 / 0.5366 / 0.5306 kgCO2/kWh / 1000 = 55.68 / 53.66 / 53.06 t
    got = one(
        "heat",
        delivery("360", on=f"{year}-03-01", substitutes="boiler_heat", fuel="electricity", boiler_efficiency="1"),
    )
    assert got["energy_saved_tce"].value == Decimal("12.29")
    assert got["co2_reduced_t"].value == Decimal(co2)
    assert got["co2_reduced_t"].coefficients[0].id == f"mee_nbs.grid_co2.CN.{year}"
    assert got["co2_reduced_t"].coefficients[0].fallback is None


def test_an_electric_boiler_after_the_last_published_year_records_the_fallbacks():
    got = one(
        "heat",
        delivery("360", on="2025-03-01", substitutes="boiler_heat", fuel="electricity", boiler_efficiency="1"),
        region="320000",
    )
    co2 = got["co2_reduced_t"]
    assert co2.value == Decimal("53.06")
    assert "region 320000" in co2.coefficients[0].fallback and "used 2023" in co2.coefficients[0].fallback
    assert co2.coefficients[0].fallback in co2.assumptions


def test_heat_that_does_not_say_which_fuel_it_replaces_is_unknown_not_zero():
    got = one("heat", delivery("1000", substitutes="boiler_heat"))
    assert isinstance(got["energy_saved_tce"].value, Unknown)
    assert isinstance(got["co2_reduced_t"].value, Unknown)
    assert "fuel" in got["co2_reduced_t"].value.reason


def test_reclaimed_water_replacing_municipal_water():
    # 1,250 m3 metered: 1,250 m3 of municipal water saved and 1,250 m3 not discharged
    got = one("water", delivery("1250", "m3", substitutes="municipal_water"))
    assert got["water_saved_m3"].value == Decimal("1250")
    assert got["wastewater_avoided_m3"].value == Decimal("1250")
    assert "otherwise have discharged" in got["wastewater_avoided_m3"].assumptions[0]
    assert set(got) == {"water_saved_m3", "wastewater_avoided_m3"}


def test_water_that_does_not_say_what_it_replaces_saves_an_unknown_amount():
    got = one("water", delivery("80", "m3"))
    assert isinstance(got["water_saved_m3"].value, Unknown)
    assert got["wastewater_avoided_m3"].value == Decimal("80")


def test_general_solid_waste_utilised_and_its_unknown_energy_and_carbon():
    # 300 t of slag used instead of natural gypsum: 300 t utilised; no verified substitution factor
    got = one("material", delivery("300", "t", substitutes="virgin_material", material="natural gypsum"))
    assert got["solid_waste_utilised_t"].value == Decimal("300")
    assert "hazardous_waste_utilised_t" not in got
    for name in ("energy_saved_tce", "co2_reduced_t"):
        assert isinstance(got[name].value, Unknown)
        assert "natural gypsum" in got[name].value.reason


def test_hazardous_waste_utilised_is_reported_apart():
    got = one("material", delivery("12.5", "t"), hazardous=True)
    assert got["hazardous_waste_utilised_t"].value == Decimal("12.5")
    assert "solid_waste_utilised_t" not in got


def test_the_exchange_total_sums_its_deliveries():
    # 1,000 GJ + 500 GJ at 0.85 on coal: 1,764,705.882 MJ -> 60.2145 tce and 166.941 t
    result = contributions(
        payload(
            "heat",
            [
                delivery("1000", substitutes="boiler_heat", fuel="coal", boiler_efficiency="0.85"),
                delivery("500", on="2024-06-01", substitutes="boiler_heat", fuel="coal", boiler_efficiency="0.85"),
            ],
        ),
        COEFFICIENTS,
    )
    assert show(result.totals["energy_saved_tce"].value) == "60.2145"
    assert show(result.totals["co2_reduced_t"].value, 3) == "166.941"
    assert result.coefficient_versions() == {"gbt2589.kgce_lhv": 1, "ipcc2006.v2c2.t2_2.other_bituminous_coal": 1}


def test_one_unknown_delivery_makes_the_exchange_total_unknown():
    result = contributions(
        payload("heat", [delivery("1000", substitutes="boiler_heat", fuel="coal"), delivery("10", on="2024-06-01")]),
        COEFFICIENTS,
    )
    total = result.totals["co2_reduced_t"]
    assert isinstance(total.value, Unknown) and total.value.reason.startswith("1 of 2 deliveries unknown")


def test_a_new_factor_version_never_changes_a_past_contribution():
    d = delivery("360", on="2023-03-01", substitutes="boiler_heat", fuel="electricity", boiler_efficiency="1")
    before = contributions(payload("heat", [d]), COEFFICIENTS)
    recorded = to_dict(before)
    old = COEFFICIENTS.get("mee_nbs.grid_co2.CN.2023", 1)
    revised = COEFFICIENTS.with_version(replace(old, version=2, value=Decimal("0.5000")))
    after = contributions(payload("heat", [d]), revised)
    assert after.totals["co2_reduced_t"].value == Decimal("50")  # 100,000 kWh x 0.5000 / 1000
    assert before.totals["co2_reduced_t"].value == Decimal("53.06")
    assert to_dict(before) == recorded
    replay = contributions(payload("heat", [d]), revised.pinned(before.coefficient_versions()))
    assert to_dict(replay) == recorded


def test_a_contribution_survives_the_ledger_round_trip_as_canonical_json():
    result = contributions(payload("material", [delivery("300", "t")]), COEFFICIENTS)
    data = to_dict(result)
    assert canonical_entry(data)  # decimal strings, no floats
    assert from_dict(data) == result


@pytest.mark.parametrize(
    "bad, field",
    [
        (delivery("10", "t", substitutes="boiler_heat", fuel="coal"), "deliveries[0].unit"),
        ({**delivery(), "amount": 10.0}, "deliveries[0].amount"),
        (delivery("-1", substitutes="boiler_heat", fuel="coal"), "deliveries[0].amount"),
        (delivery("NaN"), "deliveries[0].amount"),
        (
            delivery("1", substitutes="boiler_heat", fuel="coal", boiler_efficiency="1.2"),
            "deliveries[0].substitution.boiler_efficiency",
        ),
        (delivery("1", substitutes="boiler_heat", fuel="peat"), "deliveries[0].substitution.fuel"),
        (delivery("1", on="2024-13-01"), "deliveries[0].delivered_on"),
    ],
)
def test_a_payload_that_breaks_the_contract_is_refused_naming_the_field(bad, field):
    with pytest.raises(InvalidPayload) as refused:
        contributions(payload("heat", [bad]), COEFFICIENTS)
    assert refused.value.field == field


# --- decimals in an entry's texts: plain notation for new entries, the same bytes as before otherwise -----

EXPONENT = re.compile(rb"\d(?:\.\d+)?E[+-]?\d")  # 1.000E+4, 5.5E-7, 0E+1


def entry_bytes(kind, deliveries, hazardous=False) -> bytes:
    return canonical_entry(to_dict(contributions(payload(kind, deliveries, hazardous), COEFFICIENTS)))


@pytest.mark.parametrize(
    "kind, d, hazardous, sha256",
    [
        (
            "heat",
            delivery("1000", "GJ", substitutes="boiler_heat", fuel="coal", boiler_efficiency="0.85"),
            False,
            "20268368d50f9f527a2c2508fe72a4f34bc009f9354314216d7b4b4911678478",
        ),
        (
            "heat",
            delivery("500", "MWh", substitutes="boiler_heat", fuel="natural_gas"),
            False,
            "822d80bc57d49161a7bfb024e373f493c370350a9a252f14060466a349945a0c",
        ),
        (
            "heat",
            delivery(
                "360", "GJ", on="2022-03-01", substitutes="boiler_heat", fuel="electricity", boiler_efficiency="1"
            ),
            False,
            "b4ecc3a189f49d3ffa424b3a576b627a2c1f25fc27930d4cd51a349cfc94a9dc",
        ),
        (
            "heat",
            delivery("0.001", "GJ", substitutes="boiler_heat", fuel="diesel", boiler_efficiency="0.95"),
            False,
            "aff5601bf30af22ee60817f6cba5ff3f5badd6b79d1ed7686feda0b80edb22fc",
        ),
        ("heat", delivery("12.5", "MWh"), False, "2b2bda2c1666bdbf29b10bf4ebb1f9f55e136a752145220638e1d44a99d64644"),
        (
            "material",
            delivery("3000", "t", substitutes="virgin_material", material="natural gypsum"),
            False,
            "cf5a4667a6d05f75b7ff68f71107ffe4f77844b2ed6d3cc627a8c9a15dddb96f",
        ),
        ("material", delivery("12.5", "t"), True, "d0b1c68015c2189d662561cab5b65713dc897fd2d1f59900736129e638c09e05"),
    ],
)
def test_the_contribution_of_an_ordinary_exchange_is_byte_for_byte_what_it_was(kind, d, hazardous, sha256):
    # digests of the canonical contribution as the ledger wrote it before decimals in its texts were
    # written with format(value, "f") instead of str(value): the same wherever str() wrote plain notation
    assert hashlib.sha256(entry_bytes(kind, [d], hazardous)).hexdigest() == sha256


def test_water_contributions_are_byte_for_byte_what_they_were():
    data = entry_bytes("water", [delivery("1250.5", "m3", substitutes="municipal_water"), delivery("0.000001", "m3")])
    assert hashlib.sha256(data).hexdigest() == "89e8229cd202c531595251d2a340e927629bc3b5c2193a4e00ee40f0f33d71e1"


@pytest.mark.parametrize(
    "amount, unit, text",
    [
        # 9,000,000 GJ / 0.9 = 10,000,000,000 MJ: str() wrote "1.000E+4 TJ"
        ("9000000", "GJ", "= 10000 TJ; x 56.1 tCO2/TJ"),
        # 0.0005 GJ / 0.9 = 0.556 MJ: str() wrote "5.555555555555555555555555555555556E-7 TJ"
        ("0.0005", "GJ", "= 0.0000005555555555555555555555555555555556 TJ; x 56.1"),
        # a producer writing "1E+3": str() wrote "1E+3 MWh x 3.6 GJ/MWh = 3.6E+3 GJ"
        ("1E+3", "MWh", "1000 MWh x 3.6 GJ/MWh = 3600 GJ / efficiency 0.9"),
    ],
)
def test_a_new_entry_writes_its_decimals_in_plain_notation(amount, unit, text):
    d = {**delivery(amount, unit, substitutes="boiler_heat", fuel="natural_gas", boiler_efficiency="0.9"), "id": "d-1"}
    data = entry_bytes("heat", [d])
    assert not EXPONENT.search(data), EXPONENT.search(data)
    assert text in one("heat", d)["co2_reduced_t"].basis


def test_a_delivery_too_large_to_compute_is_refused_naming_it_not_raised_as_an_arithmetic_error():
    # contract-valid ("amount" is a decimal string), but 1E+40 GJ cannot be shown to 3 places at 34 digits:
    # the worker used to fail on it again and again, holding up every event behind it
    with pytest.raises(InvalidPayload) as refused:
        contributions(payload("heat", [delivery("1E+40", substitutes="boiler_heat", fuel="coal")]), COEFFICIENTS)
    assert refused.value.field == "deliveries[0]" and "34 significant digits" in str(refused.value)
