"""API keys: admins issue and revoke them; any key can ask who it is. The use cases are in
gateway/service_layer/keys.py, shared with the console's admin pages."""

from __future__ import annotations

import marshmallow as ma
from flask import current_app, g
from flask.views import MethodView
from marshmallow import fields, validate

from gateway.service_layer import keys
from services.common.identity import Role
from services.common.provinces import PROVINCES
from services.common.schemas import DateTime, Id, PageArgsSchema, Text, offset_limit, page_of, paged
from services.common.web import Blueprint

blp = Blueprint(
    "keys",
    __name__,
    url_prefix="/api/v1/keys",
    description="API keys for admins, park managers, enterprises and provincial reviewers",
)


class KeyCreateSchema(ma.Schema):
    role = fields.String(required=True, validate=validate.OneOf([r.value for r in Role]))
    label = Text(required=True)
    park_id = Id(metadata={"description": "Required for park_manager and enterprise keys"})
    enterprise_id = Id(
        metadata={
            "description": "Optional for enterprise keys: omitted, the key may "
            "register one enterprise in its park and is then bound to it"
        }
    )
    province = fields.String(
        validate=validate.OneOf(PROVINCES),
        metadata={"description": "Required for province keys: the province whose parks the key reads"},
    )


class KeySchema(ma.Schema):
    id = fields.String(required=True)
    role = fields.String(required=True)
    label = fields.String(required=True)
    park_id = fields.String(allow_none=True)
    enterprise_id = fields.String(allow_none=True)
    province = fields.String(allow_none=True)
    created_at = DateTime(required=True)
    revoked_at = DateTime(allow_none=True)


class IssuedKeySchema(KeySchema):
    key = fields.String(required=True, metadata={"description": "The secret, shown only in this response"})


KeyPageSchema = page_of(KeySchema, "KeyPageSchema")


def gateway():
    return current_app.extensions["parkloop.gateway"]


@blp.route("")
class Keys(MethodView):
    @blp.arguments(KeyCreateSchema)
    @blp.response(201, IssuedKeySchema)
    @blp.alt_response(403, description="Only admins issue keys")
    @blp.alt_response(422, description="A field breaks a rule")
    def post(self, data):
        """Issue a key (admins). The secret is shown once."""
        key, secret = keys.issue_key(gateway(), g.principal, data)
        return {**key.__dict__, "role": key.role.value, "key": secret}

    @blp.arguments(PageArgsSchema, location="query")
    @blp.response(200, KeyPageSchema)
    @blp.alt_response(403, description="Only admins list keys")
    def get(self, args):
        """List keys (admins); secrets are never shown again"""
        found, total = keys.list_keys(gateway(), g.principal, *offset_limit(args))
        return paged([{**k.__dict__, "role": k.role.value} for k in found], total, args)


@blp.route("/me")
class Me(MethodView):
    @blp.response(200, KeySchema)
    def get(self):
        """The calling key: its role, park and enterprise"""
        key = gateway().keys.get(g.principal.key_id)
        return {**key.__dict__, "role": key.role.value}


@blp.route("/<key_id>")
class KeyById(MethodView):
    @blp.response(204)
    @blp.alt_response(403, description="Only admins revoke keys")
    @blp.alt_response(404, description="No such key")
    @blp.alt_response(409, description="The calling key, or the configured admin key")
    def delete(self, key_id):
        """Revoke a key (admins); it stops working at once"""
        keys.revoke_key(gateway(), g.principal, key_id)
