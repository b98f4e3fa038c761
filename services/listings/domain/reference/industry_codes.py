"""GB/T 4754-2017 industry codes (国民经济行业分类), checked down to the division.

Enterprises state their industry in many shapes ("C26", "C2614", "2614", "26"); the section
letter (门类 A-T) is optional and the digits are a division (大类, 2 digits), group (中类, 3)
or class (小类, 4). We ship the 20 sections and 97 divisions, verified from public copies
(see the data file header), so a code is accepted when its division exists and, if a
letter is given, the letter is that division's section. Digits below the division are
kept but not checked against the 1,382 classes, which are not shipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ._tables import DATA_DIR, read_table

EDITION = "GB/T 4754-2017"
_CODE = re.compile(r"^([A-Z]?)(\d{2,4})$")


@dataclass(frozen=True)
class IndustryCode:
    """A validated industry code, normalised to section letter + digits (e.g. ``C2614``)."""

    code: str
    section: str
    section_name: str
    division: str
    division_name: str
    edition: str = EDITION


@lru_cache(maxsize=1)
def sections() -> dict[str, str]:
    """Section letter -> Chinese name, A to T."""
    _, rows = read_table(DATA_DIR / "gbt4754_2017_sections.csv")
    return {row["section"]: row["name"] for row in rows}


@lru_cache(maxsize=1)
def divisions() -> dict[str, tuple[str, str]]:
    """Two-digit division -> (section letter, Chinese name), 01 to 97."""
    _, rows = read_table(DATA_DIR / "gbt4754_2017_divisions.csv")
    return {row["division"]: (row["section"], row["name"]) for row in rows}


def division_exists(two_digits: str) -> bool:
    """True when ``two_digits`` is one of the 97 GB/T 4754-2017 divisions."""
    return two_digits in divisions()


def validate_industry_code(code: str) -> IndustryCode:
    """Validate and normalise an industry code; raise ValueError naming the broken rule."""
    text = re.sub(r"\s+", "", str(code)).upper()
    match = _CODE.match(text)
    if not match:
        raise ValueError(
            f"industry code {code!r} is not in GB/T 4754-2017 form: an optional section "
            "letter A-T followed by 2 to 4 digits (e.g. C26, C2614, 2614)"
        )
    letter, digits = match.groups()
    division = digits[:2]
    if division not in divisions():
        raise ValueError(
            f"industry code {code!r}: division {division} does not exist in GB/T 4754-2017 (divisions run 01-97)"
        )
    section, division_name = divisions()[division]
    if letter and letter != section:
        raise ValueError(
            f"industry code {code!r}: division {division} ({division_name}) belongs to "
            f"section {section} ({sections()[section]}) in GB/T 4754-2017, not section {letter}"
        )
    return IndustryCode(
        code=section + digits,
        section=section,
        section_name=sections()[section],
        division=division,
        division_name=division_name,
    )
