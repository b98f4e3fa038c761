"""API keys: the secret is shown once and only its SHA-256 is kept; each role names the
park and enterprise it belongs to, and nothing more."""

from __future__ import annotations

import dataclasses
import hashlib

import pytest

from gateway.domain.keys import KEY_PREFIX, ApiKey, hash_key
from services.common.errors import InvalidFields
from services.common.identity import Principal, Role


def test_issuing_returns_a_secret_whose_sha256_is_the_stored_hash():
    key, secret = ApiKey.issue(Role.ADMIN, "ops")

    assert secret.startswith(KEY_PREFIX)
    assert key.key_hash == hashlib.sha256(secret.encode()).hexdigest() == hash_key(secret)


def test_the_secret_is_never_stored_on_the_key():
    key, secret = ApiKey.issue(Role.ENTERPRISE, "plant", park_id="P1", enterprise_id="E1")

    stored = [str(value) for value in dataclasses.asdict(key).values()]
    assert all(secret not in value for value in stored)
    assert secret not in repr(key)


def test_every_issued_secret_is_new_and_long():
    secrets_ = {ApiKey.issue(Role.ADMIN, "ops")[1] for _ in range(20)}

    assert len(secrets_) == 20
    assert all(len(s) >= len(KEY_PREFIX) + 43 for s in secrets_)  # 32 random bytes, base64url


def test_a_given_secret_is_used_as_is():
    key, secret = ApiKey.issue(Role.ADMIN, "bootstrap", secret="plk_known")

    assert secret == "plk_known"
    assert key.key_hash == hash_key("plk_known")


def test_a_new_key_is_active_until_revoked():
    key, _ = ApiKey.issue(Role.ADMIN, "ops")
    assert key.active
    key.revoked_at = key.created_at
    assert not key.active


@pytest.mark.parametrize(
    "role, park, enterprise",
    [
        (Role.ADMIN, None, None),
        (Role.PARK_MANAGER, "P1", None),
        (Role.ENTERPRISE, "P1", None),
        (Role.ENTERPRISE, "P1", "E1"),
    ],
    ids=["admin", "park-manager", "unbound-enterprise", "bound-enterprise"],
)
def test_a_key_becomes_the_principal_it_was_issued_for(role, park, enterprise):
    key, _ = ApiKey.issue(role, "label", park_id=park, enterprise_id=enterprise)

    assert key.principal() == Principal(role, key.id, park, enterprise)


@pytest.mark.parametrize(
    "role, park, enterprise, fields",
    [
        (Role.ADMIN, "P1", None, {"park_id"}),
        (Role.ADMIN, None, "E1", {"enterprise_id"}),
        (Role.PARK_MANAGER, None, None, {"park_id"}),
        (Role.PARK_MANAGER, "P1", "E1", {"enterprise_id"}),
        (Role.ENTERPRISE, None, None, {"park_id"}),
        (Role.ENTERPRISE, None, "E1", {"park_id"}),
        (Role.PARK_MANAGER, None, "E1", {"park_id", "enterprise_id"}),
    ],
    ids=[
        "admin-with-park",
        "admin-with-enterprise",
        "manager-without-park",
        "manager-with-enterprise",
        "enterprise-without-park",
        "bound-enterprise-without-park",
        "manager-breaking-both-rules",
    ],
)
def test_a_key_that_breaks_the_role_rules_is_refused_naming_the_field(role, park, enterprise, fields):
    with pytest.raises(InvalidFields) as caught:
        ApiKey.issue(role, "label", park_id=park, enterprise_id=enterprise)

    assert set(caught.value.errors) == fields
