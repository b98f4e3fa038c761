"""How the console shows numbers and times to people. Numbers: four significant digits, thousands
separators, a unit, never exponent form (the ledger keeps its exact decimals; these are for reading,
not for reckoning). Times: China's clock and calendar, which the notice, the ledger and the report use."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

from babel.numbers import format_decimal

CHINA = timezone(timedelta(hours=8), "UTC+8")
SIGNIFICANT_DIGITS = 4
UNITS = {"m3": "m³", "m3/d": "m³/d", "m3/10k CNY": "m³/万元", "tce/10k CNY": "tce/万元", "pct": "%"}


def rounded(value, significant: int = SIGNIFICANT_DIGITS) -> Decimal | None:
    """`value` rounded to `significant` digits, but never rounding away integer digits (2 053.38 → 2 053)."""
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    if not number.is_finite():
        return None
    if number.is_zero():
        return Decimal(0)
    integer_digits = number.adjusted() + 1
    decimals = max(0, significant - integer_digits)
    return number.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_EVEN)


def human_number(value, locale: str = "zh_CN", significant: int = SIGNIFICANT_DIGITS) -> str:
    """`2053.376470588` → `2,053`; `0.012345` → `0.01235`; `None` → `—`."""
    number = rounded(value, significant)
    if number is None:
        return "—"
    decimals = max(0, -number.as_tuple().exponent)
    pattern = "#,##0" + ("." + "#" * decimals if decimals else "")
    return format_decimal(number, format=pattern, locale=locale, decimal_quantization=True)


def unit_label(unit: str | None) -> str:
    return UNITS.get(unit or "", unit or "")


def human_quantity(value, unit: str | None, locale: str = "zh_CN") -> str:
    text = human_number(value, locale)
    label = unit_label(unit)
    return f"{text} {label}" if label and text != "—" else text


def in_china(value: str | datetime | None) -> datetime | None:
    """An ISO timestamp (or datetime) on China's clock; a zone-less one is UTC, as the services store it.
    None when empty or unreadable."""
    if value is None or value == "":
        return None
    try:
        moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(CHINA)


def china_date(iso: str | None) -> str:
    """'2026-06-30T17:00:00+00:00' → '2026-07-01' (the calendar the ledger files entries under)."""
    moment = in_china(iso)
    return moment.date().isoformat() if moment else (iso or "")[:10]
