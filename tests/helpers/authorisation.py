"""Who may do what: one table of (role, action, ownership) -> outcome, written as README's "Who sees
what" says it, from which the authorisation matrix tests are generated:
tests/unit/test_authorisation_matrix.py asks each service's access module (composed as its use cases
compose it), tests/e2e/test_authorisation.py asks the running system over HTTP.

Every resource belongs to enterprise E1 in park A: its park, the enterprise itself, its listings, its
alert subscription, its exchange with another enterprise of park A, that exchange's ledger entry,
park A's annual report, plan and submissions, and the roll-up of park A's province (Jiangsu). The
callers are named by their role and how they stand to that resource.
The outcome is what the caller gets: `ok`; `full` or `public` (what it reads of a park or an
enterprise: with or without the private fields); `forbidden` (403); `not found` (404: the resource
does not exist for this caller).
"""

from __future__ import annotations

OK, FULL, PUBLIC, FORBIDDEN, NOT_FOUND = "ok", "full", "public", "forbidden", "not found"
PUB, DENY, GONE = PUBLIC, FORBIDDEN, NOT_FOUND  # short, for the table

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
    ("province", "same province"),  # a reviewer of park A's province
    ("province", "other province"),  # a reviewer of another province
)

# fmt: off
RULES: dict[str, tuple[str, ...]] = {
    #                                 admin mgr A mgr B owner same  other unb A unb B prv A prv B
    # listings
    "create a park":                 (OK,   DENY, DENY, DENY, DENY, DENY, DENY, DENY, DENY, DENY),
    "set the park's baseline":       (OK,   DENY, DENY, DENY, DENY, DENY, DENY, DENY, DENY, DENY),
    "read the park":                 (FULL, FULL, GONE, PUB,  PUB,  PUB,  PUB,  PUB,  FULL, GONE),
    "register an enterprise there":  (OK,   DENY, DENY, DENY, DENY, DENY, OK,   DENY, DENY, DENY),
    "read the enterprise":           (FULL, FULL, GONE, FULL, PUB,  PUB,  PUB,  PUB,  GONE, GONE),
    "change the enterprise":         (OK,   DENY, DENY, OK,   DENY, DENY, DENY, DENY, DENY, DENY),
    "post a listing for it":         (OK,   DENY, DENY, OK,   DENY, DENY, DENY, DENY, DENY, DENY),
    "change its listing":            (OK,   DENY, GONE, OK,   DENY, DENY, DENY, DENY, GONE, GONE),
    "read its active listing":       (OK,   OK,   GONE, OK,   OK,   OK,   OK,   OK,   GONE, GONE),
    "read its paused listing":       (OK,   OK,   GONE, OK,   GONE, GONE, GONE, GONE, GONE, GONE),
    "propose an exchange for it":    (OK,   DENY, DENY, OK,   DENY, DENY, DENY, DENY, DENY, DENY),
    "read its exchange":             (OK,   OK,   GONE, OK,   GONE, GONE, GONE, GONE, GONE, GONE),
    "act on its exchange":           (OK,   DENY, GONE, OK,   GONE, GONE, GONE, GONE, GONE, GONE),
    # matching
    "see its listing's matches":     (OK,   OK,   GONE, OK,   GONE, GONE, GONE, GONE, GONE, GONE),
    "subscribe to alerts":           (OK,   DENY, DENY, OK,   DENY, DENY, DENY, DENY, DENY, DENY),
    "read its subscription":         (OK,   OK,   GONE, OK,   GONE, GONE, GONE, GONE, GONE, GONE),
    "change its subscription":       (OK,   DENY, GONE, OK,   GONE, GONE, GONE, GONE, GONE, GONE),
    "plan the park":                 (OK,   OK,   GONE, DENY, DENY, DENY, DENY, DENY, DENY, DENY),
    "read the park's plans":         (OK,   OK,   GONE, DENY, DENY, DENY, DENY, DENY, DENY, DENY),
    "suggest a pairing of a plan":   (OK,   OK,   GONE, DENY, DENY, DENY, DENY, DENY, DENY, DENY),
    # ledger
    "read its ledger entry":         (OK,   OK,   GONE, OK,   GONE, GONE, GONE, GONE, GONE, GONE),
    "read the park's report":        (OK,   OK,   GONE, GONE, GONE, GONE, GONE, GONE, OK,   GONE),
    "audit or export the ledger":    (OK,   DENY, DENY, DENY, DENY, DENY, DENY, DENY, DENY, DENY),
    "correct the ledger":            (OK,   DENY, DENY, DENY, DENY, DENY, DENY, DENY, DENY, DENY),
    "read the events set aside":     (OK,   DENY, DENY, DENY, DENY, DENY, DENY, DENY, DENY, DENY),
    # ledger: the park's plan and annual submission, the province's roll-up
    "record the implementation plan":(OK,  OK,   GONE, GONE, GONE, GONE, GONE, GONE, DENY, GONE),
    "read the implementation plan":  (OK,   OK,   GONE, GONE, GONE, GONE, GONE, GONE, OK,   GONE),
    "write the park's submission":   (OK,   OK,   GONE, GONE, GONE, GONE, GONE, GONE, DENY, GONE),
    "read the park's submissions":   (OK,   OK,   GONE, GONE, GONE, GONE, GONE, GONE, OK,   GONE),
    "read the province's roll-up":   (OK,   DENY, DENY, DENY, DENY, DENY, DENY, DENY, OK,   DENY),
    # gateway
    "manage API keys":               (OK,   DENY, DENY, DENY, DENY, DENY, DENY, DENY, DENY, DENY),
    "read the park's audit trail":   (OK,   OK,   DENY, DENY, DENY, DENY, DENY, DENY, DENY, DENY),
}
# fmt: on
assert all(len(outcomes) == len(CALLERS) for outcomes in RULES.values())

# The one table: (role, action, ownership) -> outcome.
TABLE: dict[tuple[str, str, str], str] = {
    (role, action, ownership): outcome
    for action, outcomes in RULES.items()
    for (role, ownership), outcome in zip(CALLERS, outcomes, strict=True)
}


def cases() -> list[tuple[str, str, str, str]]:
    """(role, action, ownership, outcome) rows, in table order, for pytest.mark.parametrize."""
    return [(role, action, ownership, outcome) for (role, action, ownership), outcome in TABLE.items()]


def case_id(row: tuple[str, str, str, str]) -> str:
    role, action, ownership, _ = row
    return f"{action} | {role} ({ownership})"
