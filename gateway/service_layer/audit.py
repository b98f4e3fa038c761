"""Audit trail use cases: record a call that may have changed state, and read the trail.

The API (every /api/v1 write, in gateway/app.py) and the console (its writes, in
gateway/console/api_client.py and the key pages) both record through `record_call`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator

from sqlalchemy.exc import SQLAlchemyError

from gateway.domain.audit import AuditQuery, AuditRecord, is_recorded, scoped
from services.common.identity import Principal

log = logging.getLogger(__name__)


def record_call(
    gw, principal: Principal, method: str, path: str, status: int, channel: str, answer: Callable[[], object]
) -> None:
    """Append the call to the trail when it may have changed state; `answer()` reads the response
    body, asked only of a 201 (it names what was created). The call has already been answered by
    then: a record that cannot be stored is logged as an error, not turned into a failure of a
    write that happened."""
    if not is_recorded(method):
        return
    record = AuditRecord.of_call(principal, method, path, status, channel, answer() if status == 201 else None)
    try:
        gw.audit.append(record)
    except SQLAlchemyError:
        log.exception("audit record not stored: %r", record)


def read_trail(gw, principal: Principal, query: AuditQuery, offset: int, limit: int) -> tuple[list[AuditRecord], int]:
    """The records `principal` may read that match `query`, newest first, and how many match."""
    return gw.audit.find(scoped(principal, query), offset, limit)


def export_trail(gw, principal: Principal, query: AuditQuery) -> Iterator[AuditRecord]:
    """Every record `principal` may read that matches `query`, oldest first."""
    return gw.audit.every(scoped(principal, query))
