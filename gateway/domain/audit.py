"""The audit trail: who changed what through the gateway, and who may read it.

A record is kept for every call that may change state (any method but GET, HEAD and OPTIONS),
whatever its answer: a refused or failed write is evidence too. Records copy the caller's key id,
role, park and enterprise, so they outlive the key. Admins read every record; a park manager
reads the records of calls made by keys of their park; enterprises read none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from services.common.errors import Forbidden
from services.common.identity import Principal, Role

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
MAX_PATH = 500
API_PREFIX = "/api/v1/"
_IDENTIFIER = re.compile(r"^(\d+|[0-9A-Za-z][0-9A-Za-z_-]{7,})$")


def is_recorded(method: str) -> bool:
    return method.upper() in WRITE_METHODS


def resource_id(path: str, status: int, answer: object = None) -> str | None:
    """The resource a call acted on: the one it created (a 201 answer's `id`, or a ledger entry's
    `index`), otherwise the last identifier in its path (`/api/v1/webhooks/S/deliveries/D/redeliver` → D)."""
    if status == 201 and isinstance(answer, dict):
        created = answer.get("id", answer.get("index"))
        if created is not None:
            return str(created)
    parts = path.removeprefix(API_PREFIX).strip("/").split("/")
    identifiers = [p for i, p in enumerate(parts) if i % 2 == 1 and _IDENTIFIER.match(p)]
    return identifiers[-1] if identifiers else None


@dataclass(frozen=True)
class AuditRecord:
    at: datetime
    key_id: str
    role: Role
    park_id: str | None
    enterprise_id: str | None
    method: str
    path: str
    resource_id: str | None
    status: int
    channel: str  # "api" (a bearer key) or "console" (a signed-in person)
    id: int | None = None  # given by the store, in the order records were appended

    @classmethod
    def of_call(
        cls,
        principal: Principal,
        method: str,
        path: str,
        status: int,
        channel: str,
        answer: object = None,
        at: datetime | None = None,
    ) -> AuditRecord:
        return cls(
            at or datetime.now(UTC),
            principal.key_id,
            principal.role,
            principal.park_id,
            principal.enterprise_id,
            method.upper(),
            path[:MAX_PATH],
            resource_id(path, status, answer),
            status,
            channel,
        )


@dataclass(frozen=True)
class AuditQuery:
    """Filters; None means any. `since` is inclusive, `until` exclusive."""

    since: datetime | None = None
    until: datetime | None = None
    key_id: str | None = None
    role: Role | None = None
    park_id: str | None = None
    enterprise_id: str | None = None
    method: str | None = None
    path_prefix: str | None = None
    resource_id: str | None = None
    status: int | None = None
    failed: bool | None = None  # True: status >= 400 only; False: < 400 only
    channel: str | None = None


def scoped(principal: Principal, query: AuditQuery) -> AuditQuery:
    """The query as `principal` may ask it: an admin as given; a park manager within their park."""
    if principal.is_admin:
        return query
    if principal.role is not Role.PARK_MANAGER:
        raise Forbidden("only admins and park managers read the audit trail")
    if query.park_id not in (None, principal.park_id):
        raise Forbidden("a park manager reads the audit trail of their own park only")
    return replace(query, park_id=principal.park_id)
