"""Use cases of a park's implementation plan: record it (admins and the park's managers), read it."""

from __future__ import annotations

from typing import Any

from services.common.errors import InvalidFields, NotFound
from services.common.identity import Principal
from services.ledger.domain import access
from services.ledger.domain.plans import Plan

from .recording import LedgerContext
from .reports import readable_park


def record_plan(ctx: LedgerContext, p: Principal, park_id: str, period: str, data: dict[str, Any]) -> Plan:
    """Records (or replaces) the park's plan for `period`; periods of one park never overlap."""
    readable_park(ctx, p, park_id)
    access.require_park_writer(p, park_id)
    plan = Plan.of(park_id, period, data)
    for other in ctx.records.plans(park_id):
        overlaps = other.start_year <= plan.end_year and plan.start_year <= other.end_year
        if overlaps and other.start_year != plan.start_year:
            raise InvalidFields.single("period", f"overlaps the park's plan for {other.period}")
    ctx.records.save_plan(plan, ctx.now())
    return plan


def park_plans(ctx: LedgerContext, p: Principal, park_id: str) -> list[Plan]:
    readable_park(ctx, p, park_id)
    return ctx.records.plans(park_id)


def park_plan(ctx: LedgerContext, p: Principal, park_id: str, period: str) -> Plan:
    found = next((plan for plan in park_plans(ctx, p, park_id) if plan.period == period), None)
    if found is None:
        raise NotFound(f"park {park_id} has no plan for {period}")
    return found
