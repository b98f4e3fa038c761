"""The gateway's key store behaves the same on SQLite and on PostgreSQL."""

from __future__ import annotations

from gateway.adapters.key_store import KeyStore
from gateway.bootstrap import MIGRATIONS
from gateway.domain.keys import ApiKey, hash_key
from services.common.db import create_engine, migrate
from services.common.identity import Role


def test_keys_are_found_by_hash_bound_once_and_revoked(database_url):
    migrate(database_url, MIGRATIONS)
    store = KeyStore(create_engine(database_url))
    key, secret = ApiKey.issue(Role.ENTERPRISE, "enrolment", park_id="park-1")
    store.add(key)
    found = store.by_hash(hash_key(secret))
    assert found.id == key.id and found.active and found.enterprise_id is None
    assert store.bind_enterprise(key.id, "ent-1") is True
    assert store.bind_enterprise(key.id, "ent-2") is False
    assert store.get(key.id).enterprise_id == "ent-1"
    store.revoke(key.id)
    assert not store.by_hash(hash_key(secret)).active
    assert store.list(0, 10)[1] == 1


def test_every_change_to_a_stored_key_raises_the_version_that_replicas_check(database_url):
    migrate(database_url, MIGRATIONS)
    store = KeyStore(create_engine(database_url))
    key, _ = ApiKey.issue(Role.ENTERPRISE, "enrolment", park_id="park-1")
    store.add(key)
    issued = store.version()
    store.bind_enterprise(key.id, "ent-1")
    bound = store.version()
    store.bind_enterprise(key.id, "ent-2")  # refused: changes nothing
    assert store.version() == bound > issued
    store.revoke(key.id)
    revoked = store.version()
    store.revoke(key.id)
    assert store.version() == revoked > bound


def test_console_sessions_are_found_by_token_hash_and_ended(database_url):
    from datetime import timedelta

    from gateway.adapters.session_store import SessionStore
    from gateway.domain.console_sessions import ConsoleSession, hash_token

    migrate(database_url, MIGRATIONS)
    store = SessionStore(create_engine(database_url))
    live, token = ConsoleSession.start("key-1", timedelta(hours=8))
    stale, _ = ConsoleSession.start("key-1", timedelta(hours=-1))
    store.add(stale)
    store.add(live)  # adding sweeps sessions that have expired
    assert store.get(stale.token_hash) is None
    found = store.get(hash_token(token))
    assert found.key_id == "key-1" and not found.expired()
    assert found.expires_at == live.expires_at
    store.end(live.token_hash)
    assert store.get(live.token_hash) is None
