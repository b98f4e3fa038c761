"""The exchange flow, as a park's enterprises go through it: proposed by the supplier, accepted by the
receiver, delivered by the supplier, completed by the receiver.

The caller says how a request is sent (`post(party, path, body, name)` with `party` "supplier" or
"receiver", `path` under /api/v1/, `name` the request's name without ids, for statistics) and gets
the response or None when none came; so a test, the drill and a locust user share the steps."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .bodies import steam_delivery

Post = Callable[[str, str, dict, str], Any]


def _answered(response) -> bool:
    return response is not None and 200 <= response.status_code < 300


def complete_steam_exchange(post: Post, proposal: dict, amount_gj: str) -> str | None:
    """Carry an exchange on `proposal` (an offer_id with a want_id or a receiver_enterprise_id) to
    completion with one delivery of `amount_gj` GJ; its id, or None at the first step not answered 2xx."""
    proposed = post("supplier", "exchanges", {**proposal, "agreed_amount": amount_gj, "agreed_unit": "GJ"}, "exchanges")
    if not _answered(proposed):
        return None
    exchange_id = proposed.json()["id"]
    steps = (
        ("receiver", "accept", {}),
        ("supplier", "deliveries", steam_delivery(amount_gj)),
        ("receiver", "complete", {}),
    )
    for party, step, body in steps:
        if not _answered(post(party, f"exchanges/{exchange_id}/{step}", body, f"exchanges/{{id}}/{step}")):
            return None
    return exchange_id
