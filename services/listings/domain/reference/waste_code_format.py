"""The shape of Chinese waste codes, and the class tables that give their last part meaning.

Two code systems meet in a park's listings:

- hazardous waste, 国家危险废物名录 (2025 edition, in force 2025-01-01): 8 digits written
  ``NNN-NNN-NN``: producing industry (a GB/T 4754-2017 group, or 900 for 非特定行业),
  sequence, and the HW class (``900-249-08`` is class HW08). ``900-000-NN`` is reserved for
  wastes found hazardous by testing (Article 6) and is valid for every class;
- general solid waste, MEE 《固体废物分类与代码目录》 (2024): 9 characters, industry (3
  digits), sequence 001-099, class S01-S99, of which only S01-S59 except S08 are industrial
  solid waste. We write them ``NNN-NNN-SNN`` like hazardous codes; the catalogue's own
  typography was not verified, so the hyphens are optional on input. The industry part of a
  general code is not checked (how the catalogue codes non-specific industries is unknown).

These checks run on every code, whether or not an official table has been imported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from ._tables import DATA_DIR, read_table
from .industry_codes import division_exists

Category = Literal["hazardous", "general"]
_HAZARDOUS = re.compile(r"^(\d{3})-?(\d{3})-?(\d{2})$")
_GENERAL = re.compile(r"^(\d{3})-?(\d{3})-?S(\d{2})$")
_DASHES = str.maketrans({"－": "-", "—": "-", "–": "-", "‐": "-"})
_NON_INDUSTRIAL = (
    (60, 69, "household waste (生活垃圾)"),
    (70, 79, "construction waste (建筑垃圾)"),
    (80, 89, "agricultural solid waste (农业固体废物)"),
    (90, 99, "other solid waste (其他固体废物)"),
)


@dataclass(frozen=True)
class ParsedCode:
    code: str
    category: Category
    class_code: str


@lru_cache(maxsize=1)
def hazardous_classes() -> dict[str, str | None]:
    """HW class -> Chinese name, from data/hazardous_waste_classes.csv."""
    _, rows = read_table(DATA_DIR / "hazardous_waste_classes.csv")
    return {row["class_code"]: row["name"] or None for row in rows}


@lru_cache(maxsize=1)
def general_classes() -> dict[str, str | None]:
    """Industrial S class -> Chinese name (None: not verified), data/general_solid_waste_classes.csv."""
    _, rows = read_table(DATA_DIR / "general_solid_waste_classes.csv")
    return {row["class_code"]: row["name"] or None for row in rows}


def normalise_waste_code(code: str) -> str:
    """Drop whitespace, upper-case, and turn full-width or typographic dashes into '-'."""
    return re.sub(r"\s+", "", str(code)).translate(_DASHES).upper()


def parse_waste_code(code: str) -> ParsedCode:
    """Check format, class and sequence; return the canonical hyphenated form."""
    text = normalise_waste_code(code)
    if match := _HAZARDOUS.match(text):
        return _parse_hazardous(code, *match.groups())
    if match := _GENERAL.match(text):
        return _parse_general(code, *match.groups())
    raise ValueError(
        f"waste code {code!r} matches neither the hazardous waste format NNN-NNN-NN "
        "(国家危险废物名录) nor the general industrial solid waste format NNN-NNN-SNN "
        "(固体废物分类与代码目录)"
    )


def _parse_hazardous(original: str, industry: str, sequence: str, number: str) -> ParsedCode:
    class_code = f"HW{number}"
    if class_code not in hazardous_classes():
        raise ValueError(
            f"hazardous waste code {original!r}: its last two digits name class {class_code}, "
            "which does not exist in the National Hazardous Waste List (classes HW01-HW40 and "
            "HW45-HW50; HW41-HW44 are unused since the 2016 revision)"
        )
    if industry != "900" and not division_exists(industry[:2]):
        raise ValueError(
            f"hazardous waste code {original!r}: industry part {industry} is neither 900 "
            f"(非特定行业) nor a GB/T 4754-2017 group (division {industry[:2]} does not exist)"
        )
    if sequence == "000" and industry != "900":
        raise ValueError(
            f"hazardous waste code {original!r}: sequence 000 is only used as 900-000-{number} "
            "for wastes identified as hazardous by testing (Article 6 of the List)"
        )
    return ParsedCode(f"{industry}-{sequence}-{number}", "hazardous", class_code)


def _parse_general(original: str, industry: str, sequence: str, number: str) -> ParsedCode:
    class_code = f"S{number}"
    value = int(number)
    if class_code == "S08":
        raise ValueError(
            f"general solid waste code {original!r}: class S08 is excluded from industrial solid "
            "waste by the catalogue (Article 5: industrial classes are S01-S59 except S08)"
        )
    for low, high, kind in _NON_INDUSTRIAL:
        if low <= value <= high:
            raise ValueError(
                f"general solid waste code {original!r}: class {class_code} is {kind} "
                f"(S{low}-S{high}), not industrial solid waste (S01-S59 except S08)"
            )
    if class_code not in general_classes():
        raise ValueError(
            f"general solid waste code {original!r}: class {class_code} is not an industrial "
            "solid waste class of the catalogue (S01-S59 except S08)"
        )
    if not 1 <= int(sequence) <= 99:
        raise ValueError(
            f"general solid waste code {original!r}: sequence {sequence} is outside 001-099 "
            "(Article 5 of the catalogue)"
        )
    return ParsedCode(f"{industry}-{sequence}-{class_code}", "general", class_code)
