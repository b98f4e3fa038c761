"""Exchanges over HTTP: schemas and thin views. Amounts travel as decimal strings; the
schemas check shapes and choices, the domain (domain/exchanges.py, domain/deliveries.py) checks
the rules."""

from __future__ import annotations

import marshmallow as ma
from flask import current_app
from flask.views import MethodView
from marshmallow import fields, validate

from services.common.contracts import DELIVERY_UNITS
from services.common.schemas import Date, DateTime, Id, PageArgsSchema, Text, offset_limit, page_of, paged
from services.common.web import Blueprint, current_principal
from services.listings.domain.deliveries import FUELS, SUBSTITUTES, exact_decimal
from services.listings.domain.exchanges import ExchangeStatus
from services.listings.domain.specs import Kind
from services.listings.service_layer import exchanges as use_cases

UNITS = sorted({unit for units in DELIVERY_UNITS.values() for unit in units})


def _exact(positive: bool):
    def check(value) -> None:
        try:
            exact_decimal(value, positive)
        except ValueError as exc:
            raise ma.ValidationError(str(exc)) from None

    return check


def Amount(positive: bool = True, **kwargs) -> fields.Decimal:
    """A decimal string in and out ("12.5"); JSON numbers are read too, but strings are exact."""
    return fields.Decimal(as_string=True, validate=_exact(positive), **kwargs)


def Choice(values, **kwargs) -> fields.String:
    return fields.String(validate=validate.OneOf(list(values)), **kwargs)


class ExchangeCreateSchema(ma.Schema):
    offer_id = fields.String(required=True, validate=validate.Length(max=36))
    want_id = fields.String(validate=validate.Length(max=36), metadata={"description": "The matched want; or …"})
    receiver_enterprise_id = fields.String(
        validate=validate.Length(max=36), metadata={"description": "… the receiving enterprise, when there is no want"}
    )
    on_behalf_of = fields.String(
        validate=validate.Length(max=36),
        metadata={"description": "Admins only: the enterprise (supplier or receiver) proposing"},
    )
    agreed_amount = Amount(required=True, metadata={"description": 'Total agreed, e.g. "120.5"'})
    agreed_unit = Choice(UNITS, required=True, metadata={"description": "material: t; heat: GJ or MWh; water: m3"})
    price_cny_per_unit = Amount(
        positive=False,
        allow_none=True,
        metadata={"description": "CNY per agreed unit; negative: the supplier pays a gate fee"},
    )
    note = Text(max_length=1000, allow_none=True)

    @ma.validates_schema
    def _want_or_receiver(self, data, **kwargs):
        if ("want_id" in data) == ("receiver_enterprise_id" in data):
            raise ma.ValidationError("name either want_id or receiver_enterprise_id", field_name="want_id")


class ExchangePartySchema(ma.Schema):
    enterprise_id = fields.String(required=True)
    park_id = fields.String(required=True)


class ExchangeSchema(ma.Schema):
    id = fields.String(required=True)
    kind = Choice([k.value for k in Kind], required=True)
    status = Choice([s.value for s in ExchangeStatus], required=True)
    offer_id = fields.String(required=True)
    want_id = fields.String(allow_none=True)
    supplier = fields.Nested(ExchangePartySchema, required=True)
    receiver = fields.Nested(ExchangePartySchema, required=True)
    proposed_by = fields.String(required=True, metadata={"description": "The enterprise whose side proposed"})
    waste_code = fields.String(allow_none=True)
    hazardous = fields.Boolean(required=True)
    agreed_amount = fields.String(required=True, metadata={"description": "Decimal string"})
    agreed_unit = fields.String(required=True)
    price_cny_per_unit = fields.String(allow_none=True, metadata={"description": "Decimal string"})
    note = fields.String(allow_none=True)
    delivered_amount = fields.String(required=True, metadata={"description": "Delivered so far, in the agreed unit"})
    delivery_count = fields.Integer(required=True)
    proposed_on = Date(required=True)
    accepted_on = Date(allow_none=True)
    completed_at = DateTime(allow_none=True)
    created_at = DateTime(required=True)
    updated_at = DateTime(required=True)
    version = fields.Integer(required=True)


class ExchangeArgsSchema(PageArgsSchema):
    status = Choice([s.value for s in ExchangeStatus])
    kind = Choice([k.value for k in Kind])
    park_id = Id(metadata={"description": "Only exchanges with a party in this park"})


ExchangePageSchema = page_of(ExchangeSchema, "ExchangePageSchema")


class ExchangeEvidenceSchema(ma.Schema):
    weighbridge_ticket = Text(max_length=64, metadata={"description": "Materials: required"})
    manifest_number = Text(max_length=64, metadata={"description": "Hazardous waste: required (转移联单)"})
    meter_reading = Text(max_length=64, metadata={"description": "Heat and water: this or period"})
    period = Text(max_length=32, metadata={"description": "Heat and water: the metering period, e.g. 2026-05"})


class ExchangeSubstitutionSchema(ma.Schema):
    substitutes = Choice(
        [s for subs in SUBSTITUTES.values() for s in subs],
        required=True,
        metadata={"description": "material: virgin_material; heat: boiler_heat; water: fresh_water or municipal_water"},
    )
    fuel = Choice(FUELS, metadata={"description": "boiler_heat: the fuel the receiver's boiler would burn"})
    boiler_efficiency = Amount(metadata={"description": "boiler_heat: 0 < η ≤ 1 (decimal string)"})
    material = Text(max_length=100, metadata={"description": "virgin_material: what it replaces"})


