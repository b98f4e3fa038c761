"""The principal the gateway forwards: trusted only with a valid, fresh signature."""

from __future__ import annotations

import base64
import json

import pytest

from services.common.identity import (
    MAX_AGE_S,
    PRINCIPAL_HEADER,
    SIGNATURE_HEADER,
    Principal,
    Role,
    _mac,
    sign_principal,
    verify_principal,
)

SECRET = "internal-secret-for-tests"
NOW = 1_790_000_000.0
ENTERPRISE = Principal(Role.ENTERPRISE, "key-7", park_id="park-1", enterprise_id="ent-3")


@pytest.mark.parametrize(
    "principal",
    [Principal(Role.ADMIN, "key-1"), Principal(Role.PARK_MANAGER, "key-2", park_id="park-1"), ENTERPRISE],
    ids=lambda p: p.role.value,
)
def test_a_signed_principal_verifies_to_the_same_principal(principal):
    headers = sign_principal(principal, SECRET, now=NOW)

    assert verify_principal(headers, SECRET, now=NOW) == principal


def test_only_an_admin_principal_is_admin():
    assert Principal(Role.ADMIN, "k").is_admin
    assert not ENTERPRISE.is_admin


def test_missing_headers_give_no_principal():
    assert verify_principal({}, SECRET, now=NOW) is None
    headers = sign_principal(ENTERPRISE, SECRET, now=NOW)
    assert verify_principal({PRINCIPAL_HEADER: headers[PRINCIPAL_HEADER]}, SECRET, now=NOW) is None


def test_a_tampered_principal_gives_none():
    headers = sign_principal(ENTERPRISE, SECRET, now=NOW)
    body = json.loads(base64.urlsafe_b64decode(headers[PRINCIPAL_HEADER]))
    body["role"] = "admin"
    forged = base64.urlsafe_b64encode(json.dumps(body, sort_keys=True).encode()).decode()

    assert verify_principal({**headers, PRINCIPAL_HEADER: forged}, SECRET, now=NOW) is None


def test_a_tampered_signature_gives_none():
    headers = sign_principal(ENTERPRISE, SECRET, now=NOW)
    signature = headers[SIGNATURE_HEADER]
    flipped = ("0" if signature[0] != "0" else "1") + signature[1:]

    assert verify_principal({**headers, SIGNATURE_HEADER: flipped}, SECRET, now=NOW) is None


def test_a_principal_signed_with_another_secret_gives_none():
    headers = sign_principal(ENTERPRISE, "some-other-secret", now=NOW)

    assert verify_principal(headers, SECRET, now=NOW) is None


def test_a_principal_is_accepted_up_to_the_maximum_age():
    headers = sign_principal(ENTERPRISE, SECRET, now=NOW)

    assert verify_principal(headers, SECRET, now=NOW + MAX_AGE_S) == ENTERPRISE


@pytest.mark.parametrize(
    "skew", [MAX_AGE_S + 1, -(MAX_AGE_S + 1), 86_400], ids=["stale", "from-the-future", "a-day-old"]
)
def test_a_stale_or_future_dated_principal_gives_none(skew):
    headers = sign_principal(ENTERPRISE, SECRET, now=NOW)

    assert verify_principal(headers, SECRET, now=NOW + skew) is None


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b'{"role": "emperor", "key_id": "k", "iat": 1790000000}',
        b'{"role": "admin", "iat": 1790000000}',
        b'{"role": "admin", "key_id": "k"}',
        b"[1, 2]",
    ],
    ids=["not-json", "unknown-role", "no-key-id", "no-iat", "not-an-object"],
)
def test_a_correctly_signed_but_malformed_principal_gives_none(body):
    value = base64.urlsafe_b64encode(body).decode()

    assert verify_principal({PRINCIPAL_HEADER: value, SIGNATURE_HEADER: _mac(SECRET, value)}, SECRET, now=NOW) is None
