"""Who is calling, as asserted by the gateway.

The gateway authenticates API keys and forwards the principal to a service in a header
signed with the internal secret; services trust nothing else, so a request that reaches
a service directly without a valid signature is anonymous.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from dataclasses import asdict, dataclass
from enum import StrEnum

PRINCIPAL_HEADER = "X-ParkLoop-Principal"
SIGNATURE_HEADER = "X-ParkLoop-Signature"
MAX_AGE_S = 300


class Role(StrEnum):
    ADMIN = "admin"
    PARK_MANAGER = "park_manager"
    ENTERPRISE = "enterprise"
    PROVINCE = "province"  # a provincial DRC or industry department reviewer: reads its province's parks


@dataclass(frozen=True)
class Principal:
    role: Role
    key_id: str
    park_id: str | None = None
    enterprise_id: str | None = None
    province: str | None = None  # a province key's province (services/common/provinces.py)

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    def to_dict(self) -> dict:
        return {**asdict(self), "role": self.role.value}

    @classmethod
    def from_dict(cls, data: dict) -> Principal:
        return cls(
            role=Role(data["role"]),
            key_id=data["key_id"],
            park_id=data.get("park_id"),
            enterprise_id=data.get("enterprise_id"),
            province=data.get("province"),
        )


def _mac(secret: str, value: str) -> str:
    return hmac.new(secret.encode(), value.encode(), hashlib.sha256).hexdigest()


def sign_principal(principal: Principal, secret: str, now: float | None = None) -> dict[str, str]:
    """Headers the gateway adds when it forwards a request."""
    body = {**principal.to_dict(), "iat": int(now if now is not None else time.time())}
    value = base64.urlsafe_b64encode(json.dumps(body, sort_keys=True).encode()).decode()
    return {PRINCIPAL_HEADER: value, SIGNATURE_HEADER: _mac(secret, value)}


def verify_principal(headers, secret: str, now: float | None = None) -> Principal | None:
    """The principal the gateway vouched for, or None when absent, forged or stale."""
    value, signature = headers.get(PRINCIPAL_HEADER), headers.get(SIGNATURE_HEADER)
    if not value or not signature or not hmac.compare_digest(_mac(secret, value), signature):
        return None
    try:
        body = json.loads(base64.urlsafe_b64decode(value.encode()))
        issued = int(body.pop("iat"))
        principal = Principal.from_dict(body)
    except (ValueError, KeyError, TypeError):
        return None
    if abs((now if now is not None else time.time()) - issued) > MAX_AGE_S:
        return None
    return principal
