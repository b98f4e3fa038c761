"""API key use cases: issue, list, revoke.

The API (gateway/api/keys.py) and the console's admin pages (gateway/console/views/admin.py) both
call these, so every rule about keys lives here once: who may manage them (gateway/domain/access.py),
that the park and enterprise a key names exist (asked of the listings service as the caller), and
which keys may not be revoked.
"""

from __future__ import annotations

import requests

from gateway.domain import access
from gateway.domain.keys import ApiKey
from services.common.errors import Conflict, InvalidFields, NotFound
from services.common.identity import Principal, Role, sign_principal

LOOKUP_TIMEOUT_S = 10


def _check_exists(gw, principal: Principal, kind: str, ident: str, field: str, park_id: str | None = None) -> None:
    """Ask the listings service, as the caller, whether the park or enterprise exists (and, for an
    enterprise, that it is in `park_id`)."""
    headers = sign_principal(principal, gw.settings.internal_secret)
    response = requests.get(
        f"{gw.service_urls['listings']}/api/v1/{kind}/{ident}", headers=headers, timeout=LOOKUP_TIMEOUT_S
    )
    if response.status_code == 404:
        raise InvalidFields.single(field, f"no {kind[:-1]} {ident}")
    response.raise_for_status()
    if park_id and response.json().get("park_id") != park_id:
        raise InvalidFields.single(field, f"enterprise {ident} is not in park {park_id}")


def issue_key(gw, principal: Principal, data: dict) -> tuple[ApiKey, str]:
    """A new key for `data` (role, label, park_id, enterprise_id, province) and its secret, which is shown once."""
    access.require_key_admin(principal)
    key, secret = ApiKey.issue(
        Role(data["role"]),
        data["label"],
        data.get("park_id"),
        data.get("enterprise_id"),
        province=data.get("province"),
    )
    if key.park_id:
        _check_exists(gw, principal, "parks", key.park_id, "park_id")
    if key.enterprise_id:
        _check_exists(gw, principal, "enterprises", key.enterprise_id, "enterprise_id", key.park_id)
    gw.keys.add(key)
    return key, secret


def list_keys(gw, principal: Principal, offset: int, limit: int) -> tuple[list[ApiKey], int]:
    """Keys in the order they were issued (never their secrets), and how many there are."""
    access.require_key_admin(principal)
    return gw.keys.list(offset, limit)


def why_not_revocable(gw, principal: Principal, key: ApiKey) -> str | None:
    """Why `principal` may not revoke `key`, or None when it may."""
    if key.id == principal.key_id:
        return "a key cannot revoke itself; use another admin key"
    if key.id == gw.configured_admin_key_id:
        return "the admin key from configuration (PARKLOOP_ADMIN_KEY or admin.key) changes only there"
    return None


def revoke_key(gw, principal: Principal, key_id: str) -> None:
    """Revoke a key; it stops working at once (revoking a revoked key changes nothing)."""
    access.require_key_admin(principal)
    key = gw.keys.get(key_id)
    if key is None:
        raise NotFound(f"no key {key_id}")
    reason = why_not_revocable(gw, principal, key)
    if reason:
        raise Conflict(reason)
    gw.keys.revoke(key_id)


def bind_registered_enterprise(gw, principal: Principal, enterprise_id: str) -> bool:
    """After an enterprise registered with an enrolment key, that key becomes the enterprise's key (once)."""
    return access.binds_on_registration(principal) and gw.keys.bind_enterprise(principal.key_id, enterprise_id)
