"""The annual submission as people read it, in Chinese first (it goes to the provincial DRC and
industry department): section and indicator labels, and the CSV of its tables. The Word document
(adapters/submission_docx.py) uses the same labels."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from typing import Any

from .plans import AIR_POLLUTANTS_REDUCED, ProjectStatus
from .report_text import LABELS, ZH_UNITS
from .submissions import Submission

SECTION_LABELS = {
    "progress": ("进展情况", "Progress"),
    "results": ("取得成效", "Results"),
    "experience": ("经验做法", "Experience"),
    "difficulties": ("存在困难", "Difficulties"),
}
INDICATOR_LABELS: dict[str, tuple[str, str]] = {
    **{str(k): (zh, en) for k, (en, zh) in LABELS.items()},
    AIR_POLLUTANTS_REDUCED: ("主要大气污染物减排量", "Main air pollutants reduced"),
}
PROJECT_STATUS_LABELS = {
    ProjectStatus.PLANNED: "计划中",
    ProjectStatus.UNDER_CONSTRUCTION: "在建",
    ProjectStatus.IN_OPERATION: "已投运",
    ProjectStatus.SUSPENDED: "暂停",
}
STATUS_LABELS = {"draft": "草稿", "submitted": "已报送", "superseded": "已被新版本替代"}
UNKNOWN = "未知"


def zh_label(indicator: str) -> str:
    return INDICATOR_LABELS[indicator][0]


def zh_unit(unit: str) -> str:
    return ZH_UNITS.get(unit, unit)


def shown(value: Any) -> str:
    """A figure as the document prints it: the stored decimal string, or 未知 (unknown, never 0)."""
    return UNKNOWN if value is None else str(value)


def verdict(on_track: bool | None) -> str:
    return {True: "进度正常", False: "滞后", None: UNKNOWN}[on_track]


CSV_HEADER = ["table", "indicator", "名称", "year", "value", "unit", "target", "progress_pct", "elapsed_pct", "note"]


def submission_csv(s: Submission) -> str:
    """The submission's tables, one row each: measured indicators and rates, progress against the
    plan, projects, the park's attached figures. Unknown values are empty with the reason in `note`."""
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(CSV_HEADER)
    figures: Mapping[str, Any] = s.figures
    for table in ("indicators", "rates"):
        for name, item in figures.get(table, {}).items():
            w.writerow([table, name, zh_label(name), s.year, item["value"], item["unit"], "", "", "", item["unknown"]])
    for row in figures.get("progress", {}).get("rows", []):
        note = row["unknown"] or verdict(row["on_track"])
        w.writerow(
            [
                "progress",
                row["indicator"],
                zh_label(row["indicator"]),
                s.year,
                row["value"],
                row["unit"],
                row["target"],
                row["progress_pct"],
                row["elapsed_pct"],
                note,
            ]  # fmt: skip
        )
    for p in figures.get("projects", []):
        w.writerow(
            [
                "project",
                ";".join(p["contributes_to"]),
                p["name"],
                s.year,
                p["investment_10k_cny"],
                "10k CNY",
                "",
                "",
                "",
                PROJECT_STATUS_LABELS[ProjectStatus(p["status"])],
            ]  # fmt: skip
        )
    for f in s.attached_figures:
        w.writerow(["attached", "", f["name"], s.year, f["value"], f["unit"], "", "", "", f.get("note") or ""])
    return out.getvalue()
