"""webargs nests validation messages by location and field; problem responses name each
bad field by its dotted path instead."""

from __future__ import annotations

from services.common.web import flatten_messages


def test_a_json_body_field_is_named_without_the_location():
    assert flatten_messages({"json": {"title": ["Missing data for required field."]}}) == {
        "title": ["Missing data for required field."]
    }


def test_nested_fields_become_dotted_paths():
    messages = {
        "json": {
            "heat": {"temperature_c": ["Not a valid number."]},
            "material": {"quantity": {"unit": ["Must be one of: t, kg, m3."]}},
        }
    }

    assert flatten_messages(messages) == {
        "heat.temperature_c": ["Not a valid number."],
        "material.quantity.unit": ["Must be one of: t, kg, m3."],
    }


def test_list_items_are_named_by_their_index():
    messages = {
        "json": {
            "baselines": {0: {"year": ["Must be between 2000 and 2100."]}, 2: {"water_m3": ["Not a valid number."]}}
        }
    }

    assert flatten_messages(messages) == {
        "baselines.0.year": ["Must be between 2000 and 2100."],
        "baselines.2.water_m3": ["Not a valid number."],
    }


def test_query_arguments_are_named_without_the_location():
    assert flatten_messages({"query": {"page_size": ["Must be between 1 and 200."]}}) == {
        "page_size": ["Must be between 1 and 200."]
    }


def test_whole_body_messages_are_filed_under_body():
    assert flatten_messages({"json": {"_schema": ["Invalid input type."]}}) == {"body": ["Invalid input type."]}
    assert flatten_messages(["Invalid JSON body."]) == {"body": ["Invalid JSON body."]}


def test_messages_for_the_same_field_from_several_places_are_merged():
    messages = {"json": {"title": ["Too long."]}, "query": {"title": ["Unknown field."]}}

    assert flatten_messages(messages) == {"title": ["Too long.", "Unknown field."]}


def test_a_list_of_message_dicts_is_flattened_item_by_item():
    messages = {"json": {"codes": [{"0": ["Longer than maximum length 16."]}, ["Shorter than minimum length 1."]]}}

    assert flatten_messages(messages) == {
        "codes.0": ["Longer than maximum length 16."],
        "codes": ["Shorter than minimum length 1."],
    }


def test_a_bare_message_is_kept_as_a_string_list():
    assert flatten_messages({"json": {"lat": "bad"}}) == {"lat": ["bad"]}
    assert flatten_messages("Oops") == {"body": ["Oops"]}


def test_a_field_called_json_below_the_top_level_keeps_its_name():
    assert flatten_messages({"json": {"contact": {"json": ["Not a valid string."]}}}) == {
        "contact.json": ["Not a valid string."]
    }
