"""An exchange agreed on a match, and its lifecycle:
proposed → accepted → delivering → completed, or proposed → declined, or cancelled by
either party at any point before completion.

Quantities are exact decimals (never floats) because the ledger turns them into evidence;
a completed exchange emits `ExchangeCompleted` exactly as services/common/contracts.py
writes it down. Every change records a past-tense event for exchanges.v1.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import get_args

from services.common.contracts import DELIVERY_UNITS, ExchangeCompletedPayload, Fuel, Substitute
from services.common.errors import Conflict, FieldCollector, Forbidden, InvalidFields
from services.common.events import Event, utcnow
from services.common.identity import Principal, Role

from .enterprises import Enterprise
from .listings import Listing, Status as ListingStatus
from .specs import Kind, MaterialSpec

MAX_PLACES = 6  # a gram of a tonne, a litre of a cubic metre, a kWh-thousandth of a MWh
MAX_AMOUNT = Decimal(10) ** 12
GJ_PER_MWH = Decimal("3.6")
FUELS: tuple[str, ...] = get_args(Fuel)
SUBSTITUTES: dict[str, tuple[str, ...]] = {
    "material": ("virgin_material",), "heat": ("boiler_heat",), "water": ("fresh_water", "municipal_water")}
EVIDENCE: dict[str, tuple[str, ...]] = {
    "material": ("weighbridge_ticket", "manifest_number"), "heat": ("meter_reading", "period"),
    "water": ("meter_reading", "period")}
assert {s for subs in SUBSTITUTES.values() for s in subs} == set(get_args(Substitute))


class ExchangeStatus(str, Enum):
    PROPOSED = "proposed"
    ACCEPTED = "accepted"
    DELIVERING = "delivering"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    DECLINED = "declined"


def exact_decimal(value, positive: bool = True) -> Decimal:
    """A quantity or price as an exact, canonical decimal: finite, at most MAX_PLACES places,
    below MAX_AMOUNT in size and, when `positive`, above 0. Raises ValueError."""
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValueError("must be a decimal number, e.g. \"12.5\"") from None
    if not amount.is_finite():
        raise ValueError("must be a finite decimal number")
    if len(amount.as_tuple().digits) > 24:  # normalize() would round beyond 28 digits
        raise ValueError("has too many digits")
    if positive and amount <= 0:
        raise ValueError("must be greater than 0")
    if abs(amount) >= MAX_AMOUNT:
        raise ValueError(f"must be below {MAX_AMOUNT:,}")
    amount = amount.normalize() if amount else Decimal(0)  # "12.50" → 12.5; "-0" → 0
    if amount.as_tuple().exponent < -MAX_PLACES:
        raise ValueError(f"must have at most {MAX_PLACES} decimal places")
    return amount


def decimal_str(amount: Decimal) -> str:
    """Plain notation, never exponents: 1E+2 → "100"."""
    return format(amount, "f")


def convert(amount: Decimal, unit: str, to: str) -> Decimal:
    """Between the units one kind allows (only heat has two: 1 MWh = 3.6 GJ)."""
    if unit == to:
        return amount
    return amount * GJ_PER_MWH if (unit, to) == ("MWh", "GJ") else amount / GJ_PER_MWH


@dataclass(frozen=True)
class Party:
    enterprise_id: str
    park_id: str

    def to_dict(self) -> dict:
        return {"enterprise_id": self.enterprise_id, "park_id": self.park_id}


@dataclass(frozen=True)
class Actor:
    """Who acts: a party's enterprise, or an admin (enterprise_id None) acting for the side
    the action needs. An admin proposing names the side it proposes for."""

    enterprise_id: str | None
    admin: bool = False

    def to_dict(self) -> dict:
        return {"enterprise_id": self.enterprise_id, "admin": self.admin}


@dataclass(frozen=True)
class Delivery:
    """One delivery, with the evidence a regulator asks for and what it replaced."""

    id: str
    delivered_on: date
    amount: Decimal
    unit: str
    evidence: dict[str, str]
    substitution: dict[str, str]
    recorded_by: str | None  # the party's enterprise id; None when an admin recorded it
    recorded_at: datetime

    def to_contract(self) -> dict:
        """Exactly the contract's `Delivery`."""
        return {"id": self.id, "delivered_on": self.delivered_on.isoformat(), "amount": decimal_str(self.amount),
                "unit": self.unit, "evidence": dict(self.evidence), "substitution": dict(self.substitution)}

    def to_dict(self) -> dict:
        return {**self.to_contract(), "recorded_by": self.recorded_by, "recorded_at": self.recorded_at.isoformat()}


