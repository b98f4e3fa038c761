"""An exchange agreed on a match, and its lifecycle:
proposed → accepted → delivering → completed, or proposed → declined, or cancelled by
either party at any point before completion.

Amounts are exact decimals and every delivery is checked by the rules in deliveries.py;
a completed exchange emits `ExchangeCompleted` exactly as services/common/contracts.py
writes it down. Every change records a past-tense event for exchanges.v1 (payloads: events.py).
Who may see an exchange, whom a caller acts as on it, and which actor may make each
transition, is access.py.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import StrEnum

from services.common import contracts as c
from services.common.contracts import DELIVERY_UNITS, ExchangeCompletedPayload
from services.common.errors import Conflict, FieldCollector, InvalidFields
from services.common.events import Event, utcnow

from .access import Actor, may_propose_between, require_counterparty, require_party
from .deliveries import Delivery, checked_evidence, checked_substitution, convert, decimal_str, exact_decimal, shown
from .enterprises import Enterprise
from .events import exchange_changed, exchange_completed, exchange_completed_payload
from .listings import Listing
from .listings import Status as ListingStatus
from .specs import Kind, MaterialSpec


class ExchangeStatus(StrEnum):
    PROPOSED = "proposed"
    ACCEPTED = "accepted"
    DELIVERING = "delivering"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    DECLINED = "declined"


@dataclass(frozen=True)
class Party:
    enterprise_id: str
    park_id: str

    def to_dict(self) -> dict:
        return {"enterprise_id": self.enterprise_id, "park_id": self.park_id}


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
    def propose(
        cls,
        offer: Listing,
        want: Listing | None,
        receiver: Enterprise,
        by: Actor,
        agreed_amount,
        agreed_unit: str,
        price_cny_per_unit=None,
        note: str | None = None,
        today: date | None = None,
    ) -> Exchange:
        """`receiver` is the want's enterprise, or the one named when there is no want."""
        today = today or date.today()
        may_propose_between(by, offer.enterprise_id, receiver.id)
        receiver_field = "want_id" if want else "receiver_enterprise_id"
        errors = FieldCollector()
        errors.require(receiver_field, receiver.id != offer.enterprise_id, "an enterprise cannot exchange with itself")
        if want is not None:
            errors.require(
                "want_id", want.kind is offer.kind, f"is a {want.kind.value} want; the offer is {offer.kind.value}"
            )
        code = offer.spec.waste_codes[0] if isinstance(offer.spec, MaterialSpec) else None
        if code and want is not None and isinstance(want.spec, MaterialSpec):
            errors.require("want_id", code in want.spec.waste_codes, f"does not accept waste code {code}")
        hazardous = isinstance(offer.spec, MaterialSpec) and offer.spec.hazardous
        # The legality gate (README, "Domain rules enforced on input"): a licence covering the code, or
        # a 点对点 directed-utilisation approval (exemption list item 31) naming this offer's enterprise
        # as supplier.
        errors.require(
            receiver_field,
            not hazardous or (code is not None and receiver.may_receive(code, offer.enterprise_id, today)),
            f"the receiver holds no hazardous-waste licence or directed-utilisation approval covering "
            f"{code} from this supplier valid on {today.isoformat()}",
        )
        amount = errors.check("agreed_amount", exact_decimal, agreed_amount)
        errors.require(
            "agreed_unit",
            agreed_unit in DELIVERY_UNITS[offer.kind.value],
            f"a {offer.kind.value} exchange is agreed in {' or '.join(DELIVERY_UNITS[offer.kind.value])}",
        )
        price = (
            None
            if price_cny_per_unit is None
            else errors.check("price_cny_per_unit", exact_decimal, price_cny_per_unit, False)
        )
        errors.require("note", note is None or len(note) <= 1000, "must be at most 1000 characters")
        errors.raise_if_any()
        for listing in filter(None, (offer, want)):
            if listing.status is not ListingStatus.ACTIVE:
                raise Conflict(
                    f"the {listing.side.value} is {listing.status.value}: only active listings can be exchanged"
                )
        exchange = cls(
            str(uuid.uuid4()),
            offer.kind,
            offer.id,
            want.id if want else None,
            Party(offer.enterprise_id, offer.park_id),
            Party(receiver.id, receiver.park_id),
            offer.enterprise_id if by.enterprise_id == offer.enterprise_id else receiver.id,  # by.enterprise_id
            code,
            hazardous,
            amount,
            agreed_unit,
            price,
            (note or "").strip() or None,
            today,
        )
        exchange._record(c.EXCHANGE_PROPOSED, by)
        return exchange

    # --- transitions ---------------------------------------------------------------------

    def accept(self, by: Actor, today: date | None = None) -> None:
        require_counterparty(by, self, "accept")
        self._require(ExchangeStatus.PROPOSED, action="accept")
        self.status, self.accepted_on = ExchangeStatus.ACCEPTED, today or date.today()
        self._record(c.EXCHANGE_ACCEPTED, by)

    def decline(self, by: Actor) -> None:
        require_counterparty(by, self, "decline")
        self._require(ExchangeStatus.PROPOSED, action="decline")
        self.status = ExchangeStatus.DECLINED
        self._record(c.EXCHANGE_DECLINED, by)

    def cancel(self, by: Actor) -> None:
        require_party(by, self)
        self._require(ExchangeStatus.PROPOSED, ExchangeStatus.ACCEPTED, ExchangeStatus.DELIVERING, action="cancel")
        self.status = ExchangeStatus.CANCELLED
        self._record(c.EXCHANGE_CANCELLED, by)

    def record_delivery(
        self,
        by: Actor,
        receiver: Enterprise,
        delivered_on: date,
        amount,
        unit: str,
        evidence: dict,
        substitution: dict,
        confirm_over_delivery: bool = False,
        today: date | None = None,
    ) -> Delivery:
        """Validate and add one delivery; the first one moves accepted → delivering."""
        today = today or date.today()
        require_party(by, self)
        self._require(ExchangeStatus.ACCEPTED, ExchangeStatus.DELIVERING, action="record a delivery on")
        kind = self.kind.value
        accepted_on = self.accepted_on
        assert accepted_on is not None  # accepted or delivering
        errors = FieldCollector()
        errors.require("delivered_on", delivered_on <= today, "must not be in the future")
        errors.require(
            "delivered_on",
            delivered_on >= accepted_on,
            f"must not be before the exchange was accepted ({accepted_on.isoformat()})",
        )
        errors.require(
            "delivered_on",
            not self.hazardous
            or (
                self.waste_code is not None
                and receiver.may_receive(self.waste_code, self.supplier.enterprise_id, delivered_on)
            ),
            f"the receiver holds no hazardous-waste licence or directed-utilisation approval covering "
            f"{self.waste_code} from this supplier on that date",
        )
        quantity = errors.check("amount", exact_decimal, amount)
        errors.require(
            "unit",
            unit in DELIVERY_UNITS[kind],
            f"a {kind} delivery is measured in {' or '.join(DELIVERY_UNITS[kind])}",
        )
        delivery = Delivery(
            str(uuid.uuid4()),
            delivered_on,
            quantity,
            unit,
            checked_evidence(errors, kind, self.hazardous, evidence),
            checked_substitution(errors, kind, substitution),
            by.enterprise_id,
            utcnow(),
        )
        errors.raise_if_any()
        total = self.delivered_amount() + convert(quantity, unit, self.agreed_unit)
        if total > self.agreed_amount and not confirm_over_delivery:
            raise InvalidFields.single(
                "confirm_over_delivery",
                (
                    f"this delivery brings the total to {decimal_str(shown(total))} {self.agreed_unit}, above the "
                    f"agreed {decimal_str(self.agreed_amount)} {self.agreed_unit}: send confirm_over_delivery: true "
                    "to record it anyway"
                ),
            )
        self.deliveries.append(delivery)
        self.status = ExchangeStatus.DELIVERING
        self._record(c.EXCHANGE_DELIVERY_RECORDED, by, delivery)
        return delivery

    def complete(self, by: Actor, now: datetime | None = None) -> None:
        require_party(by, self)
        if self.status is ExchangeStatus.ACCEPTED:
            raise Conflict("cannot complete an accepted exchange before a delivery is recorded")
        self._require(ExchangeStatus.DELIVERING, action="complete")
        if not self.deliveries:  # delivering implies one; kept so the contract never ships an empty list
            raise Conflict("cannot complete an exchange without deliveries")
        self.status, self.completed_at = ExchangeStatus.COMPLETED, (now or utcnow()).astimezone(UTC)
        self.updated_at = self.completed_at
        self.version += 1
        self.events.append(exchange_completed(self))

    # --- reading -------------------------------------------------------------------------

    @property
    def counterparty(self) -> str:
        return (
            self.receiver.enterprise_id
            if self.proposed_by == self.supplier.enterprise_id
            else self.supplier.enterprise_id
        )

    def parties(self) -> tuple[str, str]:
        return self.supplier.enterprise_id, self.receiver.enterprise_id

    def delivered_amount(self) -> Decimal:
        """Everything delivered so far, in the agreed unit."""
        return sum((convert(d.amount, d.unit, self.agreed_unit) for d in self.deliveries), Decimal(0))

    def completed_payload(self) -> ExchangeCompletedPayload:
        """What ExchangeCompleted carries (events.py builds it)."""
        return exchange_completed_payload(self)

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "kind": self.kind.value,
            "status": self.status.value,
            "offer_id": self.offer_id,
            "want_id": self.want_id,
            "supplier": self.supplier.to_dict(),
            "receiver": self.receiver.to_dict(),
            "proposed_by": self.proposed_by,
            "waste_code": self.waste_code,
            "hazardous": self.hazardous,
            "agreed_amount": decimal_str(self.agreed_amount),
            "agreed_unit": self.agreed_unit,
            "price_cny_per_unit": None if self.price_cny_per_unit is None else decimal_str(self.price_cny_per_unit),
            "note": self.note,
            "delivered_amount": decimal_str(shown(self.delivered_amount())),
            "delivery_count": len(self.deliveries),
            "proposed_on": self.proposed_on.isoformat(),
            "accepted_on": self.accepted_on.isoformat() if self.accepted_on else None,
            "completed_at": self.completed_at.isoformat() if self.completed_at else None,
            "created_at": self.created_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
            "version": self.version,
        }

    # --- shared by the transitions -------------------------------------------------------

    def _require(self, *allowed: ExchangeStatus, action: str) -> None:
        if self.status not in allowed:
            raise Conflict(f"cannot {action} a {self.status.value} exchange")

    def _record(self, event_type: str, by: Actor, delivery: Delivery | None = None) -> None:
        self.updated_at = utcnow()
        if event_type != c.EXCHANGE_PROPOSED:
            self.version += 1
        self.events.append(exchange_changed(event_type, self, by, delivery))
