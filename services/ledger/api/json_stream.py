"""A JSON object written out as it is read, for documents too large to hold (the ledger export)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

import orjson

ITEMS_PER_CHUNK = 1000


def json_stream(document: Mapping[str, str | Iterable[str]]) -> Iterator[bytes]:
    """`document` as a JSON object: its string values whole, its other values (iterables of strings,
    perhaps read from the store as they go) as arrays written a thousand items at a time."""
    yield b"{"
    for n, (key, value) in enumerate(document.items()):
        head = (b"," if n else b"") + orjson.dumps(key) + b":"
        if isinstance(value, str):
            yield head + orjson.dumps(value)
            continue
        chunk = [head + b"["]
        for i, item in enumerate(value):
            chunk.append((b"," if i else b"") + orjson.dumps(item))
            if len(chunk) >= ITEMS_PER_CHUNK:
                yield b"".join(chunk)
                chunk = []
        chunk.append(b"]")
        yield b"".join(chunk)
    yield b"}"
