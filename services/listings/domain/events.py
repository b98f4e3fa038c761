"""What the listings service tells other services: every event it records, named by its contract
(services/common/contracts.py) and with a payload built here, field by field, from the domain object.

The API's and the store's dicts (`to_dict`, spec_dicts) are free to change; these payloads change
only as contracts.py says an event evolves. They are byte for byte what the events carried before
they were written down, so stored events and existing consumers read them as before.
"""

from __future__ import annotations

from datetime import UTC
from enum import StrEnum
from typing import TYPE_CHECKING, cast

from services.common import contracts as c
from services.common.events import Event
from services.common.geo import Location

from .deliveries import decimal_str, shown
from .specs import Bound, HeatSpec, MaterialSpec, Measured, Side, WaterSpec

if TYPE_CHECKING:
    from .access import Actor
    from .deliveries import Delivery
    from .enterprises import DirectedUtilisationApproval, Enterprise, HazardousWasteLicence
    from .exchanges import Exchange, Party
    from .listings import Listing
    from .parks import Park, YearlyBaseline


class ListingChange(StrEnum):
    PUBLISHED = "published"
    UPDATED = "updated"
    PAUSED = "paused"
    RESUMED = "resumed"
    WITHDRAWN = "withdrawn"


LISTING_EVENT_TYPES: dict[tuple[Side, ListingChange], str] = {
    (Side.OFFER, ListingChange.PUBLISHED): c.OFFER_PUBLISHED,
    (Side.OFFER, ListingChange.UPDATED): c.OFFER_UPDATED,
    (Side.OFFER, ListingChange.PAUSED): c.OFFER_PAUSED,
    (Side.OFFER, ListingChange.RESUMED): c.OFFER_RESUMED,
    (Side.OFFER, ListingChange.WITHDRAWN): c.OFFER_WITHDRAWN,
    (Side.WANT, ListingChange.PUBLISHED): c.WANT_PUBLISHED,
    (Side.WANT, ListingChange.UPDATED): c.WANT_UPDATED,
    (Side.WANT, ListingChange.PAUSED): c.WANT_PAUSED,
    (Side.WANT, ListingChange.RESUMED): c.WANT_RESUMED,
    (Side.WANT, ListingChange.WITHDRAWN): c.WANT_WITHDRAWN,
}


def _location(location: Location) -> c.LocationPayload:
    return {"lat": location.lat, "lon": location.lon}


# --- parks -----------------------------------------------------------------------------------------


def baseline_payload(b: YearlyBaseline) -> c.BaselinePayload:
    return {
        "year": b.year,
        "gdp_10k_cny": b.gdp_10k_cny,
        "energy_tce": b.energy_tce,
        "water_m3": b.water_m3,
        "solid_waste_generated_t": b.solid_waste_generated_t,
    }


def park_created(park: Park) -> Event:
    payload: c.ParkCreatedPayload = {
        "id": park.id,
        "name": park.name,
        "province": park.province,
        "level": park.level.value,
        "park_type": park.park_type.value,
        "centroid": _location(park.centroid),
        "baselines": [baseline_payload(b) for b in park.baselines],
    }
    return Event(c.PARK_CREATED, park.id, payload)


def park_baseline_set(park: Park, b: YearlyBaseline) -> Event:
    payload: c.ParkBaselineSetPayload = {"park_id": park.id, **baseline_payload(b)}
    return Event(c.PARK_BASELINE_SET, park.id, payload)


# --- enterprises -----------------------------------------------------------------------------------


def _licence(lic: HazardousWasteLicence) -> c.LicencePayload:
    return {
        "number": lic.number,
        "codes": list(lic.codes),
        "capacity_t_per_year": lic.capacity_t_per_year,
        "valid_from": lic.valid_from.isoformat(),
        "valid_until": lic.valid_until.isoformat(),
    }


def _approval(a: DirectedUtilisationApproval) -> c.ApprovalPayload:
    return {
        "number": a.number,
        "authority": a.authority,
        "supplier_enterprise_id": a.supplier_enterprise_id,
        "codes": list(a.codes),
        "valid_from": a.valid_from.isoformat(),
        "valid_until": a.valid_until.isoformat(),
        "capacity_t_per_year": a.capacity_t_per_year,
    }


def enterprise_payload(e: Enterprise) -> c.EnterprisePayload:
    return {
        "id": e.id,
        "park_id": e.park_id,
        "name": e.name,
        "credit_code": e.credit_code,
        "industry_code": e.industry_code,
        "location": _location(e.location),
        "licences": [_licence(lic) for lic in e.licences],
        "approvals": [_approval(a) for a in e.approvals],
        "contact": dict(e.contact),
    }


def enterprise_registered(e: Enterprise) -> Event:
    return Event(c.ENTERPRISE_REGISTERED, e.id, enterprise_payload(e))


def enterprise_updated(e: Enterprise) -> Event:
    return Event(c.ENTERPRISE_UPDATED, e.id, enterprise_payload(e))


# --- listings --------------------------------------------------------------------------------------


def _measure(m: Measured) -> c.MeasurePayload:
    return {"name": m.name, "value": m.value, "unit": m.unit}


def _bound(b: Bound) -> c.BoundPayload:
    return {"name": b.name, "unit": b.unit, "min": b.min, "max": b.max}


def _material(side: Side, spec: MaterialSpec) -> c.MaterialSpecPayload:
    q = spec.quantity
    out: c.MaterialSpecPayload = {
        "hazardous": spec.hazardous,
        "quantity": {"amount": q.amount, "unit": q.unit.value, "recurrence": q.recurrence.value},
        "price_cny_per_t": spec.price_cny_per_t,
    }
    if side is Side.OFFER:
        out["waste_code"] = spec.waste_codes[0]
        out["properties"] = [_measure(m) for m in spec.properties]
    else:
        out["waste_codes"] = list(spec.waste_codes)
        out["property_bounds"] = [_bound(b) for b in spec.property_bounds]
    return out