class ExchangeDeliveryCreateSchema(ma.Schema):
    delivered_on = Date(required=True, metadata={"description": "Not in the future, not before acceptance"})
    amount = Amount(required=True)
    unit = Choice(UNITS, required=True)
    evidence = fields.Nested(ExchangeEvidenceSchema, required=True)
    substitution = fields.Nested(ExchangeSubstitutionSchema, required=True)
    confirm_over_delivery = fields.Boolean(
        load_default=False, metadata={"description": "Needed when the total would exceed the agreed amount"}
    )


class ExchangeDeliverySchema(ExchangeDeliveryCreateSchema):
    class Meta:
        exclude = ("confirm_over_delivery",)

    id = fields.String(required=True)
    amount = fields.String(required=True, metadata={"description": "Decimal string"})
    evidence = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    substitution = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    recorded_by = fields.String(allow_none=True, metadata={"description": "The party's enterprise; null: an admin"})
    recorded_at = DateTime(required=True)


ExchangeDeliveryPageSchema = page_of(ExchangeDeliverySchema, "ExchangeDeliveryPageSchema")


def ctx():
    return current_app.extensions["parkloop.listings"]


exchanges = Blueprint(
    "exchanges",
    __name__,
    url_prefix="/api/v1/exchanges",
    description="Exchanges agreed on a match, and their deliveries",
)


@exchanges.route("")
class Exchanges(MethodView):
    @exchanges.arguments(ExchangeCreateSchema)
    @exchanges.response(201, ExchangeSchema)
    @exchanges.alt_response(403, description="The caller owns neither side (park managers never propose)")
    @exchanges.alt_response(409, description="The offer or want is not active")
    @exchanges.alt_response(422, description="A field breaks a rule (units, amounts, matching kinds, licence)")
    def post(self, data):
        """Propose an exchange on a match: an offer and a want, or an offer and a receiver"""
        return use_cases.propose_exchange(ctx(), current_principal(), data).to_dict()

    @exchanges.arguments(ExchangeArgsSchema, location="query")
    @exchanges.response(200, ExchangePageSchema)
    def get(self, args):
        """List the exchanges the caller is party to (park managers: their park's; admins: all)"""
        status = ExchangeStatus(args["status"]) if "status" in args else None
        kind = Kind(args["kind"]) if "kind" in args else None
        found, total = use_cases.list_exchanges(
            ctx(), current_principal(), status, kind, *offset_limit(args), park_id=args.get("park_id")
        )
        return paged([e.to_dict() for e in found], total, args)


@exchanges.route("/<exchange_id>")
class ExchangeById(MethodView):
    @exchanges.response(200, ExchangeSchema)
    @exchanges.alt_response(404, description="No such exchange visible to the caller")
    def get(self, exchange_id):
        """Read an exchange"""
        return use_cases.get_exchange(ctx(), current_principal(), exchange_id).to_dict()


_ACTIONS = {
    "accept": ("Accept a proposal (the counterparty)", "Only the counterparty may accept; park managers only read"),
    "decline": ("Decline a proposal (the counterparty)", "Only the counterparty may decline; park managers only read"),
    "cancel": ("Cancel before completion (either party)", "Not a party; park managers only read"),
    "complete": (
        "Complete a delivering exchange (either party); emits ExchangeCompleted",
        "Not a party; park managers only read",
    ),
}


def _action_route(action: str, summary: str, forbidden: str) -> None:
    def change(exchange_id):
        return use_cases.change_exchange(ctx(), current_principal(), exchange_id, action).to_dict()

    change.__doc__, change.__name__ = summary, f"{action}_exchange"
    exchanges.route(f"/<exchange_id>/{action}", methods=["POST"])(
        exchanges.alt_response(409, description="Not allowed from the exchange's current status")(
            exchanges.alt_response(404, description="No such exchange visible to the caller")(
                exchanges.alt_response(403, description=forbidden)(exchanges.response(200, ExchangeSchema)(change))
            )
        )
    )


for _action, (_summary, _forbidden) in _ACTIONS.items():
    _action_route(_action, _summary, _forbidden)


@exchanges.route("/<exchange_id>/deliveries")
class Deliveries(MethodView):
    @exchanges.arguments(ExchangeDeliveryCreateSchema)
    @exchanges.response(201, ExchangeDeliverySchema)
    @exchanges.alt_response(403, description="Not a party; park managers only read")
    @exchanges.alt_response(404, description="No such exchange visible to the caller")
    @exchanges.alt_response(409, description="The exchange is not accepted or delivering")
    @exchanges.alt_response(
        422,
        description="A field breaks a rule (date, unit, evidence, substitution, "
        "over-delivery without confirm_over_delivery)",
    )
    def post(self, data, exchange_id):
        """Record a delivery (either party); the first moves the exchange to delivering"""
        return use_cases.record_delivery(ctx(), current_principal(), exchange_id, data).to_dict()

    @exchanges.arguments(PageArgsSchema, location="query")
    @exchanges.response(200, ExchangeDeliveryPageSchema)
    @exchanges.alt_response(404, description="No such exchange visible to the caller")
    def get(self, args, exchange_id):
        """List an exchange's deliveries, in the order they were recorded"""
        found = use_cases.list_deliveries(ctx(), current_principal(), exchange_id)
        offset, limit = offset_limit(args)
        return paged([d.to_dict() for d in found[offset : offset + limit]], len(found), args)
