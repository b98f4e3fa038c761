"""Enterprises: every bad field named at once, and hazardous-waste licences and 点对点
directed-utilisation approvals that cover hazardous codes only, within their dates (an
approval from its one named supplier only) — the legality gate matching relies on."""

from __future__ import annotations

from datetime import date

import pytest

from services.common.errors import InvalidFields
from services.common.geo import Location
from services.listings.domain.enterprises import DirectedUtilisationApproval, Enterprise, HazardousWasteLicence

WUXI = Location(31.4912, 120.3119)


def licence(*codes: str, valid_from=date(2025, 1, 1), valid_until=date(2027, 12, 31), capacity=5000.0):
    return HazardousWasteLicence("JS3202000123", tuple(codes or ("900-249-08",)), capacity, valid_from, valid_until)


def approval(
    *codes: str,
    supplier="supplier-1",
    valid_from=date(2025, 1, 1),
    valid_until=date(2026, 12, 31),
    number="苏环危豁〔2025〕12号",
    capacity=None,
):
    return DirectedUtilisationApproval(
        number, "江苏省生态环境厅", supplier, tuple(codes or ("900-249-08",)), valid_from, valid_until, capacity
    )


@pytest.fixture
def register(catalogue, make_credit_code):
    def build(**overrides) -> Enterprise:
        values = {
            "park_id": "park-1",
            "name": "Wuxi Huanke Recycling Co., Ltd.",
            "credit_code": make_credit_code(),
            "industry_code": "N7724",
            "location": WUXI,
            "licences": [licence()],
            "contact": {"name": "Li Wei"},
            "catalogue": catalogue,
        }
        return Enterprise.register(**{**values, **overrides})

    return build


def refused(build, **overrides) -> dict[str, list[str]]:
    with pytest.raises(InvalidFields) as caught:
        build(**overrides)
    return caught.value.errors


def test_registering_records_enterprise_registered_with_normalised_codes(register, make_credit_code):
    code = make_credit_code()
    enterprise = register(name="  Acme  ", credit_code=code.lower()[:9] + " " + code[9:], industry_code="7724")

    assert enterprise.name == "Acme"
    assert enterprise.credit_code == code
    assert enterprise.industry_code == "N7724"
    (event,) = enterprise.events
    assert event.type == "EnterpriseRegistered"
    assert event.payload == enterprise.to_dict()


def test_a_credit_code_with_a_wrong_check_digit_is_refused_under_credit_code(register, make_credit_code):
    good = make_credit_code()
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")

    errors = refused(register, credit_code=bad)

    assert list(errors) == ["credit_code"]
    assert "check digit" in errors["credit_code"][0]


def test_a_licence_covering_a_general_code_is_refused(register):
    errors = refused(register, licences=[licence("900-249-08", "441-001-S02")])

    assert errors == {"licences.0.codes.1": ["a hazardous-waste licence covers hazardous codes only"]}


def test_a_licence_with_a_malformed_code_names_that_code(register):
    errors = refused(register, licences=[licence("900-249-08"), licence("not-a-code")])

    assert list(errors) == ["licences.1.codes.0"]


def test_every_bad_field_is_reported_together(register):
    errors = refused(
        register, name=" ", credit_code="91320500MA1XK3QB10", industry_code="Z99", licences=[licence("441-001-S02")]
    )

    assert set(errors) == {"name", "credit_code", "industry_code", "licences.0.codes.0"}


def test_a_licence_covers_its_codes_from_its_first_to_its_last_day(register):
    lic = licence("900-249-08", valid_from=date(2025, 3, 1), valid_until=date(2026, 2, 28))

    assert not lic.covers("900-249-08", date(2025, 2, 28))
    assert lic.covers("900-249-08", date(2025, 3, 1))
    assert lic.covers("900-249-08", date(2026, 2, 28))
    assert not lic.covers("900-249-08", date(2026, 3, 1))
    assert not lic.covers("900-218-08", date(2025, 6, 1))


