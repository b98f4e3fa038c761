"""API keys: admins issue and revoke them; any key can ask who it is."""
from __future__ import annotations

import marshmallow as ma
import requests
from flask import current_app, g
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields, validate

from gateway.domain.keys import ApiKey
from services.common.errors import Conflict, Forbidden, InvalidFields, NotFound
from services.common.identity import Role, sign_principal
from services.common.schemas import DateTime, PageArgsSchema, Text, offset_limit, page_of, paged

blp = Blueprint("keys", __name__, url_prefix="/api/v1/keys", description="API keys for admins, park managers and enterprises")


class KeyCreateSchema(ma.Schema):
    role = fields.String(required=True, validate=validate.OneOf([r.value for r in Role]))
    label = Text(required=True)
    park_id = fields.String(metadata={"description": "Required for park_manager and enterprise keys"})
    enterprise_id = fields.String(metadata={"description": "Optional for enterprise keys: omitted, the key may "
                                                           "register one enterprise in its park and is then bound to it"})


class KeySchema(ma.Schema):
    id = fields.String(required=True)
    role = fields.String(required=True)
    label = fields.String(required=True)
    park_id = fields.String(allow_none=True)
    enterprise_id = fields.String(allow_none=True)
    created_at = DateTime(required=True)
    revoked_at = DateTime(allow_none=True)


class IssuedKeySchema(KeySchema):
    key = fields.String(required=True, metadata={"description": "The secret, shown only in this response"})


KeyPageSchema = page_of(KeySchema, "KeyPageSchema")


def gateway():
    return current_app.extensions["parkloop.gateway"]


def require_admin() -> None:
    if not g.principal.is_admin:
        raise Forbidden("only an admin may manage API keys")


def _check_exists(kind: str, ident: str, field: str, park_id: str | None = None) -> None:
    """Ask the listings service, as an admin, whether the park or enterprise exists."""
    gw = gateway()
    headers = sign_principal(g.principal, gw.settings.internal_secret)
    response = requests.get(f"{gw.service_urls['listings']}/api/v1/{kind}/{ident}", headers=headers, timeout=10)
    if response.status_code == 404:
        raise InvalidFields.single(field, f"no {kind[:-1]} {ident}")
    response.raise_for_status()
    if park_id and response.json().get("park_id") != park_id:
        raise InvalidFields.single(field, f"enterprise {ident} is not in park {park_id}")


@blp.route("")
class Keys(MethodView):
    @blp.arguments(KeyCreateSchema)
    @blp.response(201, IssuedKeySchema)
    @blp.alt_response(403, description="Only admins issue keys")
    @blp.alt_response(422, description="A field breaks a rule")
    def post(self, data):
        """Issue a key (admins). The secret is shown once."""
        require_admin()
        key, secret = ApiKey.issue(Role(data["role"]), data["label"], data.get("park_id"), data.get("enterprise_id"))
        if key.park_id:
            _check_exists("parks", key.park_id, "park_id")
        if key.enterprise_id:
            _check_exists("enterprises", key.enterprise_id, "enterprise_id", key.park_id)
        gateway().keys.add(key)
        return {**key.__dict__, "role": key.role.value, "key": secret}

    @blp.arguments(PageArgsSchema, location="query")
    @blp.response(200, KeyPageSchema)
    @blp.alt_response(403, description="Only admins list keys")
    def get(self, args):
        """List keys (admins); secrets are never shown again"""
        require_admin()
        found, total = gateway().keys.list(*offset_limit(args))
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
        require_admin()
        if gateway().keys.get(key_id) is None:
            raise NotFound(f"no key {key_id}")
        if key_id == g.principal.key_id:
            raise Conflict("a key cannot revoke itself; use another admin key")
        if key_id == gateway().configured_admin_key_id:
            raise Conflict("the admin key from configuration (PARKLOOP_ADMIN_KEY or admin.key) changes only there")
        gateway().keys.revoke(key_id)
