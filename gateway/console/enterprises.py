"""The enterprises a page names, looked up as the signed-in key at most once per request.

Records the key may not read (a park manager and another park's enterprise) are remembered as None,
and named by their id's first characters instead.
"""

from __future__ import annotations

from flask import g
from flask_babel import gettext as _

from gateway.console.api_client import ApiProblem
from gateway.console.auth import api


def known() -> dict[str, dict | None]:
    """The enterprise records this request has looked up, by id."""
    if "console_enterprises" not in g:
        g.console_enterprises = {}
    return g.console_enterprises


def look_up(ids, listing: dict | None = None) -> None:
    """Records for `ids`. When several are missing and `listing` gives a list query ({"park_id": …}, or {}
    for every enterprise the key sees), that list is read once in one go; the rest one by one."""
    found = known()
    wanted = {i for i in ids if i and i not in found}
    if not wanted:
        return
    listed = g.setdefault("console_enterprise_lists", set())
    query = tuple(sorted((listing or {}).items()))
    if listing is not None and len(wanted) > 1 and query not in listed:
        listed.add(query)
        for enterprise in api().all_pages("enterprises", **listing):
            found[enterprise["id"]] = enterprise
    for enterprise_id in wanted - set(found):
        try:
            found[enterprise_id] = api().get(f"enterprises/{enterprise_id}")
        except ApiProblem as problem:
            if problem.status not in (403, 404):
                raise
            found[enterprise_id] = None


def name(enterprise_id: str | None) -> str:
    enterprise = known().get(enterprise_id)
    if enterprise is None:
        return _("Enterprise %(id)s (not visible to you)", id=(enterprise_id or "")[:8])
    return enterprise["name"]