def test_an_enterprise_is_licensed_for_a_code_if_any_valid_licence_covers_it(register):
    enterprise = register(
        licences=[
            licence("900-249-08", valid_until=date(2025, 12, 31)),
            licence("900-218-08", valid_from=date(2026, 1, 1)),
        ]
    )

    assert enterprise.licensed_for("900-249-08", date(2025, 6, 1))
    assert not enterprise.licensed_for("900-249-08", date(2026, 6, 1))
    assert enterprise.licensed_for("900-218-08", date(2026, 6, 1))
    assert not enterprise.licensed_for("900-218-08", date(2025, 6, 1))


def test_a_licence_typed_without_hyphens_covers_the_canonical_code_listings_carry(register):
    enterprise = register(licences=[licence("90024908")])

    assert enterprise.licensed_for("900-249-08", date(2026, 1, 1))


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"number": "  "}, "number"),
        ({"codes": ()}, "codes"),
        ({"capacity_t_per_year": 0.0}, "capacity_t_per_year"),
        ({"valid_from": date(2026, 1, 2), "valid_until": date(2026, 1, 1)}, "valid_until"),
    ],
)
def test_a_licence_refuses_a_blank_number_no_codes_no_capacity_or_reversed_dates(kwargs, field):
    values = {
        "number": "JS1",
        "codes": ("900-249-08",),
        "capacity_t_per_year": 100.0,
        "valid_from": date(2025, 1, 1),
        "valid_until": date(2026, 1, 1),
    }
    with pytest.raises(InvalidFields) as caught:
        HazardousWasteLicence(**{**values, **kwargs})

    assert list(caught.value.errors) == [field]


def test_updating_revalidates_and_records_enterprise_updated(register, catalogue):
    enterprise = register()
    enterprise.update(catalogue, name=" Wuxi Huanke ", industry_code="c2614")

    assert (enterprise.name, enterprise.industry_code) == ("Wuxi Huanke", "C2614")
    assert enterprise.events[-1].type == "EnterpriseUpdated"
    assert enterprise.events[-1].payload["name"] == "Wuxi Huanke"


def test_a_refused_update_leaves_the_enterprise_unchanged(register, catalogue):
    enterprise = register()
    before = enterprise.to_dict()

    with pytest.raises(InvalidFields) as caught:
        enterprise.update(catalogue, name="New name", licences=[licence("441-001-S02")])

    assert list(caught.value.errors) == ["licences.0.codes.0"]
    assert enterprise.to_dict() == before
    assert len(enterprise.events) == 1


def test_a_licence_listing_one_code_in_two_spellings_keeps_it_once(register):
    enterprise = register(licences=[licence("90024908", "900-249-08", "900－218－08")])

    assert enterprise.licences[0].codes == ("900-249-08", "900-218-08")


# --- 点对点 directed-utilisation approvals (exemption list item 31) ------------------------


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"number": " "}, "number"),
        ({"authority": ""}, "authority"),
        ({"supplier_enterprise_id": "  "}, "supplier_enterprise_id"),
        ({"codes": ()}, "codes"),
        ({"capacity_t_per_year": 0.0}, "capacity_t_per_year"),
        ({"valid_from": date(2026, 1, 2), "valid_until": date(2026, 1, 1)}, "valid_until"),
    ],
)
def test_an_approval_refuses_a_blank_field_no_codes_no_capacity_or_reversed_dates(kwargs, field):
    values = {
        "number": "苏环危豁〔2025〕12号",
        "authority": "江苏省生态环境厅",
        "supplier_enterprise_id": "supplier-1",
        "codes": ("900-249-08",),
        "valid_from": date(2025, 1, 1),
        "valid_until": date(2026, 1, 1),
    }
    with pytest.raises(InvalidFields) as caught:
        DirectedUtilisationApproval(**{**values, **kwargs})

    assert list(caught.value.errors) == [field]


def test_an_approval_may_leave_out_its_capacity_and_may_start_and_end_on_one_day():
    one_day = approval(valid_from=date(2026, 3, 1), valid_until=date(2026, 3, 1))

    assert one_day.capacity_t_per_year is None
    assert one_day.covers("900-249-08", "supplier-1", date(2026, 3, 1))


def test_an_approval_covering_a_general_code_is_refused_naming_the_code(register):
    errors = refused(register, approvals=[approval("900-249-08", "441-001-S02")])

    assert errors == {"approvals.0.codes.1": ["a directed-utilisation approval covers hazardous codes only"]}


