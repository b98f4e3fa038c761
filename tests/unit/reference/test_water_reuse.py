"""GB/T 19923 reuse categories: a supply reaches a want at or below its own rung."""

import pytest

from services.listings.domain.reference.water_reuse import ReuseCategory, reaches

LADDER = ["washing", "circulating_cooling", "boiler_makeup", "process"]


def test_machine_names_are_the_enum_values():
    assert [c.value for c in ReuseCategory] == [
        "washing",
        "direct_cooling",
        "circulating_cooling",
        "boiler_makeup",
        "process",
    ]


def test_washing_and_direct_cooling_share_the_lowest_rung():
    assert ReuseCategory.WASHING.rank == ReuseCategory.DIRECT_COOLING.rank == 1
    assert reaches(ReuseCategory.WASHING, ReuseCategory.DIRECT_COOLING)
    assert reaches(ReuseCategory.DIRECT_COOLING, ReuseCategory.WASHING)


@pytest.mark.parametrize("low, high", [(LADDER[i], LADDER[j]) for i in range(4) for j in range(i + 1, 4)])
def test_higher_grade_supply_reaches_lower_want_but_not_the_reverse(low, high):
    assert reaches(ReuseCategory(high), ReuseCategory(low))
    assert not reaches(ReuseCategory(low), ReuseCategory(high))


@pytest.mark.parametrize("category", list(ReuseCategory))
def test_every_category_reaches_itself(category):
    assert reaches(category, category)


def test_chinese_labels_follow_the_standard():
    assert ReuseCategory.BOILER_MAKEUP.label_zh == "锅炉补给水"
    assert ReuseCategory.PROCESS.label_zh == "工艺与产品用水"


def test_categories_compare_as_strings_for_storage():
    assert ReuseCategory.PROCESS == "process"


def test_unknown_category_names_the_allowed_ones():
    assert ReuseCategory.parse(" Boiler_Makeup ") is ReuseCategory.BOILER_MAKEUP
    with pytest.raises(ValueError, match="not one of the GB/T 19923-2005 categories: washing"):
        ReuseCategory.parse("drinking")
