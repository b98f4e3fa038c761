"""The annual report as people read it: each indicator's label in Chinese and English, the summary
lines for the provincial DRC, and the CSV. The figures are report.py's; every value is printed as
rounding.py writes it (plain notation, never exponent form).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from typing_extensions import TypedDict

from services.common.indicators import IndicatorName, RateName
from services.ledger.domain.rounding import plain

if TYPE_CHECKING:
    from services.ledger.domain.report import AnnualReport

# (English, Chinese), keyed by IndicatorName and RateName (StrEnum members: their values are the keys)
LABELS: dict[str, tuple[str, str]] = {
    IndicatorName.ENERGY_SAVED: ("Energy saved", "节约能源"),
    IndicatorName.WATER_SAVED: ("Fresh/municipal water saved", "节约新鲜水"),
    IndicatorName.CO2_REDUCED: ("CO2 reduced", "减少二氧化碳排放"),
    IndicatorName.SOLID_WASTE_UTILISED: ("General industrial solid waste utilised", "一般工业固体废物综合利用量"),
    IndicatorName.HAZARDOUS_WASTE_UTILISED: ("Hazardous waste utilised", "危险废物利用量"),
    IndicatorName.WASTEWATER_AVOIDED: ("Wastewater discharge avoided", "减少废水排放"),
    RateName.SOLID_WASTE_UTILISATION: (
        "General industrial solid waste comprehensive utilisation rate",
        "一般工业固体废物综合利用率",
    ),
    RateName.ENERGY_PER_GDP: ("Energy use per unit GDP", "单位GDP能耗"),
    RateName.WATER_PER_GDP: ("Water use per unit GDP", "单位GDP水耗"),
}
assert set(LABELS) == set(IndicatorName) | set(RateName)
ZH_UNITS = {
    "tce": "吨标准煤",
    "t": "吨",
    "m3": "立方米",
    "%": "%",
    "tce/10k CNY": "吨标准煤/万元",
    "m3/10k CNY": "立方米/万元",
}


class Summary(TypedDict):
    zh: list[str]
    en: list[str]


def summary(report: AnnualReport, storage_assumed: bool) -> Summary:
    """The report in sentences, Chinese and English; `storage_assumed`: the baseline does not state the
    solid waste drawn from storage, so the utilisation rate assumes none."""
    n, year, park = report["entries"]["included"], report["year"], report["park_name"]
    items: dict[str, Mapping[str, Any]] = {**report["indicators"], **report["rates"]}
    zh = [f"{park}{year}年度循环化改造成效（ParkLoop账本）：已完成企业间资源交换{n}项。"]
    en = [
        f"{park}, {year} circular-transformation results (ParkLoop ledger): {n} completed exchanges "
        "between enterprises."
    ]
    zh += [_line(name, item, True, storage_assumed) for name, item in items.items()]
    en += [_line(name, item, False, storage_assumed) for name, item in items.items()]
    zh.append("说明：利用量仅计入经ParkLoop登记的交换；物料替代的节能和减碳量因缺乏核实的系数未计算。")
    en.append(
        "Note: amounts count only exchanges recorded in ParkLoop; energy and CO2 from replacing virgin "
        "material are not computed for want of verified factors."
    )
    return {"zh": zh, "en": en}


def _line(name: str, item: Mapping[str, Any], zh: bool, storage_assumed: bool) -> str:
    label = LABELS[name][1 if zh else 0]
    unit = ZH_UNITS[item["unit"]] if zh else item["unit"]
    if item["value"] is None:
        why = item.get("unknown") or "; ".join(dict.fromkeys(m["reason"] for m in item["not_computed"]))
        return f"{label}：无法计算（{why}）" if zh else f"{label}: not computed ({why})"
    amount = f"{plain(item['value'])} {unit}"
    missing = item.get("not_computed") or []
    if missing:
        return (
            f"{label}：至少 {amount}（另有{len(missing)}笔交付未计算）"
            if zh
            else f"{label}: at least {amount} ({_deliveries(len(missing))} not computed)"
        )
    if item.get("deliveries") == 0:
        return f"{label}：{amount}（无相关交换）" if zh else f"{label}: {amount} (no contributing exchanges)"
    if name != RateName.SOLID_WASTE_UTILISATION:
        return f"{label}：{amount}" if zh else f"{label}: {amount}"
    if zh:
        return f"{label}：{amount}（仅计入经ParkLoop登记的交换量" + (
            "；假定未利用往年贮存量）" if storage_assumed else "）"
        )
    return f"{label}: {amount} ({'; '.join(item['assumptions'])})"


def _deliveries(n: int) -> str:
    return f"{n} delivery" if n == 1 else f"{n} deliveries"


CSV_HEADER = [
    "section",
    "group",
    "view",
    "indicator",
    "value",
    "unit",
    "complete",
    "deliveries",
    "not_computed",
    "method",
    "assumptions",
    "sources",
    "exact_value",
]


def report_csv(report: AnnualReport) -> str:
    """One row per indicator: the park, its rates, each exchange kind, each enterprise's two views. `value` is
    rounded for people as in the JSON; the last column, `exact_value`, is the unrounded value."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    park = report["park_id"]
    items: dict[str, Mapping[str, Any]] = {**report["indicators"], **report["rates"]}
    for name, item in items.items():
        writer.writerow(_csv_row("park", park, "", name, item))
    for kind, totals in report["by_kind"].items():
        writer.writerows(_csv_row("kind", kind, "", name, item) for name, item in totals.items())
    for eid, views in report["by_enterprise"].items():
        for view, totals in (("as_supplier", views["as_supplier"]), ("as_receiver", views["as_receiver"])):
            writer.writerows(
                _csv_row("enterprise", eid, view.removeprefix("as_"), name, item) for name, item in totals.items()
            )
    return out.getvalue()


def _csv_row(section: str, group: str, view: str, name: str, item: Mapping[str, Any]) -> list[Any]:
    missing = item.get("not_computed") or []
    why = item.get("unknown") or "; ".join(dict.fromkeys(m["reason"] for m in missing))
    return [
        section,
        group,
        view,
        str(name),
        "" if item["value"] is None else plain(item["value"]),
        item["unit"],
        "yes" if item["complete"] else "no",
        item.get("deliveries", ""),
        f"{len(missing)}: {why}" if missing else why,
        item.get("method", ""),
        "; ".join(item.get("assumptions", [])),
        "; ".join(item.get("sources", [])),
        "" if item["exact_value"] is None else plain(item["exact_value"]),
    ]
