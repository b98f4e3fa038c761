"""The park's annual circular-economy report, built from ledger entries and the park's baseline.

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

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal, Inexact, localcontext
from typing import Any, Iterable, Mapping

from services.ledger.domain.indicators import (PRECISION, UNITS, Contribution, Indicator, Unknown, from_dict)
from services.ledger.domain.rounding import plain, rounded

CHINA = timezone(timedelta(hours=8))
LABELS = {  # name: (English, Chinese)
    "energy_saved_tce": ("Energy saved", "节约能源"),
    "water_saved_m3": ("Fresh/municipal water saved", "节约新鲜水"),
    "co2_reduced_t": ("CO2 reduced", "减少二氧化碳排放"),
    "solid_waste_utilised_t": ("General industrial solid waste utilised", "一般工业固体废物综合利用量"),
    "hazardous_waste_utilised_t": ("Hazardous waste utilised", "危险废物利用量"),
    "wastewater_avoided_m3": ("Wastewater discharge avoided", "减少废水排放"),
    "solid_waste_utilisation_rate_pct": ("General industrial solid waste comprehensive utilisation rate",
                                         "一般工业固体废物综合利用率"),
    "energy_per_gdp_tce_per_10k_cny": ("Energy use per unit GDP", "单位GDP能耗"),
    "water_per_gdp_m3_per_10k_cny": ("Water use per unit GDP", "单位GDP水耗"),
}
ZH_UNITS = {"tce": "吨标准煤", "t": "吨", "m3": "立方米", "%": "%", "tce/10k CNY": "吨标准煤/万元",
            "m3/10k CNY": "立方米/万元"}
METHOD = {
    "energy_saved_tce": "heat delivered / boiler efficiency = fuel energy displaced; / 29 307 kJ/kgce (fuel "
                        "boilers) or / 3.6 MJ/kWh x 0.1229 kgce/kWh (electric boilers); GB/T 2589",
    "co2_reduced_t": "fuel energy displaced (TJ) x IPCC 2006 default CO2 factor; electric boilers: kWh x MEE/NBS "
                     "grid factor of the delivery year; virgin-material substitution not computed",
    "water_saved_m3": "metered reclaimed water replacing fresh or municipal water",
    "wastewater_avoided_m3": "metered reclaimed water that the supplier would otherwise have discharged",
    "solid_waste_utilised_t": "weighed general industrial solid waste received for utilisation",
    "hazardous_waste_utilised_t": "weighed hazardous waste received for utilisation (transfer manifest)",
}


@dataclass(frozen=True)
class Baseline:
    """The park's own yearly figures, entered by the park manager."""
    year: int
    gdp_10k_cny: Decimal
    energy_tce: Decimal
    water_m3: Decimal
    solid_waste_generated_t: Decimal
    solid_waste_from_storage_utilised_t: Decimal | None = None

    @classmethod
    def of(cls, raw: "Baseline | Mapping[str, Any]") -> "Baseline":
        if isinstance(raw, Baseline):
            return raw
        storage = raw.get("solid_waste_from_storage_utilised_t")
        return cls(int(raw["year"]), Decimal(str(raw["gdp_10k_cny"])), Decimal(str(raw["energy_tce"])),
                   Decimal(str(raw["water_m3"])), Decimal(str(raw["solid_waste_generated_t"])),
                   None if storage is None else Decimal(str(storage)))


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
    def of(cls, raw: "ReportEntry | Mapping[str, Any]") -> "ReportEntry":
        if isinstance(raw, ReportEntry):
            return raw
        contribution = raw["contribution"]
        if not isinstance(contribution, Contribution):
            contribution = from_dict(contribution)
        return cls(int(raw["index"]), raw["exchange_id"], raw["kind"],
                   raw.get("supplier_enterprise_id") or raw["supplier_id"],
                   raw.get("receiver_enterprise_id") or raw["receiver_id"],
                   china_date(raw.get("completed_on") or raw["completed_at"]), contribution)


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


def annual_report(park: str | Mapping[str, Any], year: int, baseline: Baseline | Mapping[str, Any] | None,
                  entries: Iterable[ReportEntry | Mapping[str, Any]]) -> dict[str, Any]:
    park_id, park_name = (park, park) if isinstance(park, str) else (park["id"], park.get("name") or park["id"])
    base = Baseline.of(baseline) if baseline is not None else None
    if base is not None and base.year != year:
        raise ValueError(f"baseline is for {base.year}, report is for {year}")
    chosen, counts = _select(year, [ReportEntry.of(e) for e in entries])
    with localcontext() as ctx:
        ctx.prec = PRECISION
        totals = _aggregate(chosen)
        report = {
            "park_id": park_id, "park_name": park_name, "year": year, "entries": counts,
            "indicators": totals, "rates": _rates(year, base, totals["solid_waste_utilised_t"]),
            "by_kind": {kind: _aggregate([e for e in chosen if e.kind == kind], only_present=True)
                        for kind in sorted({e.kind for e in chosen})},
            "by_enterprise": _by_enterprise(chosen),
        }
    report["summary"] = _summary(report)
    return report


