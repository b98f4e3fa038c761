"""The gateway's own table: API keys by hash, and a cache of them for authenticating requests."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from gateway.domain.keys import ApiKey
from services.common.db import as_utc, write_transaction
from services.common.identity import Role

metadata = sa.MetaData()

api_keys = sa.Table(
    "api_keys",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("key_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("role", sa.String(20), nullable=False),
    sa.Column("label", sa.String(200), nullable=False),
    sa.Column("park_id", sa.String(36), nullable=True),
    sa.Column("enterprise_id", sa.String(36), nullable=True),
    sa.Column("province", sa.String(40), nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
)
# One row: raised in the same transaction as every change to an existing key (revocation, binding
# to an enterprise), so a replica that reads it knows whether the keys it holds in memory are current.
api_key_changes = sa.Table("api_key_changes", metadata, sa.Column("version", sa.Integer, nullable=False))
BUMP_VERSION = api_key_changes.update().values(version=api_key_changes.c.version + 1)
VERSION_QUERY = "SELECT version FROM api_key_changes"


def _key(row) -> ApiKey:
    return ApiKey(
        row.id,
        Role(row.role),
        row.key_hash,
        row.label,
        row.park_id,
        row.enterprise_id,
        row.province,
        as_utc(row.created_at),
        as_utc(row.revoked_at),
    )


class KeyStore:
    def __init__(self, engine: sa.Engine):
        self.engine = engine

    def add(self, key: ApiKey) -> None:
        with write_transaction(self.engine) as conn:
            conn.execute(
                api_keys.insert().values(
                    id=key.id,
                    key_hash=key.key_hash,
                    role=key.role.value,
                    label=key.label,
                    park_id=key.park_id,
                    enterprise_id=key.enterprise_id,
                    province=key.province,
                    created_at=key.created_at,
                    revoked_at=key.revoked_at,
                )
            )

    def by_hash(self, key_hash: str) -> ApiKey | None:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(api_keys).where(api_keys.c.key_hash == key_hash)).first()
        return _key(row) if row else None

    def get(self, key_id: str) -> ApiKey | None:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(api_keys).where(api_keys.c.id == key_id)).first()
        return _key(row) if row else None

    def list(self, offset: int, limit: int) -> tuple[list[ApiKey], int]:
        with self.engine.connect() as conn:
            total = conn.scalar(sa.select(sa.func.count()).select_from(api_keys))
            rows = conn.execute(
                sa.select(api_keys).order_by(api_keys.c.created_at, api_keys.c.id).offset(offset).limit(limit)
            )
            return [_key(row) for row in rows], total

    def revoke(self, key_id: str) -> None:
        with write_transaction(self.engine) as conn:
            result = conn.execute(
                api_keys.update()
                .where(api_keys.c.id == key_id, api_keys.c.revoked_at.is_(None))
                .values(revoked_at=datetime.now(UTC))
            )
            if result.rowcount:
                conn.execute(BUMP_VERSION)

    def bind_enterprise(self, key_id: str, enterprise_id: str) -> bool:
        """Bind an enrolment key to the enterprise it registered; only once."""
        with write_transaction(self.engine) as conn:
            result = conn.execute(
                api_keys.update()
                .where(api_keys.c.id == key_id, api_keys.c.enterprise_id.is_(None))
                .values(enterprise_id=enterprise_id)
            )
            if result.rowcount == 1:
                conn.execute(BUMP_VERSION)
            return result.rowcount == 1

    def version(self) -> int:
        """The change counter (`api_key_changes`). Read on every request, so through the driver: the
        query itself takes microseconds, SQLAlchemy's execution path around it ten times as long."""
        connection = self.engine.raw_connection()
        try:
            cursor = connection.cursor()
            try:
                cursor.execute(VERSION_QUERY)
                return cursor.fetchone()[0]
            except self.engine.dialect.loaded_dbapi.Error as error:
                raise self._wrapped(error, connection, cursor) from error
        finally:
            connection.close()

    def _wrapped(self, error: Exception, connection, cursor) -> sa.exc.DBAPIError:
        """The driver's own error as SQLAlchemy would have raised it, so that a server lost mid-statement
        is an outage (503) like any other, and the dead connection is not handed out again."""
        dialect = self.engine.dialect
        lost = dialect.is_disconnect(error, connection.dbapi_connection, cursor)
        if lost:
            connection.invalidate(error)
        return sa.exc.DBAPIError.instance(
            VERSION_QUERY, None, error, dialect.loaded_dbapi.Error, connection_invalidated=lost, dialect=dialect
        )


class KeyCache:
    """Keys by hash for authentication, kept between requests in this process.

    Every look-up reads the store's change counter first; a key cached under an older count is read
    again. A revocation raises the counter in its own transaction, so it takes effect on the very
    next request on every replica. Reading the counter before the key matters: a key read after a
    concurrent revocation is stored under the older count and read again next time. Unknown hashes
    are not cached (a key issued a moment ago must work at once)."""

    def __init__(self, store: KeyStore, max_entries: int = 10_000):
        self.store, self.max_entries = store, max_entries
        self._keys: dict[str, tuple[ApiKey, int]] = {}

    def by_hash(self, key_hash: str) -> ApiKey | None:
        version = self.store.version()
        cached = self._keys.get(key_hash)
        if cached is not None and cached[1] == version:
            return cached[0]
        key = self.store.by_hash(key_hash)
        if key is not None:
            if len(self._keys) >= self.max_entries:
                self._keys.clear()
            self._keys[key_hash] = (key, version)
        return key
