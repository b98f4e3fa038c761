"""Console sessions by token hash, in the gateway's own database."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from gateway.adapters.key_store import metadata
from gateway.domain.console_sessions import ConsoleSession
from services.common.db import as_utc, write_transaction

console_sessions = sa.Table(
    "console_sessions",
    metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column("key_id", sa.String(36), nullable=False, index=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
)


class SessionStore:
    def __init__(self, engine: sa.Engine):
        self.engine = engine

    def add(self, session: ConsoleSession) -> None:
        with write_transaction(self.engine) as conn:
            # Expired sessions are swept as new ones start, so the table stays small without a cron job.
            conn.execute(console_sessions.delete().where(console_sessions.c.expires_at < datetime.now(UTC)))
            conn.execute(
                console_sessions.insert().values(
                    token_hash=session.token_hash,
                    key_id=session.key_id,
                    created_at=session.created_at,
                    expires_at=session.expires_at,
                )
            )

    def get(self, token_hash: str) -> ConsoleSession | None:
        with self.engine.connect() as conn:
            row = conn.execute(console_sessions.select().where(console_sessions.c.token_hash == token_hash)).first()
        if row is None:
            return None
        return ConsoleSession(row.token_hash, row.key_id, as_utc(row.created_at), as_utc(row.expires_at))

    def end(self, token_hash: str) -> None:
        with write_transaction(self.engine) as conn:
            conn.execute(console_sessions.delete().where(console_sessions.c.token_hash == token_hash))
