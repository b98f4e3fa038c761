"""The event envelope every service publishes and consumes.

`id` is the idempotency key: consumers record it and skip a redelivered event.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields, is_dataclass
from datetime import UTC, datetime
from typing import Any

LISTINGS_TOPIC = "listings.v1"
EXCHANGES_TOPIC = "exchanges.v1"


def utcnow() -> datetime:
    return datetime.now(UTC)


def _plain(value: Any) -> Any:
    """What asdict would have made of a dataclass or another mapping inside a payload."""
    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value)
    if isinstance(value, Mapping):
        return dict(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


@dataclass(frozen=True)
class Event:
    type: str
    key: str
    payload: Mapping[str, Any]  # of the type services/common/contracts.py writes down for `type`
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    occurred_at: str = field(default_factory=lambda: utcnow().isoformat())
    schema_version: int = 1

    def to_json(self) -> bytes:
        """Compact JSON, keys sorted. The envelope is read field by field rather than through
        dataclasses.asdict, which deep-copies the payload (two thirds of the outbox relay's time)."""
        envelope = {f.name: getattr(self, f.name) for f in fields(self)}
        return json.dumps(envelope, separators=(",", ":"), sort_keys=True, default=_plain).encode()

    @classmethod
    def from_json(cls, raw: bytes | str) -> Event:
        return cls(**json.loads(raw))
