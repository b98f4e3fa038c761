"""Install an operator-supplied official waste code table, all or nothing.

The official tables (国家危险废物名录, 固体废物分类与代码目录) are published as documents,
not data, so an operator converts them to a CSV with columns ``code,name[,category]`` and
runs ``parkloop codes import FILE``. A half-imported table would make valid codes look
unknown, so every row is checked first (format, class, duplicates, category agreement),
every bad row is reported with its line number, and only a fully valid table is written,
to a temporary file that is then renamed over the destination.
"""

from __future__ import annotations

import csv
import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from .waste_code_format import parse_waste_code


def import_official_table(source: Path, destination: Path) -> int:
    """Validate an operator's CSV (code,name[,category]) and install it at ``destination``.

    Every bad row is reported with its line number and nothing is written; a good table is
    written to a temporary file beside ``destination`` and renamed over it in one step.
    Returns the number of rows imported.
    """
    source, destination = Path(source), Path(destination)
    rows, errors = _read_official_rows(source)
    if errors:
        raise ValueError(
            f"official table {source.name} was not imported, {len(errors)} bad row(s):\n" + "\n".join(errors)
        )
    stamp = datetime.now(UTC).strftime("%Y-%m-%d")
    destination.parent.mkdir(parents=True, exist_ok=True)
    temporary: str | None = None
    try:
        with tempfile.NamedTemporaryFile(
            "w", encoding="utf-8", newline="", dir=destination.parent, suffix=".tmp", delete=False
        ) as handle:
            temporary = handle.name
            handle.write("# Official waste code table imported by an operator (parkloop codes import).\n")
            handle.write(f"# edition: {source.name}, imported {stamp}\n")
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(["code", "name", "category"])
            writer.writerows(rows)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, destination)
    except BaseException:
        if temporary:
            Path(temporary).unlink(missing_ok=True)
        raise
    return len(rows)


def _read_official_rows(source: Path) -> tuple[list[list[str]], list[str]]:
    rows: list[list[str]] = []
    errors: list[str] = []
    first_line: dict[str, int] = {}
    header: list[str] | None = None
    with source.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        for record in reader:
            cells = [cell.strip() for cell in record]
            if not "".join(cells) or cells[0].startswith("#"):
                continue
            if header is None:
                header = [cell.lower() for cell in cells]
                if header not in (["code", "name"], ["code", "name", "category"]):
                    return [], [f"line {reader.line_num}: header must be code,name or code,name,category"]
                continue
            try:
                rows.append(_check_row(cells, len(header), first_line, reader.line_num))
            except ValueError as error:
                errors.append(f"line {reader.line_num}: {error}")
    if not rows and not errors:
        errors.append("no rows: the file needs a code,name[,category] header and at least one row")
    return rows, errors


def _check_row(cells: list[str], width: int, first_line: dict[str, int], line: int) -> list[str]:
    """Return the normalised row [code, name, category] or raise ValueError."""
    if len(cells) != width:
        raise ValueError(f"expected {width} columns, found {len(cells)}")
    parsed = parse_waste_code(cells[0])
    if not cells[1]:
        raise ValueError(f"code {parsed.code} has an empty name")
    if width == 3 and cells[2].lower() != parsed.category:
        raise ValueError(f"category {cells[2]!r} contradicts code {parsed.code}, which is {parsed.category}")
    if parsed.code in first_line:
        raise ValueError(f"code {parsed.code} repeats line {first_line[parsed.code]}")
    first_line[parsed.code] = line
    return [parsed.code, cells[1], parsed.category]