def _evidence(errors: FieldCollector, kind: str, hazardous: bool, given: dict) -> dict[str, str]:
    evidence = {k: str(v).strip() for k, v in (given or {}).items() if v is not None and str(v).strip()}
    for key in evidence:
        errors.require(f"evidence.{key}", key in EVIDENCE[kind], f"is not evidence of a {kind} delivery")
    if kind == "material":
        errors.require("evidence.weighbridge_ticket", "weighbridge_ticket" in evidence,
                       "a material delivery needs its weighbridge ticket")
        errors.require("evidence.manifest_number", not hazardous or "manifest_number" in evidence,
                       "a hazardous-waste transfer needs its transfer manifest number (危险废物转移联单)")
    else:
        errors.require("evidence", "meter_reading" in evidence or "period" in evidence,
                       f"a {kind} delivery needs a meter_reading or a metering period")
    return evidence


def _substitution(errors: FieldCollector, kind: str, given: dict) -> dict[str, str]:
    sub = {k: v for k, v in (given or {}).items() if v is not None}
    substitutes = sub.get("substitutes")
    errors.require("substitution.substitutes", substitutes in SUBSTITUTES[kind],
                   f"a {kind} delivery substitutes one of: {', '.join(SUBSTITUTES[kind])}")
    errors.require("substitution.fuel", kind != "heat" or sub.get("fuel") in FUELS,
                   f"boiler heat names the fuel it replaces: one of {', '.join(FUELS)}")
    for key, only in (("fuel", "heat"), ("boiler_efficiency", "heat"), ("material", "material")):
        errors.require(f"substitution.{key}", key not in sub or kind == only, f"belongs only on a {only} delivery")
    if kind == "heat" and "boiler_efficiency" in sub:
        efficiency = errors.check("substitution.boiler_efficiency", exact_decimal, sub["boiler_efficiency"])
        if efficiency is not None:
            errors.require("substitution.boiler_efficiency", efficiency <= 1, "must be above 0 and at most 1")
            sub["boiler_efficiency"] = decimal_str(efficiency)
    if "material" in sub:
        sub["material"] = str(sub["material"]).strip()
        errors.require("substitution.material", bool(sub["material"]), "must not be blank")
    return {k: sub[k] for k in ("substitutes", "fuel", "boiler_efficiency", "material") if k in sub}