def _select(year: int, entries: list[ReportEntry]) -> tuple[list[ReportEntry], dict[str, Any]]:
    in_year = [e for e in sorted(entries, key=lambda e: e.index) if e.completed_on.year == year]
    latest = {e.exchange_id: e for e in in_year}
    chosen = sorted(latest.values(), key=lambda e: e.index)
    return chosen, {"included": len(chosen), "replaced_by_later_entries": len(in_year) - len(chosen),
                    "other_years": len(entries) - len(in_year), "indexes": [e.index for e in chosen]}


def _aggregate(entries: list[ReportEntry], only_present: bool = False) -> dict[str, dict[str, Any]]:
    found: dict[str, list[tuple[ReportEntry, str, Indicator]]] = {name: [] for name in UNITS}
    for entry in entries:
        for d in entry.contribution.deliveries:
            for indicator in d.indicators:
                found[indicator.name].append((entry, d.delivery_id, indicator))
    return {name: _total(name, parts) for name, parts in found.items() if parts or not only_present}


def _total(name: str, parts: list[tuple[ReportEntry, str, Indicator]]) -> dict[str, Any]:
    known = [i.value for _, _, i in parts if isinstance(i.value, Decimal)]
    missing = [{"exchange_id": e.exchange_id, "delivery_id": d, "reason": i.value.reason}
               for e, d, i in parts if isinstance(i.value, Unknown)]
    uses = dict.fromkeys(u for _, _, i in parts for u in i.coefficients)
    return {**_values(exact_sum(known) if known or not missing else None), "unit": UNITS[name],
            "complete": not missing, "deliveries": len(known), "not_computed": missing,
            "method": METHOD[name],
            "sources": [f"{u.id}@v{u.version}: {u.source}" for u in uses],
            "assumptions": list(dict.fromkeys(a for _, _, i in parts for a in i.assumptions))}


def exact_sum(values: list[Decimal]) -> Decimal:
    """The sum without rounding (at 34 digits, adding 37.91...33517968 to 7.58...67035937 would round
    away the last digit an auditor adds up from the entries): enough digits for every place used."""
    if not values:
        return Decimal(0)
    with localcontext() as ctx:
        ctx.prec = max(v.adjusted() for v in values) - min(v.as_tuple().exponent for v in values) + len(values) + 2
        ctx.traps[Inexact] = True
        return sum(values, Decimal(0))


def _values(exact: Decimal | None) -> dict[str, Decimal | None]:
    """`value` for people (rounding.rounded) beside the unrounded `exact_value`; both None when unknown."""
    return {"value": None if exact is None else rounded(exact), "exact_value": exact}


def _by_enterprise(entries: list[ReportEntry]) -> dict[str, dict[str, Any]]:
    ids = sorted({e.supplier_id for e in entries} | {e.receiver_id for e in entries})
    return {eid: {"as_supplier": _aggregate([e for e in entries if e.supplier_id == eid], True),
                  "as_receiver": _aggregate([e for e in entries if e.receiver_id == eid], True)} for eid in ids}


def _rate(value: Decimal | None, unit: str, method: str, assumptions: list[str] = (),
          unknown: str | None = None) -> dict[str, Any]:
    return {**_values(value), "unit": unit, "complete": value is not None, "method": method,
            "assumptions": list(assumptions), "unknown": unknown, "sources": ["park baseline"]}


def _rates(year: int, base: Baseline | None, utilised: dict[str, Any]) -> dict[str, dict[str, Any]]:
    per_gdp = "baseline {} / baseline GDP (10k CNY)"
    if base is None:
        why = f"no park baseline for {year}: enter GDP, energy, water and solid waste generated"
        return {"solid_waste_utilisation_rate_pct": _rate(None, "%", "", unknown=why),
                "energy_per_gdp_tce_per_10k_cny": _rate(None, "tce/10k CNY", "", unknown=why),
                "water_per_gdp_m3_per_10k_cny": _rate(None, "m3/10k CNY", "", unknown=why)}
    gdp_zero = "baseline GDP is zero" if base.gdp_10k_cny == 0 else None
    return {"solid_waste_utilisation_rate_pct": _utilisation(base, utilised),
            "energy_per_gdp_tce_per_10k_cny": _rate(
                None if gdp_zero else base.energy_tce / base.gdp_10k_cny, "tce/10k CNY",
                per_gdp.format("energy (tce)"), unknown=gdp_zero),
            "water_per_gdp_m3_per_10k_cny": _rate(
                None if gdp_zero else base.water_m3 / base.gdp_10k_cny, "m3/10k CNY",
                per_gdp.format("water (m3)"), unknown=gdp_zero)}


