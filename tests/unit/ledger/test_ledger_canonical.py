"""Ledger entries as RFC 8785 canonical JSON; the examples are the RFC's own (§3.2.2, §3.2.3)."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
import rfc8785
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.ledger.domain.canonical import (
    MAX_SAFE_INTEGER,
    EntryEncodingError,
    canonical_entry,
    is_canonical,
    parse_entry,
)
from services.ledger.domain.entries import exchange_entry

# RFC 8785 §3.2.3, "Sorting of Object Properties": keys sort by UTF-16 code units, so the emoji
# (surrogates D83D DE00) sorts before U+FB33 although its code point is larger.
SORTING_INPUT = {
    "\u20ac": "Euro Sign",
    "\r": "Carriage Return",
    "\ufb33": "Hebrew Letter Dalet With Dagesh",
    "1": "One",
    "\U0001f600": "Emoji: Grinning Face",
    "\u0080": "Control",
    "\u00f6": "Latin Small Letter O With Diaeresis",
}
SORTING_OUTPUT = (
    '{"\\r":"Carriage Return","1":"One","\u0080":"Control",'
    '"\u00f6":"Latin Small Letter O With Diaeresis","\u20ac":"Euro Sign",'
    '"\U0001f600":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}'
)

# RFC 8785 §3.2.2 example: "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/"
RFC_STRING = '\u20ac$\u000f\nA\'B"\\\\"/'
RFC_STRING_OUT = '"\u20ac$\\u000f\\nA\'B\\"\\\\\\\\\\"/"'


def test_rfc8785_property_sorting_example():
    assert canonical_entry(SORTING_INPUT) == SORTING_OUTPUT.encode("utf-8")


def test_rfc8785_string_and_literals_example():
    entry = {"string": RFC_STRING, "literals": [None, True, False]}
    assert canonical_entry(entry) == ('{"literals":[null,true,false],"string":' + RFC_STRING_OUT + "}").encode()


def test_the_library_formats_the_rfc_number_example():
    """The numbers part of §3.2.2, pinned on the library: it is why we refuse floats ourselves."""
    value = {
        "numbers": [333333333.33333329, 1e30, 4.50, 2e-3, 0.000000000000000000000000001],
        "string": RFC_STRING,
        "literals": [None, True, False],
    }
    expected = (
        '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],'
        '"string":' + RFC_STRING_OUT + "}"
    )
    assert rfc8785.dumps(value) == expected.encode("utf-8")


def test_floats_are_refused_with_their_place():
    with pytest.raises(EntryEncodingError) as err:
        canonical_entry({"lines": [{"qty": "1"}, {"qty": 12.5}]})
    assert err.value.path == "$.lines[1].qty"
    assert "decimal strings" in str(err.value)


@pytest.mark.parametrize("number", [-0.0, 0.0, 1.0, 1e308, 5e-324, 1e21, 1e-7, 2.0**53, float("nan"), float("inf")])
def test_every_float_is_refused_however_it_would_print(number):
    """-0.0 (JCS writes 0), 1e21 (the exponent form begins), 5e-324 (subnormal): no float is written."""
    with pytest.raises(EntryEncodingError) as err:
        canonical_entry({"a": {"b": [1, "苏", number]}})
    assert err.value.path == "$.a.b[2]"


def test_chinese_text_and_keys_beyond_u_e000_are_written_in_utf16_key_order():
    """Chinese text (not ASCII, below U+E000) keeps the fast path; a key holding U+E000.. or an astral
    character anywhere, however deep, sorts by UTF-16 code units, as RFC 8785 says (U+10000 first)."""
    chinese = {"园区": "苏州工业园区", "b": ["蒸汽", {"热": 1}]}
    assert (
        canonical_entry(chinese)
        == rfc8785.dumps(chinese)
        == json.dumps(chinese, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    )
    wide = {"note": "苏州", "deep": [{"x": {"\ue000": 1, "\U00010000": 2, "z": "蒸汽", "\uffff": 3}}]}
    data = canonical_entry(wide)
    assert data == rfc8785.dumps(wide)
    assert data.index("\U00010000".encode()) < data.index("\ue000".encode()) < data.index("\uffff".encode())


def test_values_deep_inside_are_converted_and_the_entry_given_is_left_as_it_was():
    shared = {"unit": "t"}
    entry = {"a": {"x": "1", "y": [shared, (Decimal("1.50"), {"z": Decimal("2")})]}, "b": shared, "c": [1, True]}
    before = repr(entry)
    data = canonical_entry(entry)
    assert data == b'{"a":{"x":"1","y":[{"unit":"t"},["1.50",{"z":"2"}]]},"b":{"unit":"t"},"c":[1,true]}'
    assert repr(entry) == before and type(entry["a"]["y"][1]) is tuple


def test_decimals_become_decimal_strings_with_their_scale():
    entry = {"amount": Decimal("1250.50"), "tiny": Decimal("1E-7"), "count": 3}
    assert canonical_entry(entry) == b'{"amount":"1250.50","count":3,"tiny":"0.0000001"}'
    with pytest.raises(EntryEncodingError):
        canonical_entry({"amount": Decimal("NaN")})


@pytest.mark.parametrize("bad", [{"n": 2**53}, {"n": -(2**53)}, {1: "x"}, {"b": b"bytes"}, {"s": {1, 2}}, ["list"]])
def test_other_ambiguous_values_are_refused(bad):
    with pytest.raises(EntryEncodingError):
        canonical_entry(bad)


def test_largest_exact_integers_are_fine():
    assert canonical_entry({"n": 2**53 - 1, "m": -(2**53 - 1)}) == b'{"m":-9007199254740991,"n":9007199254740991}'


def test_lone_surrogates_are_refused():
    with pytest.raises(EntryEncodingError):
        canonical_entry({"s": "\ud800"})


def test_parse_entry_round_trips_and_insists_on_the_canonical_form():
    entry = {"exchange": "ex-1", "amount": "12.50", "park": "苏州工业园区", "items": [1, 2]}
    data = canonical_entry(entry)
    assert parse_entry(data) == entry and is_canonical(data)
    for not_canonical in (
        b'{"b":1, "a":2}',
        b'{"b":1,"a":2}',
        b'{"a":1.5}',
        b'{"a":1,"a":1}',
        b'{"a":NaN}',
        b"[1]",
        b"\xff",
        b'{"a":"x"}\n',
    ):
        assert not is_canonical(not_canonical), not_canonical


# Characters from every corner that matters to RFC 8785: ASCII controls and quotes (escaped), U+007F
# and non-ASCII (literal UTF-8), U+E000..U+FFFF and beyond U+FFFF (where UTF-16 order differs from
# code-point order); lone surrogates are refused above.
_TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=12) | st.text(
    st.sampled_from('\x00\x1f\x7f"\\/\b\t\n\f\r aZ9é€苏\ue000\ufb33\uffff\U00010000\U0001f600'), max_size=8
)
_SAFE_INTEGERS = st.integers(-MAX_SAFE_INTEGER, MAX_SAFE_INTEGER)
_JSON = st.recursive(
    st.none() | st.booleans() | _SAFE_INTEGERS | _TEXT,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(_TEXT, inner, max_size=6),
    max_leaves=25,
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(_TEXT, _JSON, max_size=8))
def test_canonical_entry_writes_the_bytes_rfc8785_writes(entry):
    """Entries are written by the standard library's encoder where that gives the same bytes: it
    must, byte for byte, for any entry (non-ASCII, controls, astral keys, integers, nesting)."""
    assert canonical_entry(entry) == rfc8785.dumps(entry)


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 10**6), st.text(max_size=20), st.decimals(allow_nan=False, allow_infinity=False, places=3))
def test_exchange_entries_are_rfc8785_bytes(index, note, amount):
    exchange = {
        "exchange_id": "ex-1",
        "supplier": {"enterprise_id": "e-1", "park_id": "p-1", "name": note},
        "deliveries": [{"amount": amount, "unit": "t", "evidence": {"note": note, "seq": index}}],
    }
    data = exchange_entry(index, "ev-1", "2026-06-30T08:00:00+00:00", exchange, {"co2_t": amount})
    assert data == rfc8785.dumps(json.loads(data)) and parse_entry(data)["index"] == index