@dataclass
class Exchange:
    id: str
    kind: Kind
    offer_id: str
    want_id: str | None
    supplier: Party
    receiver: Party
    proposed_by: str  # the enterprise whose side proposed
    waste_code: str | None
    hazardous: bool
    agreed_amount: Decimal
    agreed_unit: str
    price_cny_per_unit: Decimal | None
    note: str | None
    proposed_on: date
    status: ExchangeStatus = ExchangeStatus.PROPOSED
    accepted_on: date | None = None
    completed_at: datetime | None = None
    deliveries: list[Delivery] = field(default_factory=list)
    created_at: datetime = field(default_factory=utcnow)
    updated_at: datetime = field(default_factory=utcnow)
    version: int = 1
    events: list[Event] = field(default_factory=list, repr=False, compare=False)

    @classmethod
    def propose(cls, offer: Listing, want: Listing | None, receiver: Enterprise, by: Actor, agreed_amount,
                agreed_unit: str, price_cny_per_unit=None, note: str | None = None,
                today: date | None = None) -> "Exchange":
        """`receiver` is the want's enterprise, or the one named when there is no want."""
        today = today or date.today()
        if by.enterprise_id not in (offer.enterprise_id, receiver.id):
            if by.admin:
                raise InvalidFields.single("on_behalf_of", "must be the supplier or the receiver")
            raise Forbidden("only the supplier (the offer's enterprise) or the receiver may propose an exchange")
        receiver_field = "want_id" if want else "receiver_enterprise_id"
        errors = FieldCollector()
        errors.require(receiver_field, receiver.id != offer.enterprise_id,
                       "an enterprise cannot exchange with itself")
        if want is not None:
            errors.require("want_id", want.kind is offer.kind,
                           f"is a {want.kind.value} want; the offer is {offer.kind.value}")
        code = offer.spec.waste_codes[0] if isinstance(offer.spec, MaterialSpec) else None
        if code and want is not None and isinstance(want.spec, MaterialSpec):
            errors.require("want_id", code in want.spec.waste_codes, f"does not accept waste code {code}")
        hazardous = isinstance(offer.spec, MaterialSpec) and offer.spec.hazardous
        # The legality gate (DESIGN §5). 点对点 directed-utilisation approvals (exemption list
        # item 31) are not modelled yet, so a licence is the only way a receiver qualifies.
        errors.require(receiver_field, not hazardous or receiver.licensed_for(code, today),
                       f"the receiver holds no hazardous-waste licence covering {code} valid on {today.isoformat()}")
        amount = errors.check("agreed_amount", exact_decimal, agreed_amount)
        errors.require("agreed_unit", agreed_unit in DELIVERY_UNITS[offer.kind.value],
                       f"a {offer.kind.value} exchange is agreed in {' or '.join(DELIVERY_UNITS[offer.kind.value])}")
        price = None if price_cny_per_unit is None else errors.check(
            "price_cny_per_unit", exact_decimal, price_cny_per_unit, False)
        errors.require("note", note is None or len(note) <= 1000, "must be at most 1000 characters")
        errors.raise_if_any()
        for listing in filter(None, (offer, want)):
            if listing.status is not ListingStatus.ACTIVE:
                raise Conflict(f"the {listing.side.value} is {listing.status.value}: only active listings can be exchanged")
        exchange = cls(str(uuid.uuid4()), offer.kind, offer.id, want.id if want else None,
                       Party(offer.enterprise_id, offer.park_id), Party(receiver.id, receiver.park_id),
                       by.enterprise_id, code, hazardous, amount, agreed_unit, price, (note or "").strip() or None,
                       today)
        exchange._record("Proposed", by)
        return exchange

    # --- transitions ---------------------------------------------------------------------

    def accept(self, by: Actor, today: date | None = None) -> None:
        self._counterparty_only(by, "accept")
        self._require(ExchangeStatus.PROPOSED, action="accept")
        self.status, self.accepted_on = ExchangeStatus.ACCEPTED, today or date.today()
        self._record("Accepted", by)

    def decline(self, by: Actor) -> None:
        self._counterparty_only(by, "decline")
        self._require(ExchangeStatus.PROPOSED, action="decline")
        self.status = ExchangeStatus.DECLINED
        self._record("Declined", by)

    def cancel(self, by: Actor) -> None:
        self._party_only(by)
        self._require(ExchangeStatus.PROPOSED, ExchangeStatus.ACCEPTED, ExchangeStatus.DELIVERING, action="cancel")
        self.status = ExchangeStatus.CANCELLED
        self._record("Cancelled", by)

    def record_delivery(self, by: Actor, receiver: Enterprise, delivered_on: date, amount, unit: str,
                        evidence: dict, substitution: dict, confirm_over_delivery: bool = False,
                        today: date | None = None) -> Delivery:
        """Validate and add one delivery; the first one moves accepted → delivering."""
        today = today or date.today()
        self._party_only(by)
        self._require(ExchangeStatus.ACCEPTED, ExchangeStatus.DELIVERING, action="record a delivery on")
        kind = self.kind.value
        errors = FieldCollector()
        errors.require("delivered_on", delivered_on <= today, "must not be in the future")
        errors.require("delivered_on", delivered_on >= self.accepted_on,
                       f"must not be before the exchange was accepted ({self.accepted_on.isoformat()})")
        errors.require("delivered_on", not self.hazardous or receiver.licensed_for(self.waste_code, delivered_on),
                       f"the receiver holds no hazardous-waste licence covering {self.waste_code} on that date")
        quantity = errors.check("amount", exact_decimal, amount)
        errors.require("unit", unit in DELIVERY_UNITS[kind],
                       f"a {kind} delivery is measured in {' or '.join(DELIVERY_UNITS[kind])}")
        delivery = Delivery(str(uuid.uuid4()), delivered_on, quantity, unit, _evidence(errors, kind, self.hazardous,
                            evidence), _substitution(errors, kind, substitution), by.enterprise_id, utcnow())
        errors.raise_if_any()
        total = self.delivered_amount() + convert(quantity, unit, self.agreed_unit)
        if total > self.agreed_amount and not confirm_over_delivery:
            raise InvalidFields.single("confirm_over_delivery", (
                f"this delivery brings the total to {decimal_str(_rounded(total))} {self.agreed_unit}, above the "
                f"agreed {decimal_str(self.agreed_amount)} {self.agreed_unit}: send confirm_over_delivery: true "
                "to record it anyway"))
        self.deliveries.append(delivery)
        self.status = ExchangeStatus.DELIVERING
        self._record("DeliveryRecorded", by, delivery=delivery.to_dict())
        return delivery

    def complete(self, by: Actor, now: datetime | None = None) -> None:
        self._party_only(by)
        if self.status is ExchangeStatus.ACCEPTED:
            raise Conflict("cannot complete an accepted exchange before a delivery is recorded")
        self._require(ExchangeStatus.DELIVERING, action="complete")
        if not self.deliveries:  # delivering implies one; kept so the contract never ships an empty list
            raise Conflict("cannot complete an exchange without deliveries")
        self.status, self.completed_at = ExchangeStatus.COMPLETED, (now or utcnow()).astimezone(timezone.utc)
        self.updated_at = self.completed_at
        self.version += 1
        self.events.append(Event("ExchangeCompleted", self.id, dict(self.completed_payload())))

    # --- reading -------------------------------------------------------------------------

    @property
    def counterparty(self) -> str:
        return self.receiver.enterprise_id if self.proposed_by == self.supplier.enterprise_id \
            else self.supplier.enterprise_id

    def parties(self) -> tuple[str, str]:
        return self.supplier.enterprise_id, self.receiver.enterprise_id

    def delivered_amount(self) -> Decimal:
        """Everything delivered so far, in the agreed unit."""
        return sum((convert(d.amount, d.unit, self.agreed_unit) for d in self.deliveries), Decimal(0))

    def completed_payload(self) -> ExchangeCompletedPayload:
        return {
            "exchange_id": self.id, "kind": self.kind.value, "offer_id": self.offer_id, "want_id": self.want_id,
            "supplier": self.supplier.to_dict(), "receiver": self.receiver.to_dict(),
            "waste_code": self.waste_code, "hazardous": self.hazardous,
            "agreed_amount": decimal_str(self.agreed_amount), "agreed_unit": self.agreed_unit,
            "completed_at": self.completed_at.astimezone(timezone.utc).isoformat(),
            "deliveries": [d.to_contract() for d in self.deliveries],
        }

    def to_dict(self) -> dict:
        return {
            "id": self.id, "kind": self.kind.value, "status": self.status.value, "offer_id": self.offer_id,
            "want_id": self.want_id, "supplier": self.supplier.to_dict(), "receiver": self.receiver.to_dict(),
            "proposed_by": self.proposed_by, "waste_code": self.waste_code, "hazardous": self.hazardous,
            "agreed_amount": decimal_str(self.agreed_amount), "agreed_unit": self.agreed_unit,
            "price_cny_per_unit": None if self.price_cny_per_unit is None else decimal_str(self.price_cny_per_unit),
            "note": self.note, "delivered_amount": decimal_str(_rounded(self.delivered_amount())),
            "delivery_count": len(self.deliveries), "proposed_on": self.proposed_on.isoformat(),
            "accepted_on": self.accepted_on.isoformat() if self.accepted_on else None,
            "completed_at": self.completed_at.isoformat() if self.completed_at else None,
            "created_at": self.created_at.isoformat(), "updated_at": self.updated_at.isoformat(),
            "version": self.version,
        }

    # --- rules shared by the transitions -------------------------------------------------

    def _party_only(self, by: Actor) -> None:
        if not by.admin and by.enterprise_id not in self.parties():
            raise Forbidden("only the parties to an exchange or an admin may act on it")

    def _counterparty_only(self, by: Actor, action: str) -> None:
        self._party_only(by)
        if not by.admin and by.enterprise_id != self.counterparty:
            raise Forbidden(f"only the counterparty may {action} a proposal, not the side that proposed it")

    def _require(self, *allowed: ExchangeStatus, action: str) -> None:
        if self.status not in allowed:
            raise Conflict(f"cannot {action} a {self.status.value} exchange")

    def _record(self, what: str, by: Actor, **extra) -> None:
        self.updated_at = utcnow()
        if what != "Proposed":
            self.version += 1
        self.events.append(Event(f"Exchange{what}", self.id, {**self.to_dict(), "by": by.to_dict(), **extra}))


