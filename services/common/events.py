"""The event envelope every service publishes and consumes.

`id` is the idempotency key: consumers record it and skip a redelivered event.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

LISTINGS_TOPIC = "listings.v1"
EXCHANGES_TOPIC = "exchanges.v1"


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Event:
    type: str
    key: str
    payload: Mapping[str, Any]  # of the type services/common/contracts.py writes down for `type`
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    occurred_at: str = field(default_factory=lambda: utcnow().isoformat())
    schema_version: int = 1

    def to_json(self) -> bytes:
        return json.dumps(asdict(self), separators=(",", ":"), sort_keys=True).encode()

    @classmethod
    def from_json(cls, raw: bytes | str) -> Event:
        return cls(**json.loads(raw))