def test_an_approval_with_a_malformed_code_names_that_code(register):
    errors = refused(register, approvals=[approval(), approval("not-a-code")])

    assert list(errors) == ["approvals.1.codes.0"]


def test_an_approval_typed_without_hyphens_is_kept_in_canonical_form_once(register):
    enterprise = register(approvals=[approval("90024908", "900-249-08", "900-218-08")])

    assert enterprise.approvals[0].codes == ("900-249-08", "900-218-08")


def test_an_enterprise_cannot_be_approved_to_receive_from_itself(register, catalogue):
    enterprise = register(licences=[])

    with pytest.raises(InvalidFields) as caught:
        enterprise.update(catalogue, approvals=[approval(supplier=enterprise.id)])

    assert list(caught.value.errors) == ["approvals.0.supplier_enterprise_id"]
    assert "itself" in caught.value.errors["approvals.0.supplier_enterprise_id"][0]
    assert enterprise.approvals == []


def test_approval_errors_are_reported_with_the_others(register):
    errors = refused(register, name="", licences=[licence("441-001-S02")], approvals=[approval("441-001-S02")])

    assert set(errors) == {"name", "licences.0.codes.0", "approvals.0.codes.0"}


def test_may_receive_from_the_approved_supplier_only_the_covered_codes_within_the_dates(register):
    enterprise = register(
        licences=[], approvals=[approval("900-249-08", valid_from=date(2025, 3, 1), valid_until=date(2026, 2, 28))]
    )

    assert enterprise.may_receive("900-249-08", "supplier-1", date(2025, 3, 1))
    assert enterprise.may_receive("900-249-08", "supplier-1", date(2026, 2, 28))
    assert not enterprise.may_receive("900-249-08", "supplier-2", date(2025, 6, 1))  # another supplier
    assert not enterprise.may_receive("900-249-08", "supplier-1", date(2026, 3, 1))  # expired
    assert not enterprise.may_receive("900-249-08", "supplier-1", date(2025, 2, 28))  # not yet valid
    assert not enterprise.may_receive("900-218-08", "supplier-1", date(2025, 6, 1))  # code not covered
    assert not enterprise.licensed_for("900-249-08", date(2025, 6, 1))  # an approval is not a licence


def test_a_licence_lets_an_enterprise_receive_from_any_supplier(register):
    enterprise = register(licences=[licence("900-249-08")], approvals=[])

    assert enterprise.may_receive("900-249-08", "supplier-1", date(2026, 1, 1))
    assert enterprise.may_receive("900-249-08", "anyone-else", date(2026, 1, 1))
    assert not enterprise.may_receive("900-218-08", "supplier-1", date(2026, 1, 1))


def test_the_registered_event_carries_the_approvals_with_iso_dates(register):
    enterprise = register(approvals=[approval("90024908", capacity=1200.0), approval("900-218-08", number="B-2")])

    (event,) = enterprise.events
    assert event.payload["approvals"] == [
        {
            "number": "苏环危豁〔2025〕12号",
            "authority": "江苏省生态环境厅",
            "supplier_enterprise_id": "supplier-1",
            "codes": ["900-249-08"],
            "valid_from": "2025-01-01",
            "valid_until": "2026-12-31",
            "capacity_t_per_year": 1200.0,
        },
        {
            "number": "B-2",
            "authority": "江苏省生态环境厅",
            "supplier_enterprise_id": "supplier-1",
            "codes": ["900-218-08"],
            "valid_from": "2025-01-01",
            "valid_until": "2026-12-31",
            "capacity_t_per_year": None,
        },
    ]


def test_an_update_of_the_approvals_is_in_the_updated_event(register, catalogue):
    enterprise = register()

    enterprise.update(catalogue, approvals=[approval("900-218-08")])

    assert enterprise.approvals[0].codes == ("900-218-08",)
    assert [a["codes"] for a in enterprise.events[-1].payload["approvals"]] == [["900-218-08"]]
    assert enterprise.events[-1].payload["licences"] == enterprise.events[0].payload["licences"]
