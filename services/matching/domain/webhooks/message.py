"""The webhook body, serialised once: the bytes we sign are the bytes we send.

Shape per the Standard Webhooks payload structure: `{"type", "timestamp", "data"}`, where
`timestamp` is when the event occurred (it stays the same on every retry), unlike the
`webhook-timestamp` header, which is the time of each attempt and guards against replays.
JSON is compact and UTF-8 (Chinese text stays readable and short); NaN and infinities are
refused because they are not JSON and receivers' parsers reject them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

# The standard recommends full-stop delimited identifiers of [a-zA-Z0-9_], e.g. "match.found".
_EVENT_TYPE = re.compile(r"[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*")


def encode_body(event_type: str, data: Mapping[str, Any], occurred_at: datetime) -> bytes:
    """The exact request body for one event."""
    if not isinstance(event_type, str) or not _EVENT_TYPE.fullmatch(event_type):
        raise ValueError(f"an event type is dot-separated [A-Za-z0-9_] words, not {event_type!r}")
    if not isinstance(data, Mapping):
        raise TypeError("webhook data is a JSON object")
    message = {"type": event_type, "timestamp": iso_utc(occurred_at), "data": dict(data)}
    return json.dumps(message, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8")


def iso_utc(moment: datetime) -> str:
    """RFC 3339 in UTC with a `Z`, as in the standard's examples."""
    return _aware(moment).astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def unix_seconds(moment: datetime) -> int:
    """The `webhook-timestamp` of an attempt made at `moment`."""
    return int(_aware(moment).timestamp())


def _aware(moment: datetime) -> datetime:
    # A naive datetime would silently be read in the server's local zone (CST in production).
    if not isinstance(moment, datetime) or moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("webhook times are timezone-aware datetimes")
    return moment
