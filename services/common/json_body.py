"""Reading a request's JSON body strictly, so hostile input is refused before any rule sees it.

Python's `json` accepts what RFC 8259 does not (NaN, Infinity, 1e400 read as infinity, a key given
twice, the last one silently winning), recurses until it crashes on deep nesting, and lets lone
surrogates through (`"\\ud800"`), which neither SQLite nor PostgreSQL can store. Each of these is a
`BadBody` here, which the web layer answers with 400.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

# Our deepest body (a listing's material properties) nests four levels; anything far deeper is abuse.
MAX_DEPTH = 32
_SURROGATE = re.compile("[\ud800-\udfff]")


class BadBody(ValueError):
    """The body is not JSON we accept; the message says why, for the `body` field."""


def _refuse_constant(name: str) -> Any:
    raise BadBody(f"{name} is not a JSON number")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise BadBody(f"the number {text[:40]} is out of range")
    return value


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: set[str] = set()
    for key, _ in pairs:
        if key in seen:
            raise BadBody(f"the key {key[:60]!r} appears more than once")
        seen.add(key)
    return dict(pairs)


def _check_shape(value: Any) -> None:
    """Depth and text, walked without recursion (the body may be built to exhaust the stack)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = list(item.values())
            texts = list(item.keys())
        elif isinstance(item, list):
            children, texts = item, []
        else:
            children, texts = [], [item] if isinstance(item, str) else []
        if any(_SURROGATE.search(text) for text in texts):
            raise BadBody("text must be valid Unicode (no lone surrogates)")
        containers = [child for child in children if isinstance(child, (dict, list))]
        if containers and depth >= MAX_DEPTH:
            raise BadBody(f"nested deeper than {MAX_DEPTH} levels")
        stack.extend((child, depth + 1) for child in children)


def parse(raw: bytes) -> Any:
    """The body's value. Raises BadBody."""
    try:
        text = raw.decode("utf-8")
        value = json.loads(
            text,
            parse_constant=_refuse_constant,
            parse_float=_finite_float,
            object_pairs_hook=_unique_keys,
        )
    except BadBody:
        raise
    except UnicodeDecodeError as exc:
        raise BadBody(f"not UTF-8 (byte {exc.start})") from None
    except RecursionError:
        raise BadBody(f"nested deeper than {MAX_DEPTH} levels") from None
    except ValueError as exc:  # JSONDecodeError, and integers of more than 4,300 digits
        raise BadBody(f"not valid JSON: {str(exc)[:120]}") from None
    _check_shape(value)
    return value
