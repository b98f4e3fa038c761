"""What one ledger entry says. Its RFC 8785 canonical JSON is the Merkle leaf, so every
field here is evidence: the exchange as completed, the indicator contributions computed
from it, and the coefficient versions those used. A correction is a new entry that
reverses an earlier one (reports then leave the reversed entry out), never an edit."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from .canonical import canonical_entry

SCHEMA = "parkloop.ledger.entry/v1"


def exchange_entry(
    index: int, event_id: str, recorded_at: str, exchange: Mapping[str, Any], contribution: Mapping[str, Any]
) -> bytes:
    return canonical_entry(
        {
            "schema": SCHEMA,
            "index": index,
            "type": "ExchangeCompleted",
            "event_id": event_id,
            "recorded_at": recorded_at,
            "exchange": exchange,
            "contribution": contribution,
        }
    )


def correction_entry(index: int, event_id: str, recorded_at: str, corrected: dict, reason: str) -> bytes:
    return canonical_entry(
        {
            "schema": SCHEMA,
            "index": index,
            "type": "Correction",
            "event_id": event_id,
            "recorded_at": recorded_at,
            "corrects": corrected["index"],
            "reason": reason,
            "exchange": corrected["exchange"],
        }
    )


def read_entry(leaf_data: bytes) -> dict:
    return json.loads(leaf_data)


def in_force(entries: list[dict]) -> list[dict]:
    """The exchange entries no correction has reversed."""
    reversed_ = {e["corrects"] for e in entries if e["type"] == "Correction"}
    return [e for e in entries if e["type"] == "ExchangeCompleted" and e["index"] not in reversed_]
