"""Console sessions: a browser signed in with an API key holds only a random session token.

The key itself is never kept by the browser or by us: the session names the key's id, so
revoking the key ends every session made with it, and signing out deletes the session.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class ConsoleSession:
    token_hash: str
    key_id: str
    created_at: datetime
    expires_at: datetime

    @classmethod
    def start(cls, key_id: str, lifetime: timedelta, now: datetime | None = None) -> tuple[ConsoleSession, str]:
        """A new session and its token; the token goes to the browser, only its hash is stored."""
        now = now or datetime.now(UTC)
        token = secrets.token_urlsafe(32)
        return cls(hash_token(token), key_id, now, now + lifetime), token

    def expired(self, now: datetime | None = None) -> bool:
        return (now or datetime.now(UTC)) >= self.expires_at
