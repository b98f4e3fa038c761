"""Unified Social Credit Code (统一社会信用代码) validation, GB 32100-2015.

Every enterprise listing in a park names its legal entity by this 18-character code, and a
typo there silently attaches a hazardous-waste transfer to the wrong company. The code is
self-checking, so we check every part the standard defines:

- characters: digits and upper-case letters except I, O, Z, S, V (31 symbols);
- 1st, registration authority (登记管理部门) and 2nd, institution category (机构类别), from
  the published table (1 机构编制, 2 外交, 3 司法行政, 4 文化, 5 民政, 6 旅游, 7 宗教,
  8 工会, 9 工商, A 中央军委改革和编制办公室, N 农业, Y 其他);
- 3rd-8th, administrative division code (GB/T 2260): six digits (the list of divisions
  changes yearly and is not shipped, so only the shape is checked);
- 9th-17th, organisation code (GB 11714): 8 characters plus their own check character,
  weights 3 7 9 10 5 8 4 2 mod 11, where 10 is written X and 11 is written 0;
- 18th, check character: weights 3^(i-1) mod 31 over the first 17, then 31 - (sum mod 31).
"""

from __future__ import annotations

import re

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {char: index for index, char in enumerate(CHARSET)}
_WEIGHTS = [pow(3, i, 31) for i in range(17)]  # 1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)

# Registration authority -> allowed institution categories (GB 32100-2015 table, as amended).
CATEGORIES: dict[str, str] = {
    "1": "1239",  # 机构编制: 机关, 事业单位, 中央编办直接管理机构编制的群众团体, 其他
    "2": "19",  # 外交: 外国常驻新闻机构, 其他
    "3": "123459",  # 司法行政: 律师执业机构, 公证处, 基层法律服务所, 司法鉴定机构, 仲裁委员会, 其他
    "4": "19",  # 文化: 外国在华文化中心, 其他
    "5": "1239",  # 民政: 社会团体, 民办非企业单位, 基金会, 其他
    "6": "129",  # 旅游: 外国/港澳台旅游部门常驻代表机构, 其他
    "7": "129",  # 宗教: 宗教活动场所, 宗教院校, 其他
    "8": "19",  # 工会: 基层工会, 其他
    "9": "123",  # 工商: 企业, 个体工商户, 农民专业合作社
    "A": "19",  # 中央军委改革和编制办公室: 军队事业单位, 其他
    "N": "1239",  # 农业: 组级, 村级, 乡镇级集体经济组织, 其他
    "Y": "1",  # 其他: no categories, always 1
}


def credit_check_char(prefix17: str) -> str:
    """The 18th character GB 32100-2015 gives for the first 17 characters."""
    total = sum(_VALUE[char] * weight for char, weight in zip(prefix17, _WEIGHTS, strict=True))
    return CHARSET[(31 - total % 31) % 31]


def organisation_check_char(body8: str) -> str:
    """The 9th character GB 11714 gives for an 8-character organisation code body."""
    total = sum(int(char, 36) * weight for char, weight in zip(body8, _ORG_WEIGHTS, strict=True))
    remainder = 11 - total % 11
    return {10: "X", 11: "0"}.get(remainder, str(remainder))


def _check_structure(code: str) -> None:
    bad = sorted({char for char in code if char not in _VALUE})
    if bad:
        raise ValueError(
            f"contains {', '.join(repr(c) for c in bad)}: GB 32100-2015 allows only digits and "
            "upper-case letters other than I, O, Z, S and V"
        )
    authority, category = code[0], code[1]
    if authority not in CATEGORIES:
        raise ValueError(
            f"registration authority code (1st character) {authority!r} is not defined in "
            f"GB 32100-2015 (allowed: {', '.join(CATEGORIES)})"
        )
    if category not in CATEGORIES[authority]:
        raise ValueError(
            f"institution category (2nd character) {category!r} is not defined for registration "
            f"authority {authority!r} in GB 32100-2015 (allowed: {', '.join(CATEGORIES[authority])})"
        )
    if not code[2:8].isdigit():
        raise ValueError(
            f"administrative division code (3rd-8th characters) {code[2:8]!r} must be six digits (GB/T 2260)"
        )
    body, org_check = code[8:16], code[16]
    expected = organisation_check_char(body)
    if org_check != expected:
        raise ValueError(
            f"organisation code (9th-17th characters) {code[8:17]!r} has check character "
            f"{org_check!r} but GB 11714 gives {expected!r}"
        )


def _normalise(code: str, length: int) -> str:
    text = re.sub(r"[\s-]+", "", str(code)).upper()
    if len(text) != length:
        raise ValueError(
            f"must be {length} characters (GB 32100-2015 Unified Social Credit Code"
            f"{' without its check character' if length == 17 else ''}), got {len(text)}"
        )
    return text


def validate_credit_code(code: str) -> str:
    """Return the normalised code, or raise ValueError naming the rule that failed."""
    text = _normalise(code, 18)
    _check_structure(text)
    expected = credit_check_char(text[:17])
    if text[17] != expected:
        raise ValueError(f"check digit is {text[17]!r} but GB 32100-2015 gives {expected!r}")
    return text


def make_credit_code(prefix17: str) -> str:
    """Append the GB 32100-2015 check character (for demo data and tests).

    The 17 characters must already be a well-formed prefix, organisation check included;
    use :func:`organisation_check_char` to build one from an 8-character body.
    """
    text = _normalise(prefix17, 17)
    _check_structure(text)
    return text + credit_check_char(text)


def company_credit_code(division: str, org_body: str) -> str:
    """A valid code for a company ("91": market regulator, enterprise) registered in the
    6-digit `division`, from an 8-character organisation body (demo data and tests)."""
    return make_credit_code("91" + division + org_body + organisation_check_char(org_body))
