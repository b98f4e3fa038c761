"""The park's annual circular-economy report, built from ledger entries and the park's baseline: the
computation. What people read of it (labels in Chinese and English, the summary lines, the CSV) is
report_text.py; the indicators are named once, in indicators.py (`IndicatorName`, `RateName`).

`annual_report(park, year, baseline, entries)` sums the indicator contributions of the entries
completed in `year` (calendar year in China Standard Time, UTC+8) for the park, per exchange
kind and per enterprise (as supplier and as receiver). Each indicator and rate carries `value`,
rounded for people by the one rule in rounding.py (at most 4 decimal places, half to even, no
trailing zeros), and `exact_value`, the unrounded Decimal it was rounded from: for an indicator
the exact sum of the entries' values, every digit kept, which auditors reconcile with the ledger;
for a rate the quotient, carried to 34 significant digits. Rates are computed from exact values,
never from rounded ones. The JSON, `report_csv` and the summary lines all print `value` in plain
notation (rounding.plain), never in exponent form.

Unknown is never printed as zero: an indicator's `value` is the sum of the deliveries that could
be computed, `complete` says whether every delivery could, and `not_computed` lists the others
with their reasons; `value` is None when nothing could be computed. A later entry for the same
exchange replaces an earlier one (corrections are new entries), so nothing is counted twice.

Rates come from the park's baseline (GDP, energy, water, solid waste generated), entered by the
park manager. The solid-waste comprehensive utilisation rate is
    utilised / (generated + utilised from earlier years' storage) x 100 %
where `utilised` is the general industrial solid waste exchanged through ParkLoop and recorded in
the ledger (utilisation inside one enterprise or outside the park is not seen here), and
`generated` and the storage draw come from the baseline. If the baseline leaves the storage draw
out, the rate is computed as if none was drawn, and says so: the field is optional because most
parks draw nothing from storage, and the assumption is printed wherever the rate is.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal, Inexact, localcontext
from typing import Any, NotRequired

from typing_extensions import TypedDict

from services.common.indicators import (
    PRECISION,
    RATE_UNITS,
    UNITS,
    Contribution,
    Indicator,
    IndicatorName,
    RateName,
    Unknown,
    from_dict,
)
from services.ledger.domain.report_text import CSV_HEADER, Summary, report_csv, summary
from services.ledger.domain.rounding import rounded

__all__ = [
    "CSV_HEADER",
    "AnnualReport",
    "ReportEntry",
    "YearlyBaseline",
    "annual_report",
    "china_date",
    "exact_sum",
    "report_csv",
]

CHINA = timezone(timedelta(hours=8))
METHOD: dict[IndicatorName, str] = {
    IndicatorName.ENERGY_SAVED: "heat delivered / boiler efficiency = fuel energy displaced; / 29 307 kJ/kgce (fuel "
    "boilers) or / 3.6 MJ/kWh x 0.1229 kgce/kWh (electric boilers); GB/T 2589",
    IndicatorName.CO2_REDUCED: "fuel energy displaced (TJ) x IPCC 2006 default CO2 factor; electric boilers: kWh x "
    "MEE/NBS grid factor of the delivery year; virgin-material substitution not computed",
    IndicatorName.WATER_SAVED: "metered reclaimed water replacing fresh or municipal water",
    IndicatorName.WASTEWATER_AVOIDED: "metered reclaimed water that the supplier would otherwise have discharged",
    IndicatorName.SOLID_WASTE_UTILISED: "weighed general industrial solid waste received for utilisation",
    IndicatorName.HAZARDOUS_WASTE_UTILISED: "weighed hazardous waste received for utilisation (transfer manifest)",
}
assert set(METHOD) == set(IndicatorName)
NO_STORAGE_STATED = (
    "the baseline does not state solid waste drawn from earlier years' storage; the rate assumes none was drawn"
)


# --- what the report is made of ------------------------------------------------------------------


class NotComputed(TypedDict):
    exchange_id: str
    delivery_id: str
    reason: str


class IndicatorTotal(TypedDict):
    """One indicator summed over entries: `value` rounded for people, `exact_value` unrounded (both
    None when nothing could be computed)."""

    value: Decimal | None
    exact_value: Decimal | None
    unit: str
    complete: bool
    deliveries: int
    not_computed: list[NotComputed]
    method: str
    sources: list[str]
    assumptions: list[str]


class RateItem(TypedDict):
    """A rate from the park's baseline; `unknown` says why it could not be computed."""

    value: Decimal | None
    exact_value: Decimal | None
    unit: str
    complete: bool
    method: str
    assumptions: list[str]
    unknown: str | None
    sources: list[str]


