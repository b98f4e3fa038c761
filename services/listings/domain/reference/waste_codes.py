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

from dataclasses import dataclass
from pathlib import Path

from ._tables import DATA_DIR, read_table
from .waste_code_format import Category, general_classes, hazardous_classes, parse_waste_code
from .waste_code_import import import_official_table

__all__ = ["OFFICIAL_TABLE", "WasteCatalogue", "WasteCode", "import_official_table"]

OFFICIAL_TABLE = DATA_DIR / "official_codes.csv"
HAZARDOUS_EDITION = "National Hazardous Waste List, 2025 edition"
GENERAL_EDITION = "MEE Solid Waste Classification and Code Catalogue, 2024"


@dataclass(frozen=True)
class WasteCode:
    """A classified code; ``name`` is None unless verified wording is shipped or imported."""

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
    def shipped(cls, official_table: Path | None = None) -> WasteCatalogue:
        """Load the shipped tables, and the imported official table if that file exists."""
        _, rows = read_table(DATA_DIR / "hazardous_waste_codes_seed.csv")
        seed = {
            row["code"]: _Entry(row["name"], f"National Hazardous Waste List, {row['edition']} edition")
            for row in rows  # seed edition column: the edition the row's wording was checked in
        }
        path = OFFICIAL_TABLE if official_table is None else Path(official_table)
        official: dict[str, tuple[Category, _Entry]] = {}
        if path.exists():
            metadata, rows = read_table(path)
            edition = metadata.get("edition", f"official table {path.name}")
            for row in rows:
                parsed = parse_waste_code(row["code"])  # a hand-edited file must still be valid
                official[parsed.code] = (parsed.category, _Entry(row["name"] or None, edition))
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
