"""Envelopes read off the bus are exactly what `json.loads` reads, whichever reader takes them."""

from __future__ import annotations

import json

import pytest

from services.common.bus import envelope
from services.common.events import Event


@pytest.mark.parametrize(
    "value",
    [
        2**64,  # orjson would make these floats: the standard library reads them
        -(2**63) - 1,
        10**30,
        9_223_372_036_854_775_807,  # 19 digits that orjson reads exactly
        1_000_000_000_000_000,
        "M-1234567890123456789012",  # a run of digits inside a string
        "100.5",
        1.5,
    ],
)
def test_every_value_reads_as_the_standard_library_reads_it(value):
    raw = Event("ExchangeCompleted", "k", {"amount": value, "list": [value]}).to_json()
    read = envelope.loads(raw)
    assert read == json.loads(raw)
    assert type(read["payload"]["amount"]) is type(value)


def test_constants_orjson_refuses_are_read_all_the_same():
    assert envelope.loads(b'{"a": NaN, "b": 1e400}')["b"] == float("inf")
    assert envelope.loads('{"名": "园区"}') == {"名": "园区"}
