"""Reading event envelopes in C: orjson, about three times the standard library's speed, wherever it
reads exactly what `json.loads` reads. It does not for integers beyond 64 bits (it makes them
floats), NaN or 1e400 (it refuses them): those envelopes are read by the standard library."""

from __future__ import annotations

import json
import re
from typing import Any

import orjson

_LONG_NUMBER = re.compile(rb"\d{19}")  # may be an integer beyond 64 bits (a string of digits only costs speed)


def loads(raw: bytes | str) -> Any:
    data = raw.encode() if isinstance(raw, str) else raw
    if not _LONG_NUMBER.search(data):
        try:
            return orjson.loads(data)
        except orjson.JSONDecodeError:
            pass
    return json.loads(data)