def _heat(spec: HeatSpec) -> c.HeatSpecPayload:
    return {
        "medium": spec.medium.value,
        "temperature_c": spec.temperature_c,
        "pressure_mpa": spec.pressure_mpa,
        "thermal_power_mw": spec.thermal_power_mw,
        "hours_per_day": spec.hours_per_day,
        "days_per_year": spec.days_per_year,
        "price_cny_per_gj": spec.price_cny_per_gj,
    }


def _water(side: Side, spec: WaterSpec) -> c.WaterSpecPayload:
    out: c.WaterSpecPayload = {
        "reuse_category": spec.reuse_category.value,
        "flow_m3_per_day": spec.flow_m3_per_day,
        "price_cny_per_m3": spec.price_cny_per_m3,
    }
    if side is Side.OFFER:
        out["parameters"] = [_measure(m) for m in spec.parameters]
    else:
        out["parameter_bounds"] = [_bound(b) for b in spec.parameter_bounds]
    return out


def listing_payload(listing: Listing) -> c.ListingPayload:
    t = listing.terms
    payload: c.ListingPayload = {
        "id": listing.id,
        "side": listing.side.value,
        "kind": listing.kind.value,
        "status": listing.status.value,
        "enterprise_id": listing.enterprise_id,
        "park_id": listing.park_id,
        "title": t.title,
        "location": _location(t.location),
        "max_distance_km": t.max_distance_km,
        "available_from": t.available_from.isoformat(),
        "available_until": t.available_until.isoformat() if t.available_until else None,
        "created_at": listing.created_at.isoformat(),
        "updated_at": listing.updated_at.isoformat(),
        "version": listing.version,
    }
    spec = listing.spec
    if isinstance(spec, MaterialSpec):
        payload["material"] = _material(listing.side, spec)
    elif isinstance(spec, HeatSpec):
        payload["heat"] = _heat(spec)
    else:
        payload["water"] = _water(listing.side, spec)
    return payload


def listing_changed(listing: Listing, change: ListingChange) -> Event:
    return Event(LISTING_EVENT_TYPES[listing.side, change], listing.id, listing_payload(listing))


# --- exchanges -------------------------------------------------------------------------------------


def _party(p: Party) -> c.Party:
    return {"enterprise_id": p.enterprise_id, "park_id": p.park_id}


def delivery_payload(d: Delivery) -> c.DeliveryPayload:
    """A delivery as ExchangeCompleted carries it: exactly the contract's fields."""
    return {
        "id": d.id,
        "delivered_on": d.delivered_on.isoformat(),
        "amount": decimal_str(d.amount),
        "unit": d.unit,
        "evidence": cast(c.Evidence, dict(d.evidence)),
        "substitution": cast(c.Substitution, dict(d.substitution)),
    }


def _recorded_delivery(d: Delivery) -> c.RecordedDeliveryPayload:
    return {**delivery_payload(d), "recorded_by": d.recorded_by, "recorded_at": d.recorded_at.isoformat()}


def exchange_completed_payload(x: Exchange) -> c.ExchangeCompletedPayload:
    if x.completed_at is None:
        raise ValueError(f"exchange {x.id} is not completed")
    return {
        "exchange_id": x.id,
        "kind": x.kind.value,
        "offer_id": x.offer_id,
        "want_id": x.want_id,
        "supplier": _party(x.supplier),
        "receiver": _party(x.receiver),
        "waste_code": x.waste_code,
        "hazardous": x.hazardous,
        "agreed_amount": decimal_str(x.agreed_amount),
        "agreed_unit": x.agreed_unit,
        "completed_at": x.completed_at.astimezone(UTC).isoformat(),
        "deliveries": [delivery_payload(d) for d in x.deliveries],
    }


def exchange_completed(x: Exchange) -> Event:
    return Event(c.EXCHANGE_COMPLETED, x.id, exchange_completed_payload(x))


def exchange_changed(event_type: str, x: Exchange, by: Actor, delivery: Delivery | None = None) -> Event:
    """ExchangeProposed, Accepted, Declined, Cancelled or DeliveryRecorded (with the delivery)."""
    payload: c.ExchangeChangedPayload = {
        "id": x.id,
        "kind": x.kind.value,
        "status": x.status.value,
        "offer_id": x.offer_id,
        "want_id": x.want_id,
        "supplier": _party(x.supplier),
        "receiver": _party(x.receiver),
        "proposed_by": x.proposed_by,
        "waste_code": x.waste_code,
        "hazardous": x.hazardous,
        "agreed_amount": decimal_str(x.agreed_amount),
        "agreed_unit": x.agreed_unit,
        "price_cny_per_unit": None if x.price_cny_per_unit is None else decimal_str(x.price_cny_per_unit),
        "note": x.note,
        "delivered_amount": decimal_str(shown(x.delivered_amount())),
        "delivery_count": len(x.deliveries),
        "proposed_on": x.proposed_on.isoformat(),
        "accepted_on": x.accepted_on.isoformat() if x.accepted_on else None,
        "completed_at": x.completed_at.isoformat() if x.completed_at else None,
        "created_at": x.created_at.isoformat(),
        "updated_at": x.updated_at.isoformat(),
        "version": x.version,
        "by": {"enterprise_id": by.enterprise_id, "admin": by.admin},
    }
    if delivery is not None:
        payload["delivery"] = _recorded_delivery(delivery)
    return Event(event_type, x.id, payload)
