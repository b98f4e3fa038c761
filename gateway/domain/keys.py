"""API keys: who holds them (role, park, enterprise, province), stored only as hashes.

Keys are 256-bit random tokens, so a plain SHA-256 is a safe one-way store (a slow password
hash buys nothing against a key nobody can guess) and keeps authentication cheap.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

from services.common.errors import FieldCollector
from services.common.identity import Principal, Role
from services.common.provinces import PROVINCES

KEY_PREFIX = "plk_"


def hash_key(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_secret() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


@dataclass
class ApiKey:
    id: str
    role: Role
    key_hash: str
    label: str
    park_id: str | None = None
    enterprise_id: str | None = None
    province: str | None = None
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    revoked_at: datetime | None = None

    @classmethod
    def issue(
        cls,
        role: Role,
        label: str,
        park_id: str | None = None,
        enterprise_id: str | None = None,
        secret: str | None = None,
        province: str | None = None,
    ) -> tuple[ApiKey, str]:
        """A new key and its secret; the secret is returned once and never stored."""
        errors = FieldCollector()
        in_a_park = role in (Role.PARK_MANAGER, Role.ENTERPRISE)
        errors.require("park_id", not in_a_park or park_id is not None, f"a {role.value} key must name its park")
        errors.require("park_id", in_a_park or park_id is None, f"a {role.value} key belongs to no one park")
        errors.require(
            "province",
            role is not Role.PROVINCE or province in PROVINCES,
            "a province key must name one of China's 31 provincial-level divisions",
        )
        errors.require("province", role is Role.PROVINCE or province is None, "only province keys name a province")
        errors.require(
            "enterprise_id",
            role is Role.ENTERPRISE or enterprise_id is None,
            "only enterprise keys belong to an enterprise",
        )
        errors.raise_if_any()
        secret = secret or new_secret()
        return cls(str(uuid.uuid4()), role, hash_key(secret), label, park_id, enterprise_id, province), secret

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def principal(self) -> Principal:
        return Principal(self.role, self.id, self.park_id, self.enterprise_id, self.province)
