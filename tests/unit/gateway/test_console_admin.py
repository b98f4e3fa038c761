"""The admin pages' plain-Python parts: numbers typed into forms, what each form sends, names people read."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from flask import session
from flask_babel import gettext

from gateway.console.views.admin import (
    LEVEL_NAMES,
    PROVINCE_NAMES,
    TYPE_NAMES,
    baseline_payload,
    beijing_time,
    default_baseline_year,
    form_number,
    industry_label,
    key_payload,
    park_payload,
    plain_number,
    validity,
)
from services.listings.domain.parks import PROVINCES, ParkLevel, ParkType


def test_pages_read_in_chinese_by_default_and_in_english_by_the_switch(console_app):
    """zh_CN parses to zh_Hans_CN, which gettext never finds under zh_CN/: every page was in English."""
    app = console_app
    with app.test_request_context():
        assert (gettext("Sign out"), gettext("Jiangsu")) == ("退出登录", "江苏省")  # console and admin catalogs
    with app.test_request_context():
        session["lang"] = "en"
        assert gettext("Sign out") == "Sign out"


# --- what the forms send ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed, sent",
    [
        ("1,250,000", 1250000),
        (" 12 ", 12),
        ("1 234.5", 1234.5),
        ("３", 3),
        ("0.36", 0.36),
        ("-4", -4),
        ("", None),
        ("  ", None),
        (None, None),
        ("1，000", 1000),
        ("twelve", "twelve"),
        ("1e400", "1e400"),
        ("nan", "nan"),
        ("Infinity", "Infinity"),
    ],
)
def test_numbers_typed_by_people_reach_the_api_as_numbers_or_as_typed(typed, sent):
    assert form_number(typed) == sent


def test_stored_numbers_are_edited_exactly_without_exponents_or_trailing_zeros():
    assert [plain_number(v) for v in (1250000.0, 0.5, 1e21, 12.340, 0, None)] == [
        "1250000",
        "0.5",
        "1000000000000000000000",
        "12.34",
        "0",
        "",
    ]


def test_the_park_form_sends_what_post_parks_takes_and_leaves_blanks_for_the_api_to_name():
    form = {
        "name": " 徐圩园 ",
        "province": "Jiangsu",
        "level": "national",
        "park_type": "chemical_park",
        "centroid.lat": "34.62",
        "centroid.lon": "119.55",
    }
    assert park_payload(form) == {
        "name": "徐圩园",
        "province": "Jiangsu",
        "level": "national",
        "park_type": "chemical_park",
        "centroid": {"lat": 34.62, "lon": 119.55},
    }
    # Blank coordinates are left out, so the API names each one beside its field.
    assert park_payload({"name": "x", "centroid.lat": "", "centroid.lon": ""}) == {"name": "x", "centroid": {}}


def test_the_baseline_form_sends_one_year_which_the_api_sets_or_replaces():
    form = {
        "year": "2025",
        "gdp_10k_cny": "1,250,000",
        "energy_tce": "450000",
        "water_m3": "1.8e7",
        "solid_waste_generated_t": "",
    }
    assert baseline_payload(form) == {
        "year": 2025,
        "gdp_10k_cny": 1250000,
        "energy_tce": 450000,
        "water_m3": 18000000.0,
    }


@pytest.mark.parametrize(
    "form, sent",
    [
        (
            {"role": "admin", "label": " ops ", "park_id": "P1", "enterprise_id": "E1"},
            {"role": "admin", "label": "ops"},
        ),
        (
            {"role": "park_manager", "label": "m", "park_id": "P1", "enterprise_id": "E1"},
            {"role": "park_manager", "label": "m", "park_id": "P1"},
        ),
        (
            {"role": "enterprise", "label": "e", "park_id": "P1", "enterprise_id": ""},
            {"role": "enterprise", "label": "e", "park_id": "P1"},
        ),
        (
            {"role": "enterprise", "label": "e", "park_id": "P1", "enterprise_id": "E1"},
            {"role": "enterprise", "label": "e", "park_id": "P1", "enterprise_id": "E1"},
        ),
        ({"role": "park_manager", "label": "m", "park_id": ""}, {"role": "park_manager", "label": "m"}),
    ],
    ids=[
        "admin-names-no-park",
        "manager-names-no-enterprise",
        "unbound-enterprise",
        "bound-enterprise",
        "manager-without-park-left-to-the-rule",
    ],
)
def test_the_key_form_sends_only_what_the_chosen_role_may_name(form, sent):
    assert key_payload(form) == sent


# --- names and dates people read --------------------------------------------------------------


def test_every_province_level_and_park_type_the_api_accepts_has_a_name():
    assert set(PROVINCE_NAMES) == set(PROVINCES)
    assert set(LEVEL_NAMES) == {level.value for level in ParkLevel}
    assert set(TYPE_NAMES) == {kind.value for kind in ParkType}


def test_an_industry_code_reads_with_its_gbt_4754_division():
    assert industry_label("C2614") == "C2614 化学原料和化学制品制造业"
    assert industry_label("2614") == "2614 化学原料和化学制品制造业"
    assert industry_label("X99") == "X99"
    assert industry_label(None) == ""


def test_a_licence_is_in_force_from_its_first_to_its_last_day():
    assert validity("2026-01-01", "2026-12-31", date(2026, 1, 1)) == "valid"
    assert validity("2026-01-01", "2026-12-31", date(2026, 12, 31)) == "valid"
    assert validity("2026-01-01", "2026-12-31", date(2027, 1, 1)) == "expired"
    assert validity("2026-01-01", "2026-12-31", date(2025, 12, 31)) == "not_yet"


def test_times_read_in_beijing_time():
    assert beijing_time(datetime(2026, 11, 29, 20, 55, tzinfo=UTC)) == "2026-11-30 04:55"
    assert beijing_time(datetime(2026, 11, 29, 20, 55)) == "2026-11-30 04:55"  # stored naive means UTC
    assert beijing_time(None) == ""


def test_a_new_baseline_is_offered_for_last_year_then_this_year_unless_entered():
    today = date(2026, 3, 1)
    assert default_baseline_year([], today) == 2025
    assert default_baseline_year([2025], today) == 2026
    assert default_baseline_year([2025, 2026], today) == ""
