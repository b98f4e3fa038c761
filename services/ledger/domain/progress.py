"""Progress against the plan: for a year, each target's value from the ledger, the target, how far the
park has come and whether it is on track. The one rule (README, "Targets and progress"):

- elapsed = the share of the plan's period over by the year's end: (year − start + 1) / (end − start + 1);
- an amount's progress = its total over the period so far (start … year) / the period's target;
  a level's progress = (value − baseline) / (target − baseline), the share of the way from the baseline
  to the target (without a baseline value: value / target, or target / value where less is better);
- on track: when the plan sets a target for that very year, the year's value reaches it (at least it,
  or at most it where less is better); otherwise progress ≥ elapsed (a level without a baseline value
  has no path to compare against: it is on track once it reaches the period's target).

Unknown stays unknown: a value the ledger could not compute (or an indicator it does not measure)
gives no progress and no verdict, with the reason, never a zero.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, localcontext
from typing import Any

from services.common.indicators import PRECISION

from .plans import NOT_MEASURED, Direction, Measure, Plan, Target
from .rounding import rounded


@dataclass(frozen=True)
class Measured:
    """An indicator's value for a year as the ledger computed it (None: unknown, with the reason)."""

    value: Decimal | None
    complete: bool = True
    unknown: str | None = None


# year -> indicator -> what the ledger measured
Measurements = Mapping[int, Mapping[str, Measured]]


def _meets(value: Decimal, target: Decimal, direction: Direction) -> bool:
    return value >= target if direction is Direction.HIGHER else value <= target


def _share(numerator: Decimal, denominator: Decimal) -> Decimal | None:
    return None if denominator == 0 else numerator / denominator


def _level_progress(t: Target, value: Decimal) -> Decimal | None:
    higher = t.kind.direction is Direction.HIGHER
    if t.baseline_value is not None:
        if t.target == t.baseline_value:
            return Decimal(1) if _meets(value, t.target, t.kind.direction) else Decimal(0)
        return (value - t.baseline_value) / (t.target - t.baseline_value)
    if higher:
        return _share(value, t.target)
    return Decimal(1) if value == 0 else t.target / value


def _unknown(year: int, indicator: str, measured: Measurements) -> Measured:
    return measured.get(year, {}).get(indicator) or Measured(None, False, f"no figure for {year}")


def target_progress(plan: Plan, t: Target, year: int, measured: Measurements) -> dict[str, Any]:
    """One row of the progress table (values rounded for people by the report's one rule)."""
    elapsed = plan.elapsed(year)
    row: dict[str, Any] = {
        **t.to_dict(),
        "year": year,
        "target_for_year": t.yearly.get(year),
        "elapsed_pct": rounded(elapsed * 100, 2),
        "value": None,
        "complete": False,
        "period_total": None,
        "progress_pct": None,
        "on_track": None,
        "unknown": None,
    }
    if not t.kind.measured:
        return {**row, "unknown": NOT_MEASURED}
    now = _unknown(year, t.indicator, measured)
    if now.value is None:
        return {**row, "unknown": now.unknown or "the ledger could not compute it"}
    row.update(value=rounded(now.value), complete=now.complete)
    with localcontext() as ctx:
        ctx.prec = PRECISION
        if t.kind.measure is Measure.AMOUNT:
            years = [_unknown(y, t.indicator, measured) for y in range(plan.start_year, year + 1)]
            missing = [y for y, m in zip(range(plan.start_year, year + 1), years, strict=True) if m.value is None]
            if missing:
                return {**row, "unknown": f"no figure for {', '.join(map(str, missing))}: the period total is unknown"}
            total = sum((m.value for m in years if m.value is not None), Decimal(0))
            progress = _share(total, t.target)
            row.update(period_total=rounded(total), complete=all(m.complete for m in years))
        else:
            progress = _level_progress(t, now.value)
        row["progress_pct"] = None if progress is None else rounded(progress * 100, 2)
        row["on_track"] = _on_track(t, year, now.value, progress, elapsed)
    return row


def _on_track(t: Target, year: int, value: Decimal, progress: Decimal | None, elapsed: Decimal) -> bool | None:
    if year in t.yearly:
        return _meets(value, t.yearly[year], t.kind.direction)
    if t.kind.measure is Measure.LEVEL and t.baseline_value is None:
        return _meets(value, t.target, t.kind.direction)
    return None if progress is None else progress >= elapsed


def progress_table(plan: Plan | None, year: int, measured: Measurements) -> dict[str, Any]:
    """The plan's targets for `year`: every row, and the park on track when every known row is."""
    if plan is None or not plan.covers(year):
        return {"plan_period": None, "rows": [], "on_track": None, "lagging": []}
    rows = [target_progress(plan, t, year, measured) for t in plan.targets]
    verdicts = [r["on_track"] for r in rows if r["on_track"] is not None]
    return {
        "plan_period": plan.period,
        "rows": rows,
        "on_track": all(verdicts) if verdicts else None,
        "lagging": [r["indicator"] for r in rows if r["on_track"] is False],
    }


def measured_of(report: Mapping[str, Any]) -> dict[str, Measured]:
    """What an annual report (report.py) measured, by indicator and rate, exactly (never rounded)."""
    found = {
        name: Measured(
            item["exact_value"],
            item["complete"],
            "; ".join(dict.fromkeys(n["reason"] for n in item["not_computed"])) or None,
        )
        for name, item in report["indicators"].items()
    }
    found.update(
        {
            name: Measured(item["exact_value"], item["complete"], item["unknown"])
            for name, item in report["rates"].items()
        }
    )
    return found
