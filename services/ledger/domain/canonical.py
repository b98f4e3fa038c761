"""Ledger entries as RFC 8785 (JSON Canonicalization Scheme) bytes: the Merkle leaf data.

A leaf hash commits to bytes, so two honest parties must turn the same entry into the same
bytes. RFC 8785 fixes key order (UTF-16 code units), string escaping and whitespace; the
`rfc8785` library implements it. Its one fragile corner is number formatting: JCS writes
numbers the ECMAScript way, and a float that went through a database, a spreadsheet or another
language rarely comes back bit-identical. So entries carry no floats at all: amounts and
quantities are decimal *strings* ("12.50"), and integers stay within I-JSON's exact range.
`canonical_entry` refuses a float loudly, naming where it sits, instead of hashing a value an
auditor may print differently.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any, TypeVar

import orjson
import rfc8785

MAX_SAFE_INTEGER = 2**53 - 1  # I-JSON (RFC 7493) and JCS: integers beyond this lose precision


class EntryEncodingError(ValueError):
    """An entry cannot be written as canonical leaf data; `path` says where (e.g. `$.lines[2].qty`)."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path


_AS_THEY_ARE = frozenset({str, bool, type(None)})  # JSON atoms written as they are
_Container = TypeVar("_Container", dict, list)
_OBJECT, _ARRAY = ".{}", "[{}]"  # where in an object or array a refused value is


class _Refused(Exception):
    """Raised deep in `_plain`; each level on the way up adds its step to `where` (the path is
    only built for the one value refused, not for every value checked)."""

    def __init__(self, message: str) -> None:
        self.message, self.where = message, list[str]()


def _safe_integer(value: int) -> int:
    if abs(value) > MAX_SAFE_INTEGER:
        raise _Refused(f"integer {value} is outside ±(2^53-1); write it as a decimal string")
    return value


def _plain(value: Any) -> Any:
    """Check and convert an entry into plain JSON types, refusing anything ambiguous. An object or
    array with nothing to convert is returned as it is (not copied): most entries hold no Decimal
    and no tuple, and building their copy was a third of the check."""
    kind = type(value)
    if kind in _AS_THEY_ARE:
        return value
    if kind is int:
        return _safe_integer(value)
    if kind is dict:
        return _plain_members(value, value.items(), _OBJECT)
    if kind is list:
        return _plain_members(value, enumerate(value), _ARRAY)
    if isinstance(value, Mapping):
        value = dict(value)
        return _plain_members(value, value.items(), _OBJECT)
    if isinstance(value, (list, tuple)):
        value = list(value)
        return _plain_members(value, enumerate(value), _ARRAY)
    if isinstance(value, str):
        return value
    if isinstance(value, int):  # a subclass (IntEnum): its number
        return _safe_integer(int(value))
    if isinstance(value, float):
        raise _Refused(
            f'float {value!r} refused: ledger amounts are decimal strings (e.g. "12.50"), '
            "because float formatting differs between JCS implementations"
        )
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise _Refused(f"decimal {value} is not finite")
        return format(value, "f")  # the scale as given: Decimal("1.50") -> "1.50", never exponent form
    raise _Refused(f"{type(value).__name__} is not a JSON value")


def _plain_members(container: _Container, members: Iterable[tuple[Any, Any]], place: str) -> _Container:
    """`container` (an object or array, whose keys or indexes and values `members` gives), or a copy
    of it where a value had to be converted; `place` writes a refusal's place from its key or index
    (`_OBJECT`: keys must be strings)."""
    copy = None
    for at, item in members:
        if place is _OBJECT and type(at) is not str:
            raise _Refused(f"object key {at!r} is not a string")
        if type(item) in _AS_THEY_ARE:
            continue
        try:
            plain = _plain(item)
        except _Refused as refused:
            refused.where.append(place.format(at))
            raise
        if plain is not item:
            if copy is None:
                copy = container.copy()
            copy[at] = plain
    return container if copy is None else copy


# Every byte below 0xEE, the UTF-8 lead byte of U+E000 (surrogates never get here): what `translate` deletes
# to leave the lead bytes of characters from U+E000 on. One C pass of under a microsecond over an entry, where
# the regular expression [\xee-\xf4] took 12 µs on every entry with Chinese text in it (not all ASCII).
_BELOW_WIDE_UTF8 = bytes(range(0xEE))


def _has_wide_key(value: Any) -> bool:
    """Whether an object key anywhere holds a character beyond U+D7FF."""
    if type(value) is dict:
        return any((not key.isascii() and max(key) > "\ud7ff") or _has_wide_key(item) for key, item in value.items())
    if type(value) is list:
        return any(_has_wide_key(item) for item in value)
    return False


def canonical_entry(entry: Mapping[str, Any]) -> bytes:
    """The RFC 8785 bytes of an entry (a JSON object); Decimal values become decimal strings.

    Once `_plain` has refused floats and unsafe integers, what is left (objects, arrays, strings,
    safe integers, true/false/null) is written by orjson's encoder exactly as RFC 8785 says: no
    whitespace, the same escapes (\\b \\t \\n \\f \\r, other controls as lowercase \\u00xx, the rest
    literal UTF-8), integers as digits, in a twentieth of the `rfc8785` library's time. Only the key
    order can differ, where a key holds a character beyond U+D7FF (UTF-16 order puts U+10000.. before
    U+E000..); such an entry, and a lone surrogate, go through the library.
    tests/unit/ledger/test_ledger_canonical.py compares the two on generated entries."""
    if not isinstance(entry, Mapping):
        raise EntryEncodingError("$", "a ledger entry is a JSON object")
    try:
        plain = _plain(entry)
    except _Refused as refused:
        raise EntryEncodingError("$" + "".join(reversed(refused.where)), refused.message) from None
    try:
        data = orjson.dumps(plain, option=orjson.OPT_SORT_KEYS)
    except orjson.JSONEncodeError:  # a lone surrogate: the library says what is wrong
        data = None
    if data is not None and (not data.translate(None, _BELOW_WIDE_UTF8) or not _has_wide_key(plain)):
        return data
    try:
        return rfc8785.dumps(plain)
    except rfc8785.CanonicalizationError as exc:
        raise EntryEncodingError("$", f"not canonicalisable: {exc}") from exc


def _refuse_float(text: str) -> Any:
    raise EntryEncodingError("$", f"number {text} has a fraction or exponent; amounts are decimal strings")


def parse_entry(data: bytes) -> dict[str, Any]:
    """Read leaf data back into an entry, insisting it is exactly the canonical form.

    An auditor uses this to catch leaf data that hashes fine but was never produced by
    `canonical_entry` (extra spaces, reordered keys, floats)."""
    try:
        entry = json.loads(data.decode("utf-8"), parse_float=_refuse_float, parse_constant=_refuse_float)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise EntryEncodingError("$", f"not JSON: {exc}") from exc
    if canonical_entry(entry) != data:
        raise EntryEncodingError("$", "not in RFC 8785 canonical form")
    return entry


def is_canonical(data: bytes) -> bool:
    try:
        parse_entry(data)
    except EntryEncodingError:
        return False
    return True
