"""Who may read what in the ledger: every tenant rule of the service lives here, and the views and
use cases call it.

An admin reads everything and alone audits, exports, corrects, and reads the events set aside. A
park manager reads the entries with a party in their park, and their park's annual report, plan and
submissions, and records the plan and writes the submissions. A province key reads the reports, plans
and submissions of its province's parks and the province's roll-up, changes nothing, and reads no
entry (a submission cites the checkpoint its figures come from). An enterprise reads the entries of
its own exchanges; an enrolment key not yet bound to an enterprise reads none. The checkpoint, the
verifier key and consistency proofs are for every key. The rules are
tabled in tests/helpers/authorisation.py, from which the authorisation matrix tests are generated.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from services.common.errors import Forbidden
from services.common.identity import Principal, Role


@dataclass(frozen=True)
class EntryScope:
    """Which entries a query covers: a park (either party in it), an enterprise, a year, a kind, a waste code."""

    park_id: str | None = None
    enterprise_id: str | None = None
    year: int | None = None
    kind: str | None = None
    code: str | None = None
    nothing: bool = False  # a caller entitled to no entries at all


def entry_scope(p: Principal, requested: EntryScope) -> EntryScope:
    """The query narrowed to what the caller may see: park managers their park's entries, enterprises
    their own exchanges'."""
    if p.is_admin:
        return requested
    if p.role is Role.PARK_MANAGER:
        return replace(requested, park_id=p.park_id, nothing=requested.nothing or p.park_id is None)
    if p.role is Role.PROVINCE:
        return replace(requested, nothing=True)
    return replace(requested, enterprise_id=p.enterprise_id, nothing=requested.nothing or p.enterprise_id is None)


def entry_visible(p: Principal, exchange: Mapping[str, Any]) -> bool:
    """Whether the caller may read the entry recording `exchange` (the entry's `exchange` member)."""
    if p.is_admin:
        return True
    parties = (exchange["supplier"], exchange["receiver"])
    if p.role is Role.PARK_MANAGER:
        return any(party["park_id"] == p.park_id for party in parties)
    if p.role is Role.PROVINCE:
        return False
    return p.enterprise_id is not None and any(party["enterprise_id"] == p.enterprise_id for party in parties)


def may_read_park(p: Principal, park_id: str, province: str | None) -> bool:
    """A park's annual report, plan and submissions: admins, that park's managers and the reviewers of
    its province (`province` None: the ledger does not know the park yet)."""
    return (
        p.is_admin
        or (p.role is Role.PARK_MANAGER and p.park_id == park_id)
        or (p.role is Role.PROVINCE and province is not None and p.province == province)
    )


def require_park_writer(p: Principal, park_id: str) -> None:
    """Recording a park's plan and writing its submissions: admins and that park's managers (callers
    have checked may_read_park first, so a park that is not the caller's is not found before this)."""
    if not (p.is_admin or (p.role is Role.PARK_MANAGER and p.park_id == park_id)):
        raise Forbidden("only the park's managers or an admin may change its plan and submissions")


def require_province_reader(p: Principal, province: str) -> None:
    """A province's roll-up: admins and that province's reviewers."""
    if not (p.is_admin or (p.role is Role.PROVINCE and p.province == province)):
        raise Forbidden(f"only an admin or a reviewer of {province} may read its roll-up")


def require_admin(p: Principal, action: str) -> None:
    """Auditing, exporting, correcting the ledger and reading the events set aside span every tenant."""
    if not p.is_admin:
        raise Forbidden(f"only an admin may {action}")
