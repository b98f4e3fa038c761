"""The one rule the ledger writes decimals by in its answers (services/ledger/domain/rounding.py):
for people, at most 4 decimal places, half to even, trailing zeros removed, plain notation, zero
as "0"; the exact value every digit, plain notation. Never exponent form, whatever the Decimal's
exponent: a quantized zero such as Decimal("0E+1") is what `str()` used to let through."""

from __future__ import annotations

import random
from decimal import ROUND_HALF_EVEN, Context, Decimal

import pytest

from services.ledger.domain.rounding import PLACES, for_people, plain, rounded


@pytest.mark.parametrize("value", ["0E+1", "0E+10", "0E-5", "0E-40", "0.0000", "0", "-0", "-0E+3", "-0.000", "0E+999"])
def test_a_zero_of_any_exponent_or_sign_is_written_0(value):
    assert for_people(Decimal(value)) == "0"
    assert plain(Decimal(value)) == "0"


@pytest.mark.parametrize(
    "value, text",
    [
        ("2053.376470588235294117647058823530", "2053.3765"),  # the report's old unrounded value
        ("52.43298932798628715484555988430791", "52.433"),  # trailing zero of the 4 places removed
        ("12.5000", "12.5"),
        ("100.00", "100"),
        ("1E+3", "1000"),
        ("1.000E+4", "10000"),
        ("0.45", "0.45"),
        ("0.00006", "0.0001"),
    ],
)
def test_values_are_rounded_to_at_most_four_places_without_trailing_zeros(value, text):
    assert for_people(Decimal(value)) == text


@pytest.mark.parametrize(
    "value, text",
    [
        ("0.00005", "0"),  # a tie goes to the even neighbour: 0.0000
        ("0.00015", "0.0002"),  # ... 0.0002
        ("0.00025", "0.0002"),  # ... 0.0002, not 0.0003
        ("2.50005", "2.5"),
        ("2.50015", "2.5002"),
        ("99999.99995", "100000"),  # the carry runs through every place
        ("0.000050000000000000000000000000001", "0.0001"),  # above the tie: up
    ],
)
def test_rounding_is_half_to_even(value, text):
    assert for_people(Decimal(value)) == text


@pytest.mark.parametrize(
    "value, text",
    [
        ("1E+40", "1" + "0" * 40),
        ("123456789012345678901234567890123456789.98765", "123456789012345678901234567890123456789.9876"),
        ("9999999999999999999999999999999999.99995", "1" + "0" * 34),  # 38 digits, carried to 35
        ("1.5E+300", "15" + "0" * 299),
    ],
)
def test_very_large_values_are_written_in_full(value, text):
    assert for_people(Decimal(value)) == text  # the quantize never runs out of precision


@pytest.mark.parametrize(
    "value, text",
    [
        ("1E-30", "0"),
        ("5.555555555555555555555555555555556E-7", "0"),
        ("0.00004999", "0"),
        ("0.00001895641162710463560089929216758985", "0"),
        ("0.0000500001", "0.0001"),
    ],
)
def test_very_small_values_round_to_zero_or_their_fourth_place(value, text):
    assert for_people(Decimal(value)) == text


@pytest.mark.parametrize(
    "value, text",
    [
        ("-2053.376470588235294117647058823530", "-2053.3765"),
        ("-12.50", "-12.5"),
        ("-1E+3", "-1000"),
        ("-0.00015", "-0.0002"),
        ("-0.00004", "0"),  # never "-0"
        ("-0.00005", "0"),  # the tie goes to 0, written without a sign
        ("-1E-9", "0"),
    ],
)
def test_negative_values_as_a_correction_would_give_them(value, text):
    assert for_people(Decimal(value)) == text


@pytest.mark.parametrize(
    "value, text",
    [
        ("2053.376470588235294117647058823530", "2053.376470588235294117647058823530"),
        ("1.5E+3", "1500"),
        ("1E-9", "0.000000001"),
        ("-1E-9", "-0.000000001"),
        ("5.555555555555555555555555555555556E-7", "0.0000005555555555555555555555555555555556"),
        ("1E+40", "1" + "0" * 40),
    ],
)
def test_the_exact_value_keeps_every_digit_in_plain_notation(value, text):
    assert plain(Decimal(value)) == text
    assert Decimal(plain(Decimal(value))) == Decimal(value)


@pytest.mark.parametrize("value", [Decimal("NaN"), Decimal("Infinity"), Decimal("-Infinity"), 1.5, "1.5"])
def test_only_finite_decimals_are_written(value):
    with pytest.raises(ValueError):
        for_people(value)
    with pytest.raises(ValueError):
        plain(value)


def test_rounded_is_the_number_for_people_writes():
    value = Decimal("2053.376470588235294117647058823530")
    assert rounded(value) == Decimal("2053.3765") and isinstance(rounded(value), Decimal)
    assert plain(rounded(Decimal("1.000E+4"))) == for_people(Decimal("1.000E+4")) == "10000"
    assert plain(rounded(Decimal("0E+1"))) == "0"


def test_over_every_scale_the_text_is_plain_at_most_four_places_and_the_half_even_rounding():
    rng = random.Random(20261129)
    for _ in range(5000):
        digits = "".join(rng.choice("0123456789") for _ in range(rng.randint(1, 34)))
        value = Decimal(f"{rng.choice(['', '-'])}{digits}E{rng.randint(-45, 45)}")
        text = for_people(value)
        assert "E" not in text.upper() and text != "-0"
        places = len(text.partition(".")[2])
        assert places <= PLACES and not (places and text.endswith("0"))
        assert Decimal(text) == value.quantize(Decimal("1E-4"), rounding=ROUND_HALF_EVEN, context=Context(prec=200))
        exact = plain(value)
        assert "E" not in exact.upper() and Decimal(exact) == value
