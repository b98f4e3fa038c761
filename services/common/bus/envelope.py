"""Reading event envelopes in C: orjson, about three times the standard library's speed, wherever it
reads exactly what `json.loads` reads. It does not for integers beyond 64 bits (it makes them
floats), NaN or 1e400 (it refuses them): those envelopes are read by the standard library.

An envelope holding a run of 19 digits anywhere (perhaps such an integer) goes to the standard library.
The run is found by mapping every digit to "0" and searching for nineteen of them: two C passes, a
quarter of what the regular expression `\\d{19}` cost on an 800-byte envelope (6 µs of a 10 µs read)."""

from __future__ import annotations

import json
from typing import Any

import orjson

_DIGITS_AS_ZEROS = bytes.maketrans(b"123456789", b"000000000")
_LONG_RUN = b"0" * 19  # may be an integer beyond 64 bits (a run inside a string only costs speed)


def loads(raw: bytes | str) -> Any:
    data = raw.encode() if isinstance(raw, str) else raw
    if _LONG_RUN not in data.translate(_DIGITS_AS_ZEROS):
        try:
            return orjson.loads(data)
        except orjson.JSONDecodeError:
            pass
    return json.loads(data)
