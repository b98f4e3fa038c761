"""The annual submission as a Word document (python-docx), in Chinese: provincial offices work in Word.
The labels and the way a figure is printed are domain/submission_text.py's."""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

from docx import Document
from docx.oxml.ns import qn
from docx.shared import Pt

from services.ledger.domain.plans import ProjectStatus
from services.ledger.domain.submission_text import (
    PROJECT_STATUS_LABELS,
    SECTION_LABELS,
    STATUS_LABELS,
    shown,
    verdict,
    zh_label,
    zh_unit,
)
from services.ledger.domain.submissions import SECTIONS, Submission

FONT = "SimSun"  # 宋体, the font provincial documents are set in; Word substitutes where it is missing


def _table(doc, header: list[str], rows: list[list[str]]) -> None:
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = text
    for row in rows:
        for cell, text in zip(table.add_row().cells, row, strict=True):
            cell.text = text


def _progress_cells(r: Mapping[str, Any]) -> list[str]:
    target = f"{shown(r['target'])} {zh_unit(r['unit'])}"
    judged = r["unknown"] or verdict(r["on_track"])
    return [
        zh_label(r["indicator"]),
        shown(r["value"]),
        target,
        shown(r["progress_pct"]),
        shown(r["elapsed_pct"]),
        judged,
    ]


def submission_docx(s: Submission, park_name: str) -> bytes:
    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = FONT, Pt(11)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    doc.add_heading(f"{park_name}{s.year}年度循环化改造进展情况报告", level=0)
    cited = s.checkpoint
    doc.add_paragraph(
        f"版本 {s.version}（{STATUS_LABELS[s.status.value]}）"
        + (f"；报送时间 {s.submitted_at:%Y-%m-%d %H:%M} UTC" if s.submitted_at else "")
        + (f"；数据依据 ParkLoop 账本检查点：前 {cited.size} 条记录，根哈希 {cited.root}" if cited else "")
    )
    for name in SECTIONS:
        doc.add_heading(f"{SECTIONS.index(name) + 1}. {SECTION_LABELS[name][0]}", level=1)
        for paragraph in (s.sections.get(name) or "").splitlines() or [""]:
            doc.add_paragraph(paragraph)
    figures: Mapping[str, Any] = s.figures
    if figures:
        doc.add_heading("主要指标（账本计量）", level=1)
        items = {**figures["indicators"], **figures["rates"]}
        _table(
            doc,
            ["指标", "数值", "单位", "说明"],
            [[zh_label(k), shown(v["value"]), zh_unit(v["unit"]), v["unknown"] or ""] for k, v in items.items()],
        )
        rows = figures["progress"]["rows"]
        if rows:
            doc.add_heading(f"目标完成情况（实施方案 {figures['progress']['plan_period']}）", level=1)
            _table(
                doc,
                ["指标", "本年数值", "期末目标", "完成进度%", "时间进度%", "评价"],
                [
                    [
                        zh_label(r["indicator"]),
                        shown(r["value"]),
                        f"{shown(r['target'])} {zh_unit(r['unit'])}",
                        shown(r["progress_pct"]),
                        shown(r["elapsed_pct"]),
                        r["unknown"] or verdict(r["on_track"]),
                    ]
                    for r in rows
                ],
            )
        if figures["projects"]:
            doc.add_heading("重点项目", level=1)
            _table(
                doc,
                ["项目", "内容", "投资（万元）", "对应指标", "状态"],
                [
                    [
                        p["name"],
                        p["content"],
                        shown(p["investment_10k_cny"]),
                        "、".join(zh_label(i) for i in p["contributes_to"]),
                        PROJECT_STATUS_LABELS[ProjectStatus(p["status"])],
                    ]
                    for p in figures["projects"]
                ],
            )
    if s.attached_figures:
        doc.add_heading("园区填报数据", level=1)
        _table(
            doc,
            ["名称", "数值", "单位", "说明"],
            [[f["name"], str(f["value"]), f["unit"], f.get("note") or ""] for f in s.attached_figures],
        )
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
