"""Event.to_json writes what the asdict-based version wrote, byte for byte."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from types import MappingProxyType

from services.common.events import Event


@dataclass
class Point:
    lat: float
    lon: float


def as_before(event: Event) -> bytes:
    return json.dumps(asdict(event), separators=(",", ":"), sort_keys=True).encode()


def test_the_json_is_the_same_as_asdict_made_it():
    payload = {
        "name": "海滨石化产业园",
        "amount": "100.5",
        "n": 3,
        "ok": True,
        "none": None,
        "deliveries": [{"id": "d1", "evidence": {"meter": "M-1"}}, ("a", 1)],
        "point": Point(32.1, 120.9),
    }
    event = Event("ExchangeCompleted", "k", payload)
    assert event.to_json() == as_before(event)
    assert Event.from_json(event.to_json()).to_json() == event.to_json()


def test_a_mapping_payload_that_is_not_a_dict_is_written_as_one():
    event = Event("ParkCreated", "k", MappingProxyType({"b": 1, "a": [1, 2]}))
    assert json.loads(event.to_json())["payload"] == {"a": [1, 2], "b": 1}
