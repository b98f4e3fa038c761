"""Which service answers which public path. The first pattern that matches wins."""

from __future__ import annotations

import re

ROUTES: list[tuple[re.Pattern, str]] = [
    (re.compile(r"^/api/v1/(offers|wants)/[^/]+/matches/?$"), "matching"),
    (re.compile(r"^/api/v1/webhooks(/.*)?$"), "matching"),
    (re.compile(r"^/api/v1/parks/[^/]+/plans(/.*)?$"), "matching"),
    (re.compile(r"^/api/v1/plan-suggestions/?$"), "matching"),
    (re.compile(r"^/api/v1/ledger(/.*)?$"), "ledger"),
    (re.compile(r"^/api/v1/parks/[^/]+/(reports|implementation-plans|submissions)(/.*)?$"), "ledger"),
    (re.compile(r"^/api/v1/provinces(/.*)?$"), "ledger"),
    (re.compile(r"^/api/v1/(parks|enterprises|offers|wants|exchanges)(/.*)?$"), "listings"),
]


def service_for(path: str) -> str | None:
    for pattern, service in ROUTES:
        if pattern.match(path):
            return service
    return None


def metric_route(path: str) -> str:
    """A low-cardinality label for metrics: `/api/v1/offers/{id}/pause` → `offers/{id}/pause`."""
    parts = path.removeprefix("/api/v1/").strip("/").split("/")
    return "/".join(p if i % 2 == 0 else "{id}" for i, p in enumerate(parts))
