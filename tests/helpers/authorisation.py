"""Who may do what: one table of (role, action, ownership) -> outcome, written as README's "Who sees
what" says it, from which the authorisation matrix tests are generated:
tests/unit/test_authorisation_matrix.py asks each service's access module (composed as its use cases
compose it), tests/e2e/test_authorisation.py asks the running system over HTTP.

Every resource belongs to enterprise E1 in park A: its park, the enterprise itself, its listings, its
alert subscription, its exchange with another enterprise of park A, that exchange's ledger entry and
park A's annual report. The callers are named by their role and how they stand to that resource.
The outcome is what the caller gets: `ok`; `full` or `public` (what it reads of a park or an
enterprise: with or without the private fields); `forbidden` (403); `not found` (404: the resource
does not exist for this caller).
"""
from __future__ import annotations

OK, FULL, PUBLIC, FORBIDDEN, NOT_FOUND = "ok", "full", "public", "forbidden", "not found"

# (role, ownership): who calls, relative to E1 and park A
CALLERS: tuple[tuple[str, str], ...] = (
    ("admin", "any"),
    ("park_manager", "own park"),  # manager of park A
    ("park_manager", "other park"),  # manager of park B
    ("enterprise", "owner"),  # E1's key
    ("enterprise", "same park"),  # E2's key, park A
    ("enterprise", "other park"),  # E3's key, park B
    ("enterprise", "unbound, same park"),  # an enrolment key of park A, no enterprise registered yet
    ("enterprise", "unbound, other park"),  # an enrolment key of park B, no enterprise registered yet
)

RULES: dict[str, tuple[str, ...]] = {
    #                                admin      manager A  manager B  owner      same park  other park unbound A  unbound B
    # listings
    "create a park":                (OK,        FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    "set the park's baseline":      (OK,        FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    "read the park":                (FULL,      FULL,      NOT_FOUND, PUBLIC,    PUBLIC,    PUBLIC,    PUBLIC,    PUBLIC),
    "register an enterprise there": (OK,        FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK,        FORBIDDEN),
    "read the enterprise":          (FULL,      FULL,      NOT_FOUND, FULL,      PUBLIC,    PUBLIC,    PUBLIC,    PUBLIC),
    "change the enterprise":        (OK,        FORBIDDEN, FORBIDDEN, OK,        FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    "post a listing for it":        (OK,        FORBIDDEN, FORBIDDEN, OK,        FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    "change its listing":           (OK,        FORBIDDEN, NOT_FOUND, OK,        FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    "read its active listing":      (OK,        OK,        NOT_FOUND, OK,        OK,        OK,        OK,        OK),
    "read its paused listing":      (OK,        OK,        NOT_FOUND, OK,        NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND),
    "propose an exchange for it":   (OK,        FORBIDDEN, FORBIDDEN, OK,        FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    "read its exchange":            (OK,        OK,        NOT_FOUND, OK,        NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND),
    "act on its exchange":          (OK,        FORBIDDEN, NOT_FOUND, OK,        NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND),
    # matching
    "see its listing's matches":    (OK,        OK,        NOT_FOUND, OK,        NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND),
    "subscribe to alerts":          (OK,        FORBIDDEN, FORBIDDEN, OK,        OK,        OK,        FORBIDDEN, FORBIDDEN),
    "read its subscription":        (OK,        OK,        NOT_FOUND, OK,        NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND),
    "change its subscription":      (OK,        FORBIDDEN, NOT_FOUND, OK,        NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND),
    # ledger
    "read its ledger entry":        (OK,        OK,        NOT_FOUND, OK,        NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND),
    "read the park's report":       (OK,        OK,        NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND),
    "audit or export the ledger":   (OK,        FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    "correct the ledger":           (OK,        FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    "read the events set aside":    (OK,        FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    # gateway
    "manage API keys":              (OK,        FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN),
}
assert all(len(outcomes) == len(CALLERS) for outcomes in RULES.values())

# The one table: (role, action, ownership) -> outcome.
TABLE: dict[tuple[str, str, str], str] = {
    (role, action, ownership): outcome
    for action, outcomes in RULES.items() for (role, ownership), outcome in zip(CALLERS, outcomes)
}


def cases() -> list[tuple[str, str, str, str]]:
    """(role, action, ownership, outcome) rows, in table order, for pytest.mark.parametrize."""
    return [(role, action, ownership, outcome) for (role, action, ownership), outcome in TABLE.items()]


def case_id(row: tuple[str, str, str, str]) -> str:
    role, action, ownership, _ = row
    return f"{action} | {role} ({ownership})"
