"""GB 32100-2015 Unified Social Credit Codes as users type them into enterprise profiles."""

import pytest

from services.listings.domain.reference.credit_code import (
    credit_check_char,
    make_credit_code,
    organisation_check_char,
    validate_credit_code,
)

# Published codes of well-known companies (printed on their business licences and repeated
# in many public sources): Huawei Technologies Co., Ltd.; Tencent (Shenzhen Tencent
# Computer Systems Co., Ltd.); an Alibaba (China) company in Hangzhou; BYD Co., Ltd.;
# China Petroleum & Chemical Corporation (Sinopec).
PUBLISHED = [
    "914403001922038216",
    "91440300708461136T",
    "91330100799655058B",
    "91440300192317458F",
    "91110000710926094P",
]


@pytest.mark.parametrize("code", PUBLISHED)
def test_published_company_codes_are_accepted(code):
    assert validate_credit_code(code) == code


def test_lower_case_spaces_and_hyphens_are_normalised():
    assert validate_credit_code(" 91440300-708461136t ") == "91440300708461136T"


def test_wrong_final_check_digit_names_the_expected_one():
    with pytest.raises(ValueError, match="check digit is '7' but GB 32100-2015 gives '6'"):
        validate_credit_code("914403001922038217")


def test_every_single_character_typo_in_the_first_17_is_caught():
    code = PUBLISHED[0]
    for position in range(17):
        for replacement in "0123456789ABCDEFGHJKLMNPQRTUWXY":
            typo = code[:position] + replacement + code[position + 1 :]
            if typo != code:
                with pytest.raises(ValueError):
                    validate_credit_code(typo)


@pytest.mark.parametrize("letter", "IOZSV")
def test_letters_excluded_by_the_standard_are_refused(letter):
    with pytest.raises(ValueError, match=f"'{letter}'.*other than I, O, Z, S and V"):
        validate_credit_code("91440300192203" + letter + "216")


def test_wrong_length_is_refused():
    with pytest.raises(ValueError, match="must be 18 characters"):
        validate_credit_code("91440300192203821")


def test_unknown_registration_authority_is_refused():
    with pytest.raises(ValueError, match="registration authority code .* 'B'"):
        validate_credit_code("B14403001922038216")


def test_institution_category_must_exist_for_its_authority():
    with pytest.raises(ValueError, match="institution category .* '4' .* authority '9'"):
        validate_credit_code("944403001922038216")


def test_administrative_division_must_be_six_digits():
    prefix = "9144A300" + "19220382" + "1"
    with pytest.raises(ValueError, match="administrative division code"):
        validate_credit_code(prefix + credit_check_char(prefix))


def test_organisation_code_check_character_follows_gb_11714():
    # Same 18th character as if the organisation code were right, so only GB 11714 can object.
    prefix = "91440300" + "19220382" + "X"
    with pytest.raises(ValueError, match="GB 11714 gives '1'"):
        validate_credit_code(prefix + credit_check_char(prefix))


def test_organisation_check_writes_ten_as_x():
    assert organisation_check_char("19220383") == "X"


def test_check_character_of_a_published_code_is_recomputed_from_its_first_17():
    # Standard weights 1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28 (3^i mod 31).
    assert credit_check_char("91440300192203821") == "6"


def test_make_credit_code_appends_a_check_character_that_validates():
    body = "MA1T2E3A"
    code = make_credit_code("91320500" + body + organisation_check_char(body))
    assert len(code) == 18
    assert validate_credit_code(code) == code


def test_make_credit_code_refuses_a_malformed_prefix():
    with pytest.raises(ValueError, match="17 characters"):
        make_credit_code("9132050")
