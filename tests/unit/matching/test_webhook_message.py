"""The webhook body: the Standard Webhooks shape, compact UTF-8 JSON, serialised once."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest

from services.matching.domain.webhooks.message import encode_body, iso_utc, unix_seconds

CST = timezone(timedelta(hours=8))
AT = datetime(2026, 3, 1, 16, 0, 0, 123456, tzinfo=CST)


def test_body_is_compact_json_with_type_timestamp_and_data_in_that_order():
    body = encode_body("match.found", {"listing_id": "L1", "score": 0.82}, AT)
    assert (
        body == b'{"type":"match.found","timestamp":"2026-03-01T08:00:00.123456Z",'
        b'"data":{"listing_id":"L1","score":0.82}}'
    )


def test_chinese_text_is_utf8_not_escaped():
    body = encode_body("match.found", {"名称": "废矿物油"}, AT)
    assert "废矿物油".encode() in body
    assert json.loads(body)["data"] == {"名称": "废矿物油"}


def test_times_are_utc_with_z_and_unix_seconds():
    assert iso_utc(AT) == "2026-03-01T08:00:00.123456Z"
    assert unix_seconds(AT) == int(datetime(2026, 3, 1, 8, tzinfo=UTC).timestamp())


def test_naive_times_are_refused_rather_than_read_in_local_time():
    with pytest.raises(ValueError, match="timezone-aware"):
        encode_body("match.found", {}, datetime(2026, 3, 1, 8))
    with pytest.raises(ValueError, match="timezone-aware"):
        unix_seconds(datetime(2026, 3, 1, 8))


@pytest.mark.parametrize("event_type", ["", "match found", "match..found", ".match", "match.", "匹配", "a-b"])
def test_event_types_follow_the_standards_naming(event_type):
    with pytest.raises(ValueError, match="event type"):
        encode_body(event_type, {}, AT)


def test_not_json_is_refused():
    with pytest.raises(ValueError):
        encode_body("match.found", {"score": float("nan")}, AT)
    with pytest.raises(TypeError):
        encode_body("match.found", {"when": AT}, AT)
    with pytest.raises(TypeError):
        encode_body("match.found", ["not", "an", "object"], AT)