class EntryCounts(TypedDict):
    included: int
    replaced_by_later_entries: int
    other_years: int
    indexes: list[int]


class EnterpriseViews(TypedDict):
    as_supplier: dict[str, IndicatorTotal]
    as_receiver: dict[str, IndicatorTotal]


class AnnualReport(TypedDict):
    park_id: str
    park_name: str
    year: int
    entries: EntryCounts
    indicators: dict[str, IndicatorTotal]  # keyed by IndicatorName
    rates: dict[str, RateItem]  # keyed by RateName
    by_kind: dict[str, dict[str, IndicatorTotal]]
    by_enterprise: dict[str, EnterpriseViews]
    summary: NotRequired[Summary]
    progress: NotRequired[dict[str, Any]]  # against the park's plan (progress.progress_table), when asked


@dataclass(frozen=True)
class YearlyBaseline:
    """The park's own figures for a year, entered by its managers: the one concept the listings
    service keeps as parks.YearlyBaseline and sends in ParkCreated/ParkBaselineSet
    (contracts.BaselinePayload), read here exactly, as Decimals."""

    year: int
    gdp_10k_cny: Decimal
    energy_tce: Decimal
    water_m3: Decimal
    solid_waste_generated_t: Decimal
    solid_waste_from_storage_utilised_t: Decimal | None = None

    @classmethod
    def of(cls, raw: YearlyBaseline | Mapping[str, Any]) -> YearlyBaseline:
        if isinstance(raw, YearlyBaseline):
            return raw
        storage = raw.get("solid_waste_from_storage_utilised_t")
        return cls(
            int(raw["year"]),
            Decimal(str(raw["gdp_10k_cny"])),
            Decimal(str(raw["energy_tce"])),
            Decimal(str(raw["water_m3"])),
            Decimal(str(raw["solid_waste_generated_t"])),
            None if storage is None else Decimal(str(storage)),
        )


@dataclass(frozen=True)
class ReportEntry:
    index: int
    exchange_id: str
    kind: str
    supplier_id: str
    receiver_id: str
    completed_on: date
    contribution: Contribution

    @classmethod
    def of(cls, raw: ReportEntry | Mapping[str, Any]) -> ReportEntry:
        if isinstance(raw, ReportEntry):
            return raw
        contribution = raw["contribution"]
        if not isinstance(contribution, Contribution):
            contribution = from_dict(contribution)
        return cls(
            int(raw["index"]),
            raw["exchange_id"],
            raw["kind"],
            raw.get("supplier_enterprise_id") or raw["supplier_id"],
            raw.get("receiver_enterprise_id") or raw["receiver_id"],
            china_date(raw.get("completed_on") or raw["completed_at"]),
            contribution,
        )


