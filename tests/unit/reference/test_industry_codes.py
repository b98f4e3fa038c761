"""GB/T 4754-2017 industry codes in the shapes enterprises actually type."""

import pytest

from services.listings.domain.reference.industry_codes import (
    divisions,
    sections,
    validate_industry_code,
)


@pytest.mark.parametrize("typed", ["C26", "C2614", "2614", "26", " c 2614 ", "C261"])
def test_chemical_manufacturing_is_accepted_with_or_without_the_section_letter(typed):
    code = validate_industry_code(typed)
    assert code.section == "C"
    assert code.division == "26"
    assert code.division_name == "化学原料和化学制品制造业"
    assert code.code.startswith("C26")


def test_missing_section_letter_is_filled_in():
    assert validate_industry_code("4411").code == "D4411"


def test_all_twenty_sections_and_ninety_seven_divisions_are_shipped():
    assert list(sections()) == list("ABCDEFGHIJKLMNOPQRST")
    assert sorted(divisions()) == [f"{n:02d}" for n in range(1, 98)]


@pytest.mark.parametrize(
    "division, section",
    [
        ("01", "A"),
        ("05", "A"),
        ("06", "B"),
        ("12", "B"),
        ("13", "C"),
        ("43", "C"),
        ("44", "D"),
        ("46", "D"),
        ("77", "N"),
        ("96", "S"),
        ("97", "T"),
    ],
)
def test_section_boundaries(division, section):
    assert validate_industry_code(division).section == section


def test_section_letter_that_contradicts_the_division_is_refused():
    with pytest.raises(ValueError, match="division 26 .* belongs to section C .* not section B"):
        validate_industry_code("B26")


@pytest.mark.parametrize("typed", ["00", "98", "99"])
def test_divisions_outside_01_to_97_are_refused(typed):
    with pytest.raises(ValueError, match=f"division {typed} does not exist"):
        validate_industry_code(typed)


@pytest.mark.parametrize("typed", ["C", "2", "C26141", "CC26", "26-14", ""])
def test_malformed_codes_are_refused(typed):
    with pytest.raises(ValueError, match="not in GB/T 4754-2017 form"):
        validate_industry_code(typed)
