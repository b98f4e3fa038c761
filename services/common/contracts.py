"""Every event that crosses a service boundary, written down once: its name, its topic, and the
payload type of each schema version.

The listings service produces all of them (services/listings/domain/events.py builds each payload
field by field from the domain object); matching (service_layer/projection.py) and the ledger
(service_layer/recording.py) consume some, each through one handler table keyed by these names.
tests/unit/common/test_event_contracts.py drives every producer and fails when an event type has no
contract here, a payload breaks its contract, or a consumer handles a type nobody produces.

Topics and keys:
- `listings.v1` (key = the aggregate's id): ParkCreated, ParkBaselineSet, EnterpriseRegistered,
  EnterpriseUpdated, Offer/Want Published, Updated, Paused, Resumed, Withdrawn;
- `exchanges.v1` (key = exchange id): ExchangeProposed, ExchangeAccepted, ExchangeDeclined,
  ExchangeCancelled, ExchangeDeliveryRecorded, ExchangeCompleted. `ExchangeCompleted` is what the
  ledger turns into evidence. Amounts are decimal strings so no float rounding slips between services.

How an event evolves:
- A new field that consumers may ignore is *additive*: it is declared `NotRequired` in the payload
  type, consumers read it with `.get()`, and the event keeps its `schema_version`. (The checks allow
  fields they do not name, so a newer producer never breaks an older consumer.)
- Anything else (removing, renaming or retyping a field, changing its meaning or unit, making an
  optional field required) is a new `schema_version`: add its payload type under the new number in
  the event's `Contract.payloads`, keep the old one, and have the producer switch only once every
  consumer accepts both. During the rollout consumers accept the versions side by side (`check`
  picks the type by the envelope's `schema_version`); the old type is removed only when no stored
  or in-flight event carries it.
- A new event is a new name here first; its consumers add a handler to their table.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, NotRequired, cast

from pydantic import TypeAdapter, ValidationError

# pydantic checks a payload against these TypedDicts; it needs typing_extensions' before Python 3.12.
from typing_extensions import TypedDict

from .events import EXCHANGES_TOPIC, LISTINGS_TOPIC

# --- event names ----------------------------------------------------------------------------------

PARK_CREATED = "ParkCreated"
PARK_BASELINE_SET = "ParkBaselineSet"
ENTERPRISE_REGISTERED = "EnterpriseRegistered"
ENTERPRISE_UPDATED = "EnterpriseUpdated"
OFFER_PUBLISHED = "OfferPublished"
OFFER_UPDATED = "OfferUpdated"
OFFER_PAUSED = "OfferPaused"
OFFER_RESUMED = "OfferResumed"
OFFER_WITHDRAWN = "OfferWithdrawn"
WANT_PUBLISHED = "WantPublished"
WANT_UPDATED = "WantUpdated"
WANT_PAUSED = "WantPaused"
WANT_RESUMED = "WantResumed"
WANT_WITHDRAWN = "WantWithdrawn"
EXCHANGE_PROPOSED = "ExchangeProposed"
EXCHANGE_ACCEPTED = "ExchangeAccepted"
EXCHANGE_DECLINED = "ExchangeDeclined"
EXCHANGE_CANCELLED = "ExchangeCancelled"
EXCHANGE_DELIVERY_RECORDED = "ExchangeDeliveryRecorded"
EXCHANGE_COMPLETED = "ExchangeCompleted"

OFFER_EVENTS = (OFFER_PUBLISHED, OFFER_UPDATED, OFFER_PAUSED, OFFER_RESUMED, OFFER_WITHDRAWN)
WANT_EVENTS = (WANT_PUBLISHED, WANT_UPDATED, WANT_PAUSED, WANT_RESUMED, WANT_WITHDRAWN)
LISTING_EVENTS = OFFER_EVENTS + WANT_EVENTS
ENTERPRISE_EVENTS = (ENTERPRISE_REGISTERED, ENTERPRISE_UPDATED)

# --- shared pieces ---------------------------------------------------------------------------------

Kind = Literal["material", "heat", "water"]
Side = Literal["offer", "want"]
# What a delivery replaces, so savings can be computed against it.
Substitute = Literal["virgin_material", "boiler_heat", "fresh_water", "municipal_water"]
Fuel = Literal["coal", "natural_gas", "fuel_oil", "diesel", "electricity"]
DELIVERY_UNITS: dict[str, tuple[str, ...]] = {"material": ("t",), "heat": ("GJ", "MWh"), "water": ("m3",)}


class LocationPayload(TypedDict):
    lat: float
    lon: float


# --- parks (listings.v1) ---------------------------------------------------------------------------


class BaselinePayload(TypedDict):
    """A park's own totals for one year, as its managers entered them (listings: parks.YearlyBaseline;
    the ledger reads the same figures exactly: report.YearlyBaseline)."""

    year: int
    gdp_10k_cny: float  # 万元
    energy_tce: float
    water_m3: float
    solid_waste_generated_t: float
    # Additive and optional: the ledger's utilisation rate reads it when present (listings does not
    # collect it yet); without it the rate assumes no draw from storage and says so.
    solid_waste_from_storage_utilised_t: NotRequired[float | None]


class ParkCreatedPayload(TypedDict):
    id: str
    name: str
    province: str
    level: str
    park_type: str
    centroid: LocationPayload
    baselines: list[BaselinePayload]


class ParkBaselineSetPayload(BaselinePayload):
    """One year's baseline, flat beside the park's id: set or replaced."""

    park_id: str


# --- enterprises (listings.v1) ---------------------------------------------------------------------


class LicencePayload(TypedDict):
    """A hazardous-waste business licence (危险废物经营许可证)."""

    number: str
    codes: list[str]
    capacity_t_per_year: float
    valid_from: str  # YYYY-MM-DD
    valid_until: str


class ApprovalPayload(TypedDict):
    """A 点对点 directed-utilisation approval: these codes, from this one supplier."""

    number: str
    authority: str
    supplier_enterprise_id: str
    codes: list[str]
    valid_from: str
    valid_until: str
    capacity_t_per_year: float | None


class EnterprisePayload(TypedDict):
    """EnterpriseRegistered and EnterpriseUpdated: the enterprise as it now stands."""

    id: str
    park_id: str
    name: str
    credit_code: str
    industry_code: str
    location: LocationPayload
    licences: list[LicencePayload]
    approvals: NotRequired[list[ApprovalPayload]]  # added after the first events: absent means none
    contact: dict[str, Any]


# --- listings (listings.v1) ------------------------------------------------------------------------


class MeasurePayload(TypedDict):
    """A quality property an offer states (CaO 45 %, COD 30 mg/L)."""

    name: str
    value: float
    unit: str


class BoundPayload(TypedDict):
    """What a want accepts for a property; either side may be open."""

    name: str
    unit: str
    min: float | None
    max: float | None


class QuantityPayload(TypedDict):
    amount: float
    unit: Literal["t", "kg", "m3"]
    recurrence: Literal["one_off", "per_month", "per_year"]


class MaterialSpecPayload(TypedDict):
    hazardous: bool
    quantity: QuantityPayload
    price_cny_per_t: float | None
    waste_code: NotRequired[str]  # offers: the one code
    properties: NotRequired[list[MeasurePayload]]  # offers
    waste_codes: NotRequired[list[str]]  # wants: every code accepted
    property_bounds: NotRequired[list[BoundPayload]]  # wants


class HeatSpecPayload(TypedDict):
    medium: Literal["steam", "hot_water", "flue_gas", "thermal_oil"]
    temperature_c: float  # offers: supply; wants: required
    pressure_mpa: float | None  # absolute
    thermal_power_mw: float
    hours_per_day: float
    days_per_year: int
    price_cny_per_gj: float | None


class WaterSpecPayload(TypedDict):
    reuse_category: str  # GB/T 19923
    flow_m3_per_day: float
    price_cny_per_m3: float | None
    parameters: NotRequired[list[MeasurePayload]]  # offers
    parameter_bounds: NotRequired[list[BoundPayload]]  # wants


class ListingPayload(TypedDict):
    """Every Offer*/Want* event: the listing as it now stands. Its details sit under the key of its
    kind (`material`, `heat` or `water`), exactly one of them."""

    id: str
    side: Side
    kind: Kind
    status: Literal["active", "paused", "withdrawn"]
    enterprise_id: str
    park_id: str
    title: str
    location: LocationPayload
    max_distance_km: float
    available_from: str  # YYYY-MM-DD
    available_until: str | None
    material: NotRequired[MaterialSpecPayload]
    heat: NotRequired[HeatSpecPayload]
    water: NotRequired[WaterSpecPayload]
    created_at: str  # ISO 8601
    updated_at: str
    version: int


# --- exchanges (exchanges.v1) ----------------------------------------------------------------------


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


class DeliveryPayload(TypedDict):
    """One delivery on an exchange, as ExchangeCompleted carries it."""

    id: str
    delivered_on: str  # YYYY-MM-DD
    amount: str  # decimal string
    unit: str  # one of DELIVERY_UNITS[kind]
    evidence: Evidence
    substitution: Substitution


Delivery = DeliveryPayload  # the name this type had first


class RecordedDeliveryPayload(DeliveryPayload):
    """A delivery as ExchangeDeliveryRecorded carries it: who recorded it, and when."""

    recorded_by: str | None  # the party's enterprise id; None when an admin recorded it
    recorded_at: str


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
    deliveries: list[DeliveryPayload]


class ActorPayload(TypedDict):
    enterprise_id: str | None  # None: an admin
    admin: bool


class ExchangeChangedPayload(TypedDict):
    """ExchangeProposed, Accepted, Declined, Cancelled and DeliveryRecorded: the exchange as it now
    stands, who acted (`by`) and, for a delivery, the delivery."""

    id: str
    kind: Kind
    status: Literal["proposed", "accepted", "delivering", "completed", "cancelled", "declined"]
    offer_id: str
    want_id: str | None
    supplier: Party
    receiver: Party
    proposed_by: str
    waste_code: str | None
    hazardous: bool
    agreed_amount: str  # decimal strings
    agreed_unit: str
    price_cny_per_unit: str | None
    note: str | None
    delivered_amount: str
    delivery_count: int
    proposed_on: str
    accepted_on: str | None
    completed_at: str | None
    created_at: str
    updated_at: str
    version: int
    by: ActorPayload
    delivery: NotRequired[RecordedDeliveryPayload]  # ExchangeDeliveryRecorded only


# --- the registry ----------------------------------------------------------------------------------


class ContractViolation(ValueError):
    """A payload that breaks its contract; the message names every bad field."""


@dataclass(frozen=True)
class Contract:
    """One event: its name, its topic, and the payload type of every schema version consumers accept."""

    type: str
    topic: str
    payloads: Mapping[int, Any]  # schema_version -> TypedDict
    _adapters: dict[int, TypeAdapter[Any]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_adapters", {v: TypeAdapter(t) for v, t in self.payloads.items()})

    @property
    def latest(self) -> int:
        return max(self.payloads)

    def check(self, payload: Any, schema_version: int = 1) -> Any:
        """The payload, if it has the shape and types of that version (strictly: amounts are strings,
        not numbers); fields the contract does not name are allowed, for producers that are newer."""
        adapter = self._adapters.get(schema_version)
        if adapter is None:
            raise ContractViolation(
                f"schema_version: {self.type} v{schema_version} is not a version this "
                f"consumer accepts ({', '.join(f'v{v}' for v in sorted(self.payloads))})"
            )
        try:
            adapter.validate_python(payload, strict=True)
        except ValidationError as exc:
            raise ContractViolation(
                "; ".join(f"{'.'.join(map(str, e['loc'])) or 'payload'}: {e['msg']}" for e in exc.errors())
            ) from None
        return payload


def _contracts(topic: str, payload: Any, *names: str) -> dict[str, Contract]:
    return {name: Contract(name, topic, {1: payload}) for name in names}


CONTRACTS: dict[str, Contract] = {
    **_contracts(LISTINGS_TOPIC, ParkCreatedPayload, PARK_CREATED),
    **_contracts(LISTINGS_TOPIC, ParkBaselineSetPayload, PARK_BASELINE_SET),
    **_contracts(LISTINGS_TOPIC, EnterprisePayload, *ENTERPRISE_EVENTS),
    **_contracts(LISTINGS_TOPIC, ListingPayload, *LISTING_EVENTS),
    **_contracts(
        EXCHANGES_TOPIC,
        ExchangeChangedPayload,
        EXCHANGE_PROPOSED,
        EXCHANGE_ACCEPTED,
        EXCHANGE_DECLINED,
        EXCHANGE_CANCELLED,
        EXCHANGE_DELIVERY_RECORDED,
    ),
    **_contracts(EXCHANGES_TOPIC, ExchangeCompletedPayload, EXCHANGE_COMPLETED),
}


def contract(event_type: str) -> Contract:
    """The contract of an event type; ContractViolation when there is none."""
    try:
        return CONTRACTS[event_type]
    except KeyError:
        raise ContractViolation(f"type: no contract for event type {event_type!r}") from None


def check(event_type: str, payload: Any, schema_version: int = 1) -> Any:
    """`payload`, if it keeps the contract of `event_type` at `schema_version`."""
    return contract(event_type).check(payload, schema_version)


def check_exchange_completed(payload: Any, schema_version: int = 1) -> ExchangeCompletedPayload:
    """The payload, if it keeps the ExchangeCompleted contract."""
    return cast(ExchangeCompletedPayload, check(EXCHANGE_COMPLETED, payload, schema_version))