def china_date(value: date | str) -> date:
    """The calendar date in China of a date or an ISO timestamp (UTC timestamps are shifted +8 h)."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        return value
    elif len(value) == 10:
        return date.fromisoformat(value)
    else:
        moment = datetime.fromisoformat(value)
    return moment.astimezone(CHINA).date() if moment.tzinfo else moment.date()


# --- computing it ----------------------------------------------------------------------------------


def annual_report(
    park: str | Mapping[str, Any],
    year: int,
    baseline: YearlyBaseline | Mapping[str, Any] | None,
    entries: Iterable[ReportEntry | Mapping[str, Any]],
) -> AnnualReport:
    """The report, with its summary lines for people (report_text.summary)."""
    base = YearlyBaseline.of(baseline) if baseline is not None else None
    report = compute_report(park, year, base, entries)
    storage_assumed = base is not None and base.solid_waste_from_storage_utilised_t is None
    report["summary"] = summary(report, storage_assumed)
    return report


def compute_report(
    park: str | Mapping[str, Any],
    year: int,
    base: YearlyBaseline | None,
    entries: Iterable[ReportEntry | Mapping[str, Any]],
) -> AnnualReport:
    """Every figure of the report, without the summary lines."""
    park_id, park_name = (park, park) if isinstance(park, str) else (park["id"], park.get("name") or park["id"])
    if base is not None and base.year != year:
        raise ValueError(f"baseline is for {base.year}, report is for {year}")
    chosen, counts = _select(year, [ReportEntry.of(e) for e in entries])
    with localcontext() as ctx:
        ctx.prec = PRECISION
        totals = _aggregate(chosen)
        return {
            "park_id": park_id,
            "park_name": park_name,
            "year": year,
            "entries": counts,
            "indicators": totals,
            "rates": _rates(year, base, totals[IndicatorName.SOLID_WASTE_UTILISED]),
            "by_kind": {
                kind: _aggregate([e for e in chosen if e.kind == kind], only_present=True)
                for kind in sorted({e.kind for e in chosen})
            },
            "by_enterprise": _by_enterprise(chosen),
        }


def _select(year: int, entries: list[ReportEntry]) -> tuple[list[ReportEntry], EntryCounts]:
    in_year = [e for e in sorted(entries, key=lambda e: e.index) if e.completed_on.year == year]
    latest = {e.exchange_id: e for e in in_year}
    chosen = sorted(latest.values(), key=lambda e: e.index)
    return chosen, {
        "included": len(chosen),
        "replaced_by_later_entries": len(in_year) - len(chosen),
        "other_years": len(entries) - len(in_year),
        "indexes": [e.index for e in chosen],
    }


def _aggregate(entries: list[ReportEntry], only_present: bool = False) -> dict[str, IndicatorTotal]:
    found: dict[IndicatorName, list[tuple[ReportEntry, str, Indicator]]] = {name: [] for name in IndicatorName}
    for entry in entries:
        for d in entry.contribution.deliveries:
            for indicator in d.indicators:
                found[indicator.name].append((entry, d.delivery_id, indicator))
    return {name: _total(name, parts) for name, parts in found.items() if parts or not only_present}


def _total(name: IndicatorName, parts: list[tuple[ReportEntry, str, Indicator]]) -> IndicatorTotal:
    known = [i.value for _, _, i in parts if isinstance(i.value, Decimal)]
    missing: list[NotComputed] = [
        {"exchange_id": e.exchange_id, "delivery_id": d, "reason": i.value.reason}
        for e, d, i in parts
        if isinstance(i.value, Unknown)
    ]
    uses = dict.fromkeys(u for _, _, i in parts for u in i.coefficients)
    exact = exact_sum(known) if known or not missing else None
    return {
        "value": _rounded(exact),
        "exact_value": exact,
        "unit": UNITS[name],
        "complete": not missing,
        "deliveries": len(known),
        "not_computed": missing,
        "method": METHOD[name],
        "sources": [f"{u.id}@v{u.version}: {u.source}" for u in uses],
        "assumptions": list(dict.fromkeys(a for _, _, i in parts for a in i.assumptions)),
    }


def exact_sum(values: list[Decimal]) -> Decimal:
    """The sum without rounding (at 34 digits, adding 37.91...33517968 to 7.58...67035937 would round
    away the last digit an auditor adds up from the entries): enough digits for every place used."""
    if not values:
        return Decimal(0)
    with localcontext() as ctx:
        ctx.prec = max(v.adjusted() for v in values) - min(int(v.as_tuple().exponent) for v in values) + len(values) + 2
        ctx.traps[Inexact] = True
        return sum(values, Decimal(0))


def _rounded(exact: Decimal | None) -> Decimal | None:
    """`value` for people (rounding.rounded) beside the unrounded `exact_value`; None when unknown."""
    return None if exact is None else rounded(exact)


def _by_enterprise(entries: list[ReportEntry]) -> dict[str, EnterpriseViews]:
    # Grouped in one pass: a park of 2,000 enterprises and 5,000 entries made the filter-per-enterprise
    # version 20 million comparisons.
    supplied: dict[str, list[ReportEntry]] = defaultdict(list)
    received: dict[str, list[ReportEntry]] = defaultdict(list)
    for entry in entries:
        supplied[entry.supplier_id].append(entry)
        received[entry.receiver_id].append(entry)
    return {
        eid: {
            "as_supplier": _aggregate(supplied.get(eid, []), True),
            "as_receiver": _aggregate(received.get(eid, []), True),
        }
        for eid in sorted(supplied.keys() | received.keys())
    }


def _rate(
    name: RateName,
    value: Decimal | None,
    method: str,
    assumptions: list[str] | tuple[str, ...] = (),
    unknown: str | None = None,
) -> RateItem:
    return {
        "value": _rounded(value),
        "exact_value": value,
        "unit": RATE_UNITS[name],
        "complete": value is not None,
        "method": method,
        "assumptions": list(assumptions),
        "unknown": unknown,
        "sources": ["park baseline"],
    }


def _rates(year: int, base: YearlyBaseline | None, utilised: IndicatorTotal) -> dict[str, RateItem]:
    per_gdp = "baseline {} / baseline GDP (10k CNY)"
    if base is None:
        why = f"no park baseline for {year}: enter GDP, energy, water and solid waste generated"
        return {name: _rate(name, None, "", unknown=why) for name in RateName}
    gdp_zero = "baseline GDP is zero" if base.gdp_10k_cny == 0 else None
    return {
        RateName.SOLID_WASTE_UTILISATION: _utilisation(base, utilised),
        RateName.ENERGY_PER_GDP: _rate(
            RateName.ENERGY_PER_GDP,
            None if gdp_zero else base.energy_tce / base.gdp_10k_cny,
            per_gdp.format("energy (tce)"),
            unknown=gdp_zero,
        ),
        RateName.WATER_PER_GDP: _rate(
            RateName.WATER_PER_GDP,
            None if gdp_zero else base.water_m3 / base.gdp_10k_cny,
            per_gdp.format("water (m3)"),
            unknown=gdp_zero,
        ),
    }


def _utilisation(base: YearlyBaseline, utilised: IndicatorTotal) -> RateItem:
    name = RateName.SOLID_WASTE_UTILISATION
    method = (
        "general industrial solid waste utilised through exchanges in the ledger / (baseline generated + "
        "baseline utilised from earlier years' storage) x 100"
    )
    notes = [
        "utilised counts only exchanges recorded in ParkLoop; utilisation inside an enterprise or "
        "outside the park is not included"
    ]
    storage = base.solid_waste_from_storage_utilised_t
    if storage is None:
        storage = Decimal(0)
        notes.append(NO_STORAGE_STATED)
    denominator = base.solid_waste_generated_t + storage
    if utilised["exact_value"] is None:
        return _rate(name, None, method, notes, "the solid waste utilised could not be computed")
    if denominator == 0:
        return _rate(name, None, method, notes, "no solid waste generated or drawn from storage in the baseline")
    rate = utilised["exact_value"] / denominator * 100
    if rate > 100:
        notes.append("above 100 %: the utilised waste includes waste generated outside the park or stored earlier")
    return _rate(name, rate, method, notes)
