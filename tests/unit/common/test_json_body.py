"""Bodies are read strictly: what RFC 8259 does not allow, or what no database can store, is refused
with a reason instead of being parsed loosely (or crashing the parser)."""

from __future__ import annotations

import pytest

from services.common.json_body import MAX_DEPTH, BadBody, parse


def test_an_ordinary_body_is_read_as_json():
    assert parse(b'{"title": "\xe8\x92\xb8\xe6\xb1\xbd", "amount": 1.5, "days": 330, "codes": ["a"]}') == {
        "title": "蒸汽",
        "amount": 1.5,
        "days": 330,
        "codes": ["a"],
    }


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"[" * 5000 + b"]" * 5000, "nested deeper"),
        (b'{"a":' * (MAX_DEPTH + 1) + b"1" + b"}" * (MAX_DEPTH + 1), "nested deeper"),
        (b'{"amount": NaN}', "NaN is not a JSON number"),
        (b'{"amount": -Infinity}', "-Infinity is not a JSON number"),
        (b'{"amount": 1e400}', "out of range"),
        (b'{"title": "a", "title": "b"}', "'title' appears more than once"),
        (b'{"title": "\xff\xfe"}', "not UTF-8"),
        (b'{"title": "\\ud800"}', "lone surrogates"),
        (b'{"\\udfff": 1}', "lone surrogates"),
        (b'{"n": ' + b"9" * 5000 + b"}", "not valid JSON"),
        (b"{not json", "not valid JSON"),
    ],
)
def test_hostile_bodies_are_refused_with_the_reason(raw, reason):
    with pytest.raises(BadBody, match=reason):
        parse(raw)


def test_nesting_up_to_the_limit_is_accepted():
    depth = MAX_DEPTH
    assert parse(b"[" * depth + b"]" * depth) is not None
