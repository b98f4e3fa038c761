"""The gateway's key store behaves the same on SQLite and on PostgreSQL."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from gateway.adapters.key_store import KeyStore
from gateway.bootstrap import MIGRATIONS
from gateway.domain.keys import ApiKey, hash_key
from services.common.db import create_engine, database_unavailable, migrate
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


def _end_the_session_at_next_checkout(engine: sa.Engine) -> None:
    """PostgreSQL ends the next connection handed out, after the pool has checked it (a server
    restarting between the check and the statement)."""

    @sa.event.listens_for(engine, "checkout", once=True)
    def _terminate(dbapi_connection, _record, _proxy):
        admin = sa.create_engine(engine.url, poolclass=sa.pool.NullPool)
        with admin.connect() as conn:
            conn.exec_driver_sql("SELECT pg_terminate_backend(%s)", (dbapi_connection.info.backend_pid,))
        admin.dispose()


def test_the_version_read_on_every_request_tells_an_outage_from_a_refused_statement(database_url):
    """Gateways answer 503 (try again) while the database is lost, 500 for a statement it refuses."""
    migrate(database_url, MIGRATIONS)
    engine = create_engine(database_url)
    store = KeyStore(engine)
    version = store.version()
    if engine.dialect.name == "postgresql":
        _end_the_session_at_next_checkout(engine)
        with pytest.raises(sa.exc.DBAPIError) as lost:
            store.version()
        assert database_unavailable(lost.value)
        assert store.version() == version  # the dead connection was not handed out again
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE api_key_changes")
    with pytest.raises(sa.exc.DBAPIError) as refused:
        store.version()
    assert not database_unavailable(refused.value)
    engine.dispose()


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
