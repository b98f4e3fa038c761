"""Reclaimed-water reuse categories as an ordinal ladder (GB/T 19923).

GB/T 19923-2005 《城市污水再生利用 工业用水水质》 (reclaimed municipal wastewater as
industrial water) gives water-quality limits in columns for direct-flow cooling water
(直流冷却水), recirculating cooling make-up (循环冷却水系统补充水), washing water (洗涤用水),
boiler make-up (锅炉补给水) and process and product water (工艺与产品用水). Edition: 2005 is
cited as current; a standards site listed it as 现行 in August 2025, and a replacement was put
out for comment by MOHURD on 2021-07-30, but no published successor (e.g. a 2024 edition)
could be verified. A public copy of a reclaimed-water design code (clause 4.2.1) adds that
cooling and washing uses may take the water directly, boiler make-up needs softening or
desalting, and process/product water needs trials or the industry's own limits.

ParkLoop uses the categories as a ladder, from least to most demanding:
washing = direct cooling < circulating cooling make-up < boiler make-up < process water.
A supply reaches a want when its category is at least as demanding as the wanted one.
The ladder is a simplification (the standard's limits are per parameter, and some are
equal across columns), so COD, TDS and the other parameters are compared separately.
"""

from __future__ import annotations

from enum import StrEnum

EDITION = "GB/T 19923-2005"


class ReuseCategory(StrEnum):
    """Reuse category, machine name as value; ``rank`` orders them, ``label_zh`` names them."""

    WASHING = "washing"
    DIRECT_COOLING = "direct_cooling"
    CIRCULATING_COOLING = "circulating_cooling"
    BOILER_MAKEUP = "boiler_makeup"
    PROCESS = "process"

    @property
    def rank(self) -> int:
        """Position on the ladder: 1 (least demanding) to 4 (process/product water)."""
        return _RANKS[self]

    @property
    def label_zh(self) -> str:
        """Chinese name as used in GB/T 19923-2005."""
        return _LABELS[self]

    @classmethod
    def parse(cls, value: str) -> ReuseCategory:
        """Accept a machine name; raise ValueError listing the allowed ones otherwise."""
        try:
            return cls(str(value).strip().lower())
        except ValueError:
            allowed = ", ".join(member.value for member in cls)
            raise ValueError(f"reuse category {value!r} is not one of the {EDITION} categories: {allowed}") from None


_RANKS = {
    ReuseCategory.WASHING: 1,
    ReuseCategory.DIRECT_COOLING: 1,
    ReuseCategory.CIRCULATING_COOLING: 2,
    ReuseCategory.BOILER_MAKEUP: 3,
    ReuseCategory.PROCESS: 4,
}
_LABELS = {
    ReuseCategory.WASHING: "洗涤用水",
    ReuseCategory.DIRECT_COOLING: "直流冷却水",
    ReuseCategory.CIRCULATING_COOLING: "循环冷却水系统补充水",
    ReuseCategory.BOILER_MAKEUP: "锅炉补给水",
    ReuseCategory.PROCESS: "工艺与产品用水",
}


def reaches(supplied: ReuseCategory, wanted: ReuseCategory) -> bool:
    """True when water supplied for ``supplied`` is good enough for a ``wanted`` use."""
    return ReuseCategory(supplied).rank >= ReuseCategory(wanted).rank
