"""Classify waste codes against the shipped tables and an operator-imported official table.

The official code lists are not on any package registry and public copies lag behind the
editions in force, so ParkLoop ships what could be verified (class tables and a seed of
individual hazardous codes, each row with the edition it was checked against, see
``data/``) and always checks format and class. An operator who holds the official table
imports it with :func:`import_official_table` (``parkloop codes import FILE``); from then
on a code of that category must also appear in it, so a mistyped code that still has a
valid shape is refused.
"""

from __future__ import annotations

import csv
import os
import tempfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from ._tables import DATA_DIR, read_table
from .waste_code_format import Category, general_classes, hazardous_classes, parse_waste_code

OFFICIAL_TABLE = DATA_DIR / "official_codes.csv"
HAZARDOUS_EDITION = "National Hazardous Waste List, 2025 edition"
GENERAL_EDITION = "MEE Solid Waste Classification and Code Catalogue, 2024"


@dataclass(frozen=True)
class WasteCode:
    code: str
    category: Category
    class_code: str  # "HW08" / "S02"
    class_name: str | None
    name: str | None
    edition: str  # edition the name (or, without a name, the class) was checked against


@dataclass(frozen=True)
class _Entry:
    name: str | None
    edition: str


class WasteCatalogue:
    """Known waste codes: shipped classes and seed rows, plus an optional official table."""

    def __init__(self, seed: dict[str, _Entry], official: dict[str, tuple[Category, _Entry]]):
        self._seed = seed
        self._official = official
        self._official_categories = {category for category, _ in official.values()}

    @classmethod
    def shipped(cls, official_table: Path | None = None) -> "WasteCatalogue":
        """Load the shipped tables, and the imported official table if that file exists."""
        _, rows = read_table(DATA_DIR / "hazardous_waste_codes_seed.csv")
        seed = {
            row["code"]: _Entry(row["name"], f"National Hazardous Waste List, {row['edition']} edition")
            for row in rows
        }
        path = OFFICIAL_TABLE if official_table is None else Path(official_table)
        official: dict[str, tuple[Category, _Entry]] = {}
        if path.exists():
            metadata, rows = read_table(path)
            edition = metadata.get("edition", f"official table {path.name}")
            for row in rows:
                official[row["code"]] = (row["category"], _Entry(row["name"] or None, edition))  # type: ignore[assignment]
        return cls(seed, official)

    def has_official_table(self, category: Category) -> bool:
        return category in self._official_categories

    def classify(self, code: str) -> WasteCode:
        """Return what is known about ``code``; raise ValueError naming the failed rule."""
        parsed = parse_waste_code(code)
        hazardous = parsed.category == "hazardous"
        class_name = (hazardous_classes() if hazardous else general_classes())[parsed.class_code]
        entry = self._official.get(parsed.code, (None, None))[1]
        identified_by_test = hazardous and parsed.code.startswith("900-000-")
        if entry is None and self.has_official_table(parsed.category) and not identified_by_test:
            edition = next(e.edition for c, e in self._official.values() if c == parsed.category)
            raise ValueError(
                f"waste code {code!r} has a valid {parsed.category} format and class "
                f"{parsed.class_code} but is not in the imported official table ({edition})"
            )
        entry = entry or self._seed.get(parsed.code)
        default = HAZARDOUS_EDITION if hazardous else GENERAL_EDITION
        return WasteCode(
            code=parsed.code,
            category=parsed.category,
            class_code=parsed.class_code,
            class_name=class_name,
            name=entry.name if entry else None,
            edition=entry.edition if entry else default,
        )

    def is_hazardous(self, code: str) -> bool:
        """True for a valid hazardous waste code (invalid codes raise ValueError)."""
        return self.classify(code).category == "hazardous"


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
            f"official table {source.name} was not imported, {len(errors)} bad row(s):\n"
            + "\n".join(errors)
        )
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d")
    destination.parent.mkdir(parents=True, exist_ok=True)
    handle = tempfile.NamedTemporaryFile(
        "w", encoding="utf-8", newline="", dir=destination.parent, suffix=".tmp", delete=False
    )
    try:
        with handle:
            handle.write("# Official waste code table imported by an operator (parkloop codes import).\n")
            handle.write(f"# edition: {source.name}, imported {stamp}\n")
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(["code", "name", "category"])
            writer.writerows(rows)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(handle.name, destination)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
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