def _rounded(amount: Decimal) -> Decimal:
    """A sum converted between GJ and MWh can run to 28 digits; show it to MAX_PLACES."""
    return amount.quantize(Decimal(1).scaleb(-MAX_PLACES)).normalize() if amount else Decimal(0)


# --- who may see and act on an exchange ----------------------------------------------------

def exchange_visible(p: Principal, exchange: Exchange) -> bool:
    """Admins see all; each party its own; a park manager those with a party in the park."""
    if p.is_admin:
        return True
    if p.role is Role.PARK_MANAGER:
        return p.park_id in (exchange.supplier.park_id, exchange.receiver.park_id)
    return p.enterprise_id is not None and p.enterprise_id in exchange.parties()


def acting_as(p: Principal) -> Actor:
    """The actor a caller is on an exchange it can see; park managers only read."""
    if p.is_admin:
        return Actor(None, admin=True)
    if p.role is Role.PARK_MANAGER:
        raise Forbidden("park managers read exchanges; only the parties or an admin act on them")
    return Actor(p.enterprise_id)


def proposer(p: Principal, on_behalf_of: str | None) -> Actor:
    """An enterprise proposes for itself; an admin names the side it proposes for."""
    if p.is_admin:
        if not on_behalf_of:
            raise InvalidFields.single("on_behalf_of", "an admin must name the enterprise (supplier or receiver) "
                                                       "it proposes for")
        return Actor(on_behalf_of, admin=True)
    if p.role is not Role.ENTERPRISE:
        raise Forbidden("only an enterprise (or an admin acting for one) may propose an exchange")
    if p.enterprise_id is None:
        raise Forbidden("register your enterprise (POST /api/v1/enterprises) before proposing exchanges")
    if on_behalf_of not in (None, p.enterprise_id):
        raise Forbidden("an enterprise proposes only for itself")
    return Actor(p.enterprise_id)


def exchange_scope(p: Principal) -> dict:
    """The restriction every exchange query gets for this caller (see ExchangeRepository.list)."""
    if p.is_admin:
        return {}
    if p.role is Role.PARK_MANAGER:
        return {"park_id": p.park_id}
    return {"enterprise_id": p.enterprise_id}
