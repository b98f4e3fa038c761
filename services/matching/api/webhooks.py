"""Webhook subscriptions and their delivery log."""

from __future__ import annotations

import marshmallow as ma
from flask import current_app
from flask.views import MethodView
from marshmallow import fields, validate

from services.common.schemas import DateTime, Id, Number, PageArgsSchema, offset_limit, page_of, paged
from services.common.web import Blueprint, current_principal
from services.matching.service_layer import webhooks

blp = Blueprint(
    "webhooks",
    __name__,
    url_prefix="/api/v1/webhooks",
    description="Signed `match.found` alerts (Standard Webhooks) to enterprises' endpoints",
)


def ctx() -> webhooks.WebhookContext:
    return current_app.extensions["parkloop.webhooks"]


class SubscriptionCreateSchema(ma.Schema):
    url = fields.String(required=True, validate=validate.Length(min=8, max=2000))
    min_score = Number(load_default=0.5, validate=validate.Range(0, 1))
    listing_ids = fields.List(
        fields.String(validate=validate.Length(max=36)),
        validate=validate.Length(max=500),
        metadata={"description": "Only these of your listings (default: all of them)"},
    )
    enterprise_id = Id(metadata={"description": "Admins only: the enterprise to subscribe for"})


class SubscriptionSchema(ma.Schema):
    id = fields.String(required=True)
    enterprise_id = fields.String(required=True)
    url = fields.String(required=True)
    min_score = Number(required=True)
    listing_ids = fields.List(fields.String(), allow_none=True)
    active = fields.Boolean(required=True)
    disabled_reason = fields.String(allow_none=True)
    created_at = DateTime(required=True)


class SubscriptionWithSecretSchema(SubscriptionSchema):
    secret = fields.String(required=True, metadata={"description": "whsec_… — shown only in this response"})


class SubscriptionListSchema(ma.Schema):
    items = fields.List(fields.Nested(SubscriptionSchema), required=True)


class AttemptSchema(ma.Schema):
    attempted_at = DateTime(required=True)
    status_code = fields.Integer(allow_none=True)
    latency_ms = fields.Integer(required=True)
    error = fields.String(allow_none=True)


class DeliverySchema(ma.Schema):
    id = fields.String(required=True, metadata={"description": "The webhook-id header"})
    event_type = fields.String(required=True)
    status = fields.String(required=True, metadata={"description": "pending | delivered | failed"})
    attempts = fields.Integer(required=True)
    occurred_at = DateTime(required=True)
    next_attempt_at = DateTime(allow_none=True)
    payload = fields.Dict(required=True)
    attempt_log = fields.List(fields.Nested(AttemptSchema), required=True)


DeliveryPageSchema = page_of(DeliverySchema, "DeliveryPageSchema")


def view(subscription, secret: str | None = None) -> dict:
    data = {
        k: getattr(subscription, k)
        for k in ("id", "enterprise_id", "url", "min_score", "listing_ids", "active", "disabled_reason", "created_at")
    }
    return {**data, "secret": secret} if secret else data


@blp.route("")
class Subscriptions(MethodView):
    @blp.arguments(SubscriptionCreateSchema)
    @blp.response(201, SubscriptionWithSecretSchema)
    @blp.alt_response(403, description="Only registered enterprises (or admins for them) subscribe")
    @blp.alt_response(422, description="A field breaks a rule (e.g. a target inside private networks)")
    def post(self, data):
        """Subscribe an endpoint; the signing secret is shown once"""
        subscription, secret = webhooks.subscribe(ctx(), current_principal(), data)
        return view(subscription, secret)

    @blp.response(200, SubscriptionListSchema)
    def get(self):
        """The subscriptions the caller may see"""
        return {"items": [view(s) for s in webhooks.list_subscriptions(ctx(), current_principal())]}


@blp.route("/<subscription_id>")
class SubscriptionById(MethodView):
    @blp.response(200, SubscriptionSchema)
    @blp.alt_response(404, description="No such subscription visible to the caller")
    def get(self, subscription_id):
        """Read a subscription"""
        return view(webhooks.visible(ctx(), current_principal(), subscription_id))

    @blp.response(204)
    @blp.alt_response(403, description="Not the caller's subscription")
    @blp.alt_response(404, description="No such subscription visible to the caller")
    def delete(self, subscription_id):
        """Unsubscribe"""
        webhooks.unsubscribe(ctx(), current_principal(), subscription_id)


@blp.route("/<subscription_id>/rotate-secret")
class RotateSecret(MethodView):
    @blp.response(200, SubscriptionWithSecretSchema)
    @blp.alt_response(403, description="Not the caller's subscription")
    @blp.alt_response(404, description="No such subscription visible to the caller")
    def post(self, subscription_id):
        """A new signing secret; the old one keeps signing beside it for 24 hours"""
        subscription, secret = webhooks.rotate_secret(ctx(), current_principal(), subscription_id)
        return view(subscription, secret)


@blp.route("/<subscription_id>/deliveries")
class Deliveries(MethodView):
    @blp.arguments(PageArgsSchema, location="query")
    @blp.response(200, DeliveryPageSchema)
    @blp.alt_response(404, description="No such subscription visible to the caller")
    def get(self, args, subscription_id):
        """Deliveries, newest first, each with every attempt (status, latency, error)"""
        subscription = webhooks.visible(ctx(), current_principal(), subscription_id)
        items, total = ctx().store.deliveries(subscription.id, *offset_limit(args))
        return paged(items, total, args)


@blp.route("/<subscription_id>/deliveries/<delivery_id>/redeliver")
class Redeliver(MethodView):
    @blp.response(202)
    @blp.alt_response(403, description="Not the caller's subscription")
    @blp.alt_response(404, description="No such delivery")
    def post(self, subscription_id, delivery_id):
        """Send a delivery again now"""
        webhooks.redeliver(ctx(), current_principal(), subscription_id, delivery_id)
