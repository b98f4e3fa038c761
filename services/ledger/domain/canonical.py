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
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import rfc8785

MAX_SAFE_INTEGER = 2**53 - 1  # I-JSON (RFC 7493) and JCS: integers beyond this lose precision


class EntryEncodingError(ValueError):
    """An entry cannot be written as canonical leaf data; `path` says where (e.g. `$.lines[2].qty`)."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path


def _plain(value: Any, path: str) -> Any:
    """Check and convert an entry into plain JSON types, refusing anything ambiguous."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        if abs(value) > MAX_SAFE_INTEGER:
            raise EntryEncodingError(path, f"integer {value} is outside ±(2^53-1); write it as a decimal string")
        return value
    if isinstance(value, float):
        raise EntryEncodingError(
            path,
            f'float {value!r} refused: ledger amounts are decimal strings (e.g. "12.50"), '
            "because float formatting differs between JCS implementations",
        )
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise EntryEncodingError(path, f"decimal {value} is not finite")
        return format(value, "f")  # the scale as given: Decimal("1.50") -> "1.50", never exponent form
    if isinstance(value, Mapping):
        plain = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise EntryEncodingError(path, f"object key {key!r} is not a string")
            plain[key] = _plain(item, f"{path}.{key}")
        return plain
    if isinstance(value, (list, tuple)):
        return [_plain(item, f"{path}[{i}]") for i, item in enumerate(value)]
    raise EntryEncodingError(path, f"{type(value).__name__} is not a JSON value")


def canonical_entry(entry: Mapping[str, Any]) -> bytes:
    """The RFC 8785 bytes of an entry (a JSON object); Decimal values become decimal strings."""
    if not isinstance(entry, Mapping):
        raise EntryEncodingError("$", "a ledger entry is a JSON object")
    plain = _plain(entry, "$")
    try:
        return rfc8785.dumps(plain)
    except rfc8785.CanonicalizationError as exc:  # e.g. lone surrogates in a string
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