def _utilisation(base: Baseline, utilised: dict[str, Any]) -> dict[str, Any]:
    method = ("general industrial solid waste utilised through exchanges in the ledger / (baseline generated + "
              "baseline utilised from earlier years' storage) x 100")
    notes = ["utilised counts only exchanges recorded in ParkLoop; utilisation inside an enterprise or "
             "outside the park is not included"]
    storage = base.solid_waste_from_storage_utilised_t
    if storage is None:
        storage = Decimal(0)
        notes.append("the baseline does not state solid waste drawn from earlier years' storage; "
                     "the rate assumes none was drawn")
    denominator = base.solid_waste_generated_t + storage
    if utilised["exact_value"] is None:
        return _rate(None, "%", method, notes, "the solid waste utilised could not be computed")
    if denominator == 0:
        return _rate(None, "%", method, notes, "no solid waste generated or drawn from storage in the baseline")
    rate = utilised["exact_value"] / denominator * 100
    if rate > 100:
        notes.append("above 100 %: the utilised waste includes waste generated outside the park or stored earlier")
    return _rate(rate, "%", method, notes)


def _line(name: str, item: dict[str, Any], zh: bool) -> str:
    label = LABELS[name][1 if zh else 0]
    unit = ZH_UNITS[item["unit"]] if zh else item["unit"]
    if item["value"] is None:
        why = item.get("unknown") or "; ".join(dict.fromkeys(m["reason"] for m in item["not_computed"]))
        return f"{label}：无法计算（{why}）" if zh else f"{label}: not computed ({why})"
    amount = f"{plain(item['value'])} {unit}"
    missing = item.get("not_computed") or []
    if missing:
        return (f"{label}：至少 {amount}（另有{len(missing)}笔交付未计算）" if zh
                else f"{label}: at least {amount} ({_deliveries(len(missing))} not computed)")
    if item.get("deliveries") == 0:
        return f"{label}：{amount}（无相关交换）" if zh else f"{label}: {amount} (no contributing exchanges)"
    if name != "solid_waste_utilisation_rate_pct":
        return f"{label}：{amount}" if zh else f"{label}: {amount}"
    assumed = any(a.startswith("the baseline does not state") for a in item["assumptions"])
    if zh:
        return f"{label}：{amount}（仅计入经ParkLoop登记的交换量" + ("；假定未利用往年贮存量）" if assumed else "）")
    return f"{label}: {amount} ({'; '.join(item['assumptions'])})"


def _deliveries(n: int) -> str:
    return f"{n} delivery" if n == 1 else f"{n} deliveries"


def _summary(report: dict[str, Any]) -> dict[str, list[str]]:
    n, year, park = report["entries"]["included"], report["year"], report["park_name"]
    items = {**report["indicators"], **report["rates"]}
    zh = [f"{park}{year}年度循环化改造成效（ParkLoop账本）：已完成企业间资源交换{n}项。"]
    en = [f"{park}, {year} circular-transformation results (ParkLoop ledger): {n} completed exchanges "
          "between enterprises."]
    zh += [_line(name, item, True) for name, item in items.items()]
    en += [_line(name, item, False) for name, item in items.items()]
    zh.append("说明：利用量仅计入经ParkLoop登记的交换；物料替代的节能和减碳量因缺乏核实的系数未计算。")
    en.append("Note: amounts count only exchanges recorded in ParkLoop; energy and CO2 from replacing virgin "
              "material are not computed for want of verified factors.")
    return {"zh": zh, "en": en}


CSV_HEADER = ["section", "group", "view", "indicator", "value", "unit", "complete", "deliveries", "not_computed",
              "method", "assumptions", "sources", "exact_value"]


def report_csv(report: dict[str, Any]) -> str:
    """One row per indicator: the park, its rates, each exchange kind, each enterprise's two views. `value` is
    rounded for people as in the JSON; the last column, `exact_value`, is the unrounded value."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    park = report["park_id"]
    for name, item in {**report["indicators"], **report["rates"]}.items():
        writer.writerow(_csv_row("park", park, "", name, item))
    for kind, items in report["by_kind"].items():
        writer.writerows(_csv_row("kind", kind, "", name, item) for name, item in items.items())
    for eid, views in report["by_enterprise"].items():
        for view, items in views.items():
            writer.writerows(_csv_row("enterprise", eid, view.removeprefix("as_"), name, item)
                             for name, item in items.items())
    return out.getvalue()


def _csv_row(section: str, group: str, view: str, name: str, item: dict[str, Any]) -> list[str]:
    missing = item.get("not_computed") or []
    why = item.get("unknown") or "; ".join(dict.fromkeys(m["reason"] for m in missing))
    return [section, group, view, name, "" if item["value"] is None else plain(item["value"]),
            item["unit"], "yes" if item["complete"] else "no", item.get("deliveries", ""),
            f"{len(missing)}: {why}" if missing else why, item.get("method", ""),
            "; ".join(item.get("assumptions", [])), "; ".join(item.get("sources", [])),
            "" if item["exact_value"] is None else plain(item["exact_value"])]
