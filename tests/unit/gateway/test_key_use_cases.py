"""The key use cases the API and the console share: only admins manage keys, a key names a park and
enterprise that exist (asked of listings as the caller), and no key revokes itself or the configured one."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace

import pytest

from gateway.adapters.key_store import KeyStore
from gateway.bootstrap import MIGRATIONS
from gateway.domain.keys import ApiKey
from gateway.service_layer import keys
from services.common.db import create_engine, migrate
from services.common.errors import Conflict, Forbidden, InvalidFields, NotFound
from services.common.identity import Principal, Role, verify_principal

SECRET = "internal-secret"
LISTINGS = "http://listings.test"


@dataclass
class FakeListings:
    """What listings answers to GET /api/v1/{parks,enterprises}/{id}, and who asked."""

    records: dict[str, dict] = field(default_factory=dict)
    asked_by: list[Principal] = field(default_factory=list)

    def get(self, url, headers, timeout):
        self.asked_by.append(verify_principal(headers, SECRET))
        path = url.removeprefix(LISTINGS)
        found = self.records.get(path)
        return SimpleNamespace(status_code=200 if found else 404, json=lambda: found, raise_for_status=lambda: None)


@pytest.fixture
def listings(monkeypatch):
    fake = FakeListings(
        {
            "/api/v1/parks/P1": {"id": "P1"},
            "/api/v1/parks/P2": {"id": "P2"},
            "/api/v1/enterprises/E1": {"id": "E1", "park_id": "P1"},
        }
    )
    monkeypatch.setattr(keys.requests, "get", fake.get)
    return fake


@pytest.fixture
def gw(tmp_path):
    url = f"sqlite:///{tmp_path / 'gateway.db'}"
    migrate(url, MIGRATIONS)
    store = KeyStore(create_engine(url))
    configured, _ = ApiKey.issue(Role.ADMIN, "admin (from configuration)")
    store.add(configured)
    return SimpleNamespace(
        keys=store,
        settings=SimpleNamespace(internal_secret=SECRET),
        service_urls={"listings": LISTINGS},
        configured_admin_key_id=configured.id,
    )


def an_admin(gw) -> Principal:
    key, _ = ApiKey.issue(Role.ADMIN, "ops")
    gw.keys.add(key)
    return key.principal()


def test_an_issued_key_is_stored_and_its_park_checked_as_the_caller(gw, listings):
    admin = an_admin(gw)
    key, secret = keys.issue_key(gw, admin, {"role": "park_manager", "label": "manager", "park_id": "P1"})

    assert gw.keys.get(key.id).principal() == Principal(Role.PARK_MANAGER, key.id, "P1")
    assert secret.startswith("plk_")
    assert listings.asked_by == [admin]


@pytest.mark.parametrize(
    "data, bad_field",
    [
        ({"role": "park_manager", "label": "x", "park_id": "P9"}, "park_id"),
        ({"role": "enterprise", "label": "x", "park_id": "P1", "enterprise_id": "E9"}, "enterprise_id"),
        ({"role": "enterprise", "label": "x", "park_id": "P2", "enterprise_id": "E1"}, "enterprise_id"),
        ({"role": "park_manager", "label": "x"}, "park_id"),
    ],
    ids=["unknown-park", "unknown-enterprise", "enterprise-of-another-park", "manager-without-park"],
)
def test_a_key_naming_what_does_not_exist_is_refused_and_not_stored(gw, listings, data, bad_field):
    admin = an_admin(gw)
    before = gw.keys.list(0, 100)[1]
    with pytest.raises(InvalidFields) as caught:
        keys.issue_key(gw, admin, data)

    assert bad_field in caught.value.errors
    assert gw.keys.list(0, 100)[1] == before


@pytest.mark.parametrize("role", [Role.PARK_MANAGER, Role.ENTERPRISE])
def test_only_admins_issue_list_and_revoke(gw, listings, role):
    someone = Principal(role, "k", "P1")
    with pytest.raises(Forbidden):
        keys.issue_key(gw, someone, {"role": "admin", "label": "escalate"})
    with pytest.raises(Forbidden):
        keys.list_keys(gw, someone, 0, 10)
    with pytest.raises(Forbidden):
        keys.revoke_key(gw, someone, gw.configured_admin_key_id)
    assert listings.asked_by == []


def test_revoking_stops_a_key_and_refuses_itself_the_configured_key_and_unknown_ids(gw, listings):
    admin = an_admin(gw)
    key, _ = keys.issue_key(gw, admin, {"role": "park_manager", "label": "manager", "park_id": "P1"})

    keys.revoke_key(gw, admin, key.id)
    assert not gw.keys.get(key.id).active
    with pytest.raises(Conflict):
        keys.revoke_key(gw, admin, admin.key_id)
    with pytest.raises(Conflict):
        keys.revoke_key(gw, admin, gw.configured_admin_key_id)
    with pytest.raises(NotFound):
        keys.revoke_key(gw, admin, "no-such-key")
    assert gw.keys.get(admin.key_id).active and gw.keys.get(gw.configured_admin_key_id).active


def test_why_a_key_may_not_be_revoked_is_said_before_trying(gw):
    admin = an_admin(gw)
    other, _ = ApiKey.issue(Role.PARK_MANAGER, "manager", park_id="P1")

    assert keys.why_not_revocable(gw, admin, other) is None
    assert "itself" in keys.why_not_revocable(gw, admin, gw.keys.get(admin.key_id))
    assert "configuration" in keys.why_not_revocable(gw, admin, gw.keys.get(gw.configured_admin_key_id))


def test_keys_are_listed_in_the_order_they_were_issued(gw, listings):
    admin = an_admin(gw)
    issued = [keys.issue_key(gw, admin, {"role": "admin", "label": f"ops {i}"})[0].id for i in range(3)]

    found, total = keys.list_keys(gw, admin, 0, 100)
    assert total == 5 and [k.id for k in found][-3:] == issued
