"""Keys are cached in each gateway process, yet a revocation made through one replica refuses the
key on the very next request through another, and a key bound to its enterprise is seen bound."""

from __future__ import annotations

import re

import psycopg
import pytest
import sqlalchemy as sa

from gateway.adapters.key_store import KeyCache, KeyStore
from gateway.app import create_app
from gateway.bootstrap import MIGRATIONS
from gateway.domain.keys import ApiKey, hash_key
from services.common.config import Settings
from services.common.db import create_engine, migrate
from services.common.identity import Role

ADMIN_KEY = "plk_admin-key-for-the-replica-test"


@pytest.fixture
def replicas(tmp_path, monkeypatch):
    """Two gateway apps on one key store, as two replicas behind a load balancer."""
    monkeypatch.setenv("PARKLOOP_DATA", str(tmp_path))
    monkeypatch.setenv("PARKLOOP_ADMIN_KEY", ADMIN_KEY)
    return tuple(create_app(Settings.from_env("gateway")).test_client() for _ in range(2))


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def test_a_key_revoked_through_one_replica_is_refused_at_once_by_the_other(replicas):
    first, second = replicas
    issued = first.post("/api/v1/keys", json={"role": "admin", "label": "ops"}, headers=bearer(ADMIN_KEY)).get_json()
    for _ in range(3):  # the second replica now holds the key in memory
        assert second.get("/api/v1/keys/me", headers=bearer(issued["key"])).status_code == 200

    assert first.delete(f"/api/v1/keys/{issued['id']}", headers=bearer(ADMIN_KEY)).status_code == 204

    refused = second.get("/api/v1/keys/me", headers=bearer(issued["key"]))
    assert refused.status_code == 401
    assert refused.headers["WWW-Authenticate"] == 'Bearer realm="parkloop"'
    assert second.get("/api/v1/keys/me", headers=bearer(ADMIN_KEY)).status_code == 200


def test_a_key_issued_after_a_refusal_works_at_once(replicas):
    first, second = replicas
    assert second.get("/api/v1/keys/me", headers=bearer("plk_not-yet-issued")).status_code == 401
    issued = first.post("/api/v1/keys", json={"role": "admin", "label": "ops"}, headers=bearer(ADMIN_KEY)).get_json()

    assert second.get("/api/v1/keys/me", headers=bearer(issued["key"])).get_json()["id"] == issued["id"]


def test_an_enrolment_key_bound_through_one_replica_acts_for_its_enterprise_on_the_other(tmp_path):
    url = f"sqlite:///{tmp_path / 'gateway.db'}"
    migrate(url, MIGRATIONS)
    store = KeyStore(create_engine(url))
    key, secret = ApiKey.issue(Role.ENTERPRISE, "enrolment", park_id="P1")
    store.add(key)
    one, other = KeyCache(store), KeyCache(KeyStore(create_engine(url)))
    assert other.by_hash(hash_key(secret)).principal().enterprise_id is None

    assert one.store.bind_enterprise(key.id, "E1")

    assert other.by_hash(hash_key(secret)).principal().enterprise_id == "E1"


def test_while_the_key_store_cannot_answer_calls_get_503_with_retry_after(replicas, monkeypatch):
    """The gateway's own database lost (a restart): try again shortly, as the services say; not a 500."""
    gateway, _ = replicas
    lost = sa.exc.OperationalError("SELECT version FROM api_key_changes", None, psycopg.OperationalError("lost"))

    def unanswered(*_args):
        raise lost

    keys = gateway.application.extensions["parkloop.gateway"].keys
    form = gateway.get("/login")  # the sign-in form and its security token, before the outage
    for read in ("version", "by_hash"):
        monkeypatch.setattr(keys, read, unanswered)
    answer = gateway.get("/api/v1/keys/me", headers=bearer(ADMIN_KEY))
    assert answer.status_code == 503 and answer.headers["Retry-After"] == "5"
    assert answer.mimetype == "application/problem+json"
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.get_data(as_text=True))[1]
    signing_in = gateway.post("/login", data={"csrf_token": token, "api_key": ADMIN_KEY})
    assert signing_in.status_code == 503 and signing_in.headers["Retry-After"] == "5"
    assert signing_in.mimetype == "text/html"  # the console's own error page, not problem+json
