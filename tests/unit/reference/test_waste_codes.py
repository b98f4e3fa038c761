"""Waste codes as a park operator or enterprise types them into a listing."""

import csv
from pathlib import Path

import pytest

from services.listings.domain.reference.waste_codes import (
    WasteCatalogue,
    WasteCode,
    import_official_table,
)


@pytest.fixture
def shipped(tmp_path) -> WasteCatalogue:
    """The shipped tables only (no official table imported)."""
    return WasteCatalogue.shipped(official_table=tmp_path / "none.csv")


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def official(tmp_path) -> Path:
    source = write(
        tmp_path / "official.csv",
        "code,name,category\n"
        "900-249-08,其他生产、销售、使用过程中产生的废矿物油及沾染矿物油的废弃包装物,hazardous\n"
        "261-151-50,废催化剂（示例）,hazardous\n",
    )
    destination = tmp_path / "data" / "official_codes.csv"
    assert import_official_table(source, destination) == 2
    return destination


def test_seeded_waste_mineral_oil_code_has_its_class_name_and_edition(shipped):
    code = shipped.classify("900-249-08")
    assert code == WasteCode(
        code="900-249-08",
        category="hazardous",
        class_code="HW08",
        class_name="废矿物油与含矿物油废物",
        name="其他生产、销售、使用过程中产生的废矿物油及沾染矿物油的废弃包装物",
        edition="National Hazardous Waste List, 2021 edition",
    )


@pytest.mark.parametrize("typed", [" 900-249-08 ", "900 249 08", "90024908", "900－249－08"])
def test_whitespace_missing_hyphens_and_full_width_dashes_are_normalised(shipped, typed):
    assert shipped.classify(typed).code == "900-249-08"


def test_unseeded_code_with_a_valid_class_is_accepted_without_a_name(shipped):
    code = shipped.classify("261-084-45")
    assert (code.class_code, code.class_name, code.name) == ("HW45", "含有机卤化物废物", None)
    assert code.edition == "National Hazardous Waste List, 2025 edition"


@pytest.mark.parametrize("cls", ["41", "42", "43", "44", "51", "00", "99"])
def test_hazardous_classes_that_do_not_exist_are_refused(shipped, cls):
    with pytest.raises(ValueError, match=f"class HW{cls}, which does not exist"):
        shipped.classify(f"900-249-{cls}")


def test_class_boundaries_hw01_hw40_hw45_hw50_are_accepted(shipped):
    for cls in ("01", "40", "45", "50"):
        assert shipped.classify(f"900-001-{cls}").class_code == f"HW{cls}"


def test_industry_part_must_be_900_or_a_gbt_4754_group(shipped):
    with pytest.raises(ValueError, match="industry part 985 .*division 98 does not exist"):
        shipped.classify("985-001-08")


def test_code_assigned_after_hazard_testing_is_accepted_for_any_class(shipped):
    assert shipped.classify("900-000-34").class_name == "废酸"
    with pytest.raises(ValueError, match="sequence 000 is only used as 900-000-08"):
        shipped.classify("251-000-08")


def test_is_hazardous_tells_the_two_systems_apart(shipped):
    assert shipped.is_hazardous("772-007-50")
    assert not shipped.is_hazardous("261-001-S02")


def test_general_industrial_code_is_accepted_with_class_but_no_unverified_name(shipped):
    code = shipped.classify("261001s02")
    assert (code.code, code.category, code.class_code) == ("261-001-S02", "general", "S02")
    assert code.class_name is None and code.name is None


def test_s08_is_refused_as_excluded_from_industrial_solid_waste(shipped):
    with pytest.raises(ValueError, match="class S08 is excluded from industrial solid waste"):
        shipped.classify("261-001-S08")


@pytest.mark.parametrize(
    "cls, kind",
    [
        ("S60", "household"),
        ("S75", "construction"),
        ("S89", "agricultural"),
        ("S99", "other solid waste"),
    ],
)
def test_non_industrial_solid_waste_classes_are_refused(shipped, cls, kind):
    with pytest.raises(ValueError, match=f"class {cls} is {kind}"):
        shipped.classify(f"261-001-{cls}")


