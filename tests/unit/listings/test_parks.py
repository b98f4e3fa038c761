"""Parks: one of China's 31 provincial-level divisions, one baseline per year, and a public
view that keeps the baselines for the park's managers and admins."""

from __future__ import annotations

import pytest

from services.common.errors import InvalidFields
from services.common.geo import Location
from services.listings.domain.parks import PROVINCES, Park, ParkLevel, ParkType, YearlyBaseline

LIANYUNGANG = Location(34.5967, 119.2216)


def baseline(year: int = 2024, **overrides) -> YearlyBaseline:
    values = {
        "year": year,
        "gdp_10k_cny": 5_200_000.0,
        "energy_tce": 1_800_000.0,
        "water_m3": 42_000_000.0,
        "solid_waste_generated_t": 960_000.0,
    }
    return YearlyBaseline(**{**values, **overrides})


def create(**overrides) -> Park:
    values = {
        "name": "Lianyungang Petrochemical Industrial Base",
        "province": "Jiangsu",
        "level": "national",
        "park_type": "chemical_park",
        "centroid": LIANYUNGANG,
        "baselines": [baseline(2024), baseline(2023)],
    }
    return Park.create(**{**values, **overrides})


def test_creating_a_park_records_park_created_and_sorts_its_baselines_by_year():
    park = create()

    assert park.level is ParkLevel.NATIONAL and park.park_type is ParkType.CHEMICAL_PARK
    assert [b.year for b in park.baselines] == [2023, 2024]
    (event,) = park.events
    assert event.type == "ParkCreated"
    assert event.payload == park.to_dict()


def test_there_are_31_provinces():
    assert len(PROVINCES) == len(set(PROVINCES)) == 31


@pytest.mark.parametrize("province", ["Jiangsu Province", "jiangsu", "Atlantis", ""])
def test_an_unknown_province_is_refused(province):
    with pytest.raises(InvalidFields) as caught:
        create(province=province)

    assert list(caught.value.errors) == ["province"]


def test_duplicate_baseline_years_are_refused():
    with pytest.raises(InvalidFields) as caught:
        create(baselines=[baseline(2023), baseline(2024), baseline(2023, water_m3=1.0)])

    assert caught.value.errors == {"baselines": ["each year may appear only once"]}


def test_a_blank_name_and_an_unknown_province_are_reported_together():
    with pytest.raises(InvalidFields) as caught:
        create(name="  ", province="Nowhere")

    assert set(caught.value.errors) == {"name", "province"}


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"year": 1999}, "year"),
        ({"year": 2101}, "year"),
        ({"energy_tce": -1.0}, "energy_tce"),
        ({"gdp_10k_cny": -0.01}, "gdp_10k_cny"),
    ],
)
def test_a_baseline_refuses_an_implausible_year_or_a_negative_total(overrides, field):
    with pytest.raises(InvalidFields) as caught:
        baseline(**overrides)

    assert list(caught.value.errors) == [field]


def test_the_public_view_hides_baselines_but_keeps_everything_else():
    park = create()

    public = park.public()

    assert public.baselines == []
    assert public.events == []
    assert public.to_dict() == {**park.to_dict(), "baselines": []}
    assert [b.year for b in park.baselines] == [2023, 2024]


def test_setting_a_baseline_replaces_that_year_and_records_the_change():
    park = create()

    park.set_baseline(baseline(2024, water_m3=40_000_000.0))
    park.set_baseline(baseline(2022))

    assert [b.year for b in park.baselines] == [2022, 2023, 2024]
    assert park.baselines[-1].water_m3 == 40_000_000.0
    assert park.events[-1].type == "ParkBaselineSet"
    assert park.events[-1].payload == {"park_id": park.id, **baseline(2022).__dict__}
