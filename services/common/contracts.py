"""Event payloads that cross service boundaries, written down once.

`ExchangeCompleted` (topic exchanges.v1, key = exchange id) is what the listings service
emits when an exchange completes and what the ledger turns into evidence. Amounts are
decimal strings so no float rounding slips between services.
"""
from __future__ import annotations

from typing import Any, Literal

from pydantic import TypeAdapter, ValidationError
# pydantic checks a payload against these TypedDicts; it needs typing_extensions' before Python 3.12.
from typing_extensions import TypedDict

Kind = Literal["material", "heat", "water"]
# What a delivery replaces, so savings can be computed against it.
Substitute = Literal["virgin_material", "boiler_heat", "fresh_water", "municipal_water"]
Fuel = Literal["coal", "natural_gas", "fuel_oil", "diesel", "electricity"]
DELIVERY_UNITS: dict[str, tuple[str, ...]] = {"material": ("t",), "heat": ("GJ", "MWh"), "water": ("m3",)}


class Party(TypedDict):
    enterprise_id: str
    park_id: str


class Evidence(TypedDict, total=False):
    weighbridge_ticket: str  # materials
    manifest_number: str  # required for hazardous waste (危险废物转移联单)
    meter_reading: str  # heat and water: the meter's reading or id
    period: str  # heat and water: the metering period, e.g. 2026-05


class Substitution(TypedDict, total=False):
    substitutes: Substitute
    fuel: Fuel  # boiler_heat: the fuel the receiver's own boiler would have burnt
    boiler_efficiency: str  # boiler_heat: decimal 0..1, default 0.9 when absent
    material: str  # virgin_material: what it replaces, e.g. "natural gypsum"


class Delivery(TypedDict):
    id: str
    delivered_on: str  # YYYY-MM-DD
    amount: str  # decimal string
    unit: str  # one of DELIVERY_UNITS[kind]
    evidence: Evidence
    substitution: Substitution


class ExchangeCompletedPayload(TypedDict):
    exchange_id: str
    kind: Kind
    offer_id: str
    want_id: str | None
    supplier: Party
    receiver: Party
    waste_code: str | None  # materials
    hazardous: bool
    agreed_amount: str
    agreed_unit: str
    completed_at: str  # ISO 8601, UTC
    deliveries: list[Delivery]


class ContractViolation(ValueError):
    """A payload that breaks its contract; the message names every bad field."""


_EXCHANGE_COMPLETED = TypeAdapter(ExchangeCompletedPayload)


def check_exchange_completed(payload: Any) -> ExchangeCompletedPayload:
    """The payload, if it has the contract's shape and types (strictly: amounts are strings, not
    numbers); fields the contract does not name are allowed, for producers that are newer."""
    try:
        _EXCHANGE_COMPLETED.validate_python(payload, strict=True)
    except ValidationError as exc:
        raise ContractViolation("; ".join(f"{'.'.join(map(str, e['loc'])) or 'payload'}: {e['msg']}"
                                          for e in exc.errors())) from None
    return payload
