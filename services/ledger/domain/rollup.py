"""The provincial roll-up: a province's parks with the figures each submitted, for a year or for a plan
period (the five-year summary).

Only submitted figures count (a draft is not a report). Amounts (energy saved, CO2 reduced, …) are
added up, each indicator in its one unit; levels (the utilisation rate, energy and water per unit GDP)
are never added up: a province's rate would need every park's baseline, so each park's stands alone.
A sum over the parks whose value is known says which parks it leaves out (`complete` false and
`parks_unknown`); with no park known it is unknown, never zero.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from services.common.indicators import UNITS, IndicatorName

from .report import exact_sum
from .rounding import rounded
from .submissions import Submission

AMOUNTS = tuple(name.value for name in IndicatorName)
LEVELS_NOTE = "rates are not added up across parks: each park's stands alone, from its own baseline"


def _exact(item: Mapping[str, Any] | None) -> Decimal | None:
    value = None if item is None else item.get("exact_value")
    return None if value is None else Decimal(str(value))


def _sum(values: Mapping[str, Decimal | None], unit: str) -> dict[str, Any]:
    known = [v for v in values.values() if v is not None]
    total = exact_sum(known) if known else None
    return {
        "value": None if total is None else rounded(total),
        "exact_value": total,
        "unit": unit,
        "complete": len(known) == len(values),
        "parks_counted": [p for p, v in values.items() if v is not None],
        "parks_unknown": [p for p, v in values.items() if v is None],
    }


def _park(park: Mapping[str, Any], s: Submission | None) -> dict[str, Any]:
    row: dict[str, Any] = {"park_id": park["id"], "park_name": park["name"], "submitted": s is not None}
    if s is None:
        return row
    progress = s.figures["progress"]
    return {
        **row,
        "version": s.version,
        "submitted_at": s.submitted_at,
        "checkpoint": s.checkpoint.to_dict() if s.checkpoint else None,
        "indicators": s.figures["indicators"],
        "rates": s.figures["rates"],
        "progress": progress,
        "on_track": progress["on_track"],
        "lagging": progress["lagging"],
    }


def province_report(
    province: str, year: int, parks: Sequence[Mapping[str, Any]], submitted: Mapping[str, Submission]
) -> dict[str, Any]:
    """`submitted`: each park's submission in force for the year (parks without one are left out)."""
    rows = [_park(p, submitted.get(p["id"])) for p in parks]
    counted = [r for r in rows if r["submitted"]]
    return {
        "province": province,
        "year": year,
        "parks": rows,
        "totals": {
            name: _sum({r["park_id"]: _exact(r["indicators"].get(name)) for r in counted}, UNITS[IndicatorName(name)])
            for name in AMOUNTS
        },
        "rates_note": LEVELS_NOTE,
        "not_submitted": [r["park_id"] for r in rows if not r["submitted"]],
        "lagging": [r["park_id"] for r in counted if r["on_track"] is False],
    }


def _park_period(
    park: Mapping[str, Any], start: int, end: int, due: list[int], submitted: Mapping[tuple[str, int], Submission]
) -> dict[str, Any]:
    years = {y: submitted.get((park["id"], y)) for y in range(start, end + 1)}
    got = {y: s for y, s in years.items() if s is not None}
    latest = got[max(got)] if got else None
    targets = {}
    if latest is not None and latest.figures["progress"]["plan_period"] == f"{start}-{end}":
        targets = {r["indicator"]: Decimal(str(r["target"])) for r in latest.figures["progress"]["rows"]}
    amounts = {}
    for name in AMOUNTS:
        total = _sum(
            {str(y): _exact(s.figures["indicators"].get(name)) for y, s in got.items()}, UNITS[IndicatorName(name)]
        )
        target = targets.get(name)
        share = None if target in (None, 0) or total["exact_value"] is None else total["exact_value"] / target
        amounts[name] = {
            **{k: total[k] for k in ("value", "exact_value", "unit", "complete")},
            "years_unknown": total["parks_unknown"],
            "target": target,
            "progress_pct": None if share is None else rounded(share * 100, 2),
        }
    return {
        "park_id": park["id"],
        "park_name": park["name"],
        "years_submitted": sorted(got),
        "years_missing": [y for y in due if y not in got],
        "amounts": amounts,
        "latest_year": None if latest is None else latest.year,
        "latest_rates": None if latest is None else latest.figures["rates"],
        "latest_progress": None if latest is None else latest.figures["progress"],
    }


def province_period(
    province: str,
    start: int,
    end: int,
    parks: Sequence[Mapping[str, Any]],
    submitted: Mapping[tuple[str, int], Submission],
    through_year: int,
) -> dict[str, Any]:
    """The period summary: each park's amounts over the years it submitted (and the years it has not,
    up to `through_year`), against its plan's period targets; the province's sums of those amounts."""
    due = [y for y in range(start, end + 1) if y <= through_year]
    rows = [_park_period(p, start, end, due, submitted) for p in parks]
    return {
        "province": province,
        "period": f"{start}-{end}",
        "parks": rows,
        "totals": {
            name: _sum({r["park_id"]: r["amounts"][name]["exact_value"] for r in rows}, UNITS[IndicatorName(name)])
            for name in AMOUNTS
        },
        "rates_note": LEVELS_NOTE,
        "incomplete": [r["park_id"] for r in rows if r["years_missing"]],
    }
