"""How the ledger writes a decimal in its answers: the one rule for the report's JSON, CSV and summary.

`for_people(value)` is a value as people read it: rounded half to even to at most PLACES (4)
decimal places, trailing zeros removed, in plain notation (never exponent form), and any zero
written "0" whatever its sign or exponent:

    Decimal("2053.376470588235294117647058823530") -> "2053.3765"
    Decimal("0E+1") -> "0"        Decimal("-0.00004") -> "0"        Decimal("1E+3") -> "1000"
    Decimal("-12.50") -> "-12.5"  Decimal("0.00005") -> "0"         Decimal("0.00015") -> "0.0002"

`rounded(value)` is that same number as a Decimal. `plain(value)` keeps every digit (the exact
value an auditor reconciles with the entries), again in plain notation, zero as "0".

Ledger entries are not written with these: an entry holds exact decimal strings and is signed
evidence (see indicators.to_dict and canonical.py).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from typing import Any

PLACES = 4


def _finite(value: Decimal) -> Decimal:
    if not isinstance(value, Decimal) or not value.is_finite():
        raise ValueError(f"{value!r} is not a finite Decimal")
    return value


def plain(value: Decimal) -> str:
    """Every digit of `value`, in plain notation: Decimal("1.5E+3") -> "1500", Decimal("1E-9") ->
    "0.000000001"; a zero of any sign or exponent -> "0"."""
    return "0" if _finite(value).is_zero() else format(value, "f")


def for_people(value: Decimal, places: int = PLACES) -> str:
    """`value` rounded half to even to at most `places` decimal places, trailing zeros removed,
    plain notation; "0" for anything that rounds to zero."""
    with localcontext() as ctx:
        # enough digits for the integer part and the places: quantize never fails on a large value
        ctx.prec = max(ctx.prec, max(_finite(value).adjusted(), 0) + places + 2)
        text = format(value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("0", "-0") else text


def rounded(value: Decimal, places: int = PLACES) -> Decimal:
    """The number `for_people` writes, as a Decimal."""
    return Decimal(for_people(value, places))


def jsonable(value: Any) -> Any:
    """Decimals as decimal strings in plain notation (never floats, never exponent form: a zero
    computed as Decimal("0E+1") is "0"), dates as ISO strings. The report has already rounded its
    values for people (`rounded`); this writes every digit it is given."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, Decimal):
        return plain(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value