def test_industrial_range_runs_from_s01_to_s59(shipped):
    assert shipped.classify("261-001-S01").class_code == "S01"
    assert shipped.classify("261-001-S59").class_code == "S59"
    with pytest.raises(ValueError, match="class S00 is not an industrial"):
        shipped.classify("261-001-S00")


@pytest.mark.parametrize("sequence", ["000", "100"])
def test_general_sequence_must_be_001_to_099(shipped, sequence):
    with pytest.raises(ValueError, match=f"sequence {sequence} is outside 001-099"):
        shipped.classify(f"261-{sequence}-S02")


@pytest.mark.parametrize("typed", ["HW08", "900-249-8", "900-249-08-1", "ABC-001-S02", ""])
def test_malformed_codes_name_both_formats(shipped, typed):
    with pytest.raises(ValueError, match="matches neither the hazardous .* nor the general"):
        shipped.classify(typed)


def test_after_import_a_hazardous_code_missing_from_the_official_table_is_refused(official):
    catalogue = WasteCatalogue.shipped(official_table=official)
    assert catalogue.classify("261-151-50").name == "废催化剂（示例）"
    assert catalogue.classify("261-151-50").edition.startswith("official.csv, imported ")
    with pytest.raises(ValueError, match="not in the imported official table"):
        catalogue.classify("900-041-49")


def test_after_a_hazardous_only_import_general_codes_are_still_only_format_checked(official):
    catalogue = WasteCatalogue.shipped(official_table=official)
    assert catalogue.classify("261-001-S02").class_code == "S02"
    assert catalogue.classify("900-000-49").class_code == "HW49"


def test_import_without_category_column_infers_it(tmp_path):
    source = write(tmp_path / "s.csv", "code,name\n261-001-S02,示例固废\n90024908,示例危废\n")
    destination = tmp_path / "out.csv"
    assert import_official_table(source, destination) == 2
    with destination.open(encoding="utf-8") as handle:
        rows = list(csv.reader(line for line in handle if not line.startswith("#")))
    assert rows == [
        ["code", "name", "category"],
        ["261-001-S02", "示例固废", "general"],
        ["900-249-08", "示例危废", "hazardous"],
    ]


def test_bad_rows_are_reported_with_line_numbers_and_nothing_is_written(tmp_path, official):
    before = official.read_bytes()
    source = write(
        tmp_path / "bad.csv",
        "# operator notes\n"
        "code,name,category\n"
        "900-249-08,ok,hazardous\n"
        "900-249-41,bad class,hazardous\n"
        "261-001-S02,,general\n"
        "261-001-S02,wrong category,hazardous\n"
        "900-249-08,duplicate,hazardous\n"
        "900-041-49,too,many,columns\n",
    )
    with pytest.raises(ValueError) as raised:
        import_official_table(source, official)
    message = str(raised.value)
    assert "5 bad row(s)" in message
    for fragment in (
        "line 4: hazardous waste code '900-249-41'",
        "line 5: code 261-001-S02 has an empty name",
        "line 6: category 'hazardous' contradicts",
        "line 7: code 900-249-08 repeats line 3",
        "line 8: expected 3 columns",
    ):
        assert fragment in message
    assert official.read_bytes() == before
    assert [p.name for p in official.parent.iterdir()] == ["official_codes.csv"]


def test_import_refuses_a_file_without_the_expected_header(tmp_path):
    source = write(tmp_path / "x.csv", "废物代码,名称\n900-249-08,x\n")
    with pytest.raises(ValueError, match="line 1: header must be code,name"):
        import_official_table(source, tmp_path / "out.csv")
    assert not (tmp_path / "out.csv").exists()


def test_import_refuses_an_empty_table(tmp_path):
    source = write(tmp_path / "empty.csv", "code,name\n")
    with pytest.raises(ValueError, match="no rows"):
        import_official_table(source, tmp_path / "out.csv")
