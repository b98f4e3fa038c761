"""Planning a park: compute and keep a plan, read plans, and suggest one of its pairings to the two
enterprises (a signed `plan.suggested` webhook to each subscription they have; the enterprises still
decide and propose the exchange themselves). Who may: domain/access.py."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from services.common.coefficients import Coefficients
from services.common.errors import NotFound
from services.common.identity import Principal
from services.matching.adapters.plan_store import PlanStore
from services.matching.adapters.webhook_store import WebhookStore
from services.matching.domain import access
from services.matching.domain.documents import doc_from_dict
from services.matching.domain.planner.gains import GainAssumptions, unit_gains
from services.matching.domain.planner.objective import Objective, PlanSolver
from services.matching.domain.planner.plan import PlanResult, PlanSettings, make_plan

from .plan_views import plan_body, suggestion_body


@dataclass(frozen=True)
class PlanRequest:
    objective: Objective = field(default_factory=Objective)
    settings: PlanSettings = field(default_factory=PlanSettings)
    assumptions: GainAssumptions = field(default_factory=GainAssumptions)
    also_parks: tuple[str, ...] = ()


@dataclass
class PlanningContext:
    plans: PlanStore
    webhooks: WebhookStore
    solver: PlanSolver
    coefficients: Coefficients
    delta_t_min_k: float = 10.0
    today: Callable[[], date] = date.today
    now: Callable[[], datetime] = lambda: datetime.now(UTC)


def create_plan(ctx: PlanningContext, p: Principal, park_id: str, request: PlanRequest) -> dict:
    parks = access.parks_to_plan(p, park_id, request.also_parks)
    inputs_at = ctx.now()
    docs = [doc_from_dict(row["doc"], row["revision"]) for row in ctx.plans.active_docs_of_parks(parks)]
    gains = unit_gains(ctx.coefficients, request.assumptions, ctx.today())
    started = time.perf_counter()
    result: PlanResult = make_plan(docs, ctx.today(), request.settings, request.objective, ctx.solver, gains)
    seconds = time.perf_counter() - started
    body = plan_body(
        str(uuid.uuid4()), parks, inputs_at, ctx.now(), request, result, ctx.solver.name, seconds, ctx.today()
    )
    ctx.plans.add(body["id"], park_id, inputs_at, body)
    return body


def visible_plan(ctx: PlanningContext, p: Principal, park_id: str, plan_id: str) -> dict:
    access.parks_to_plan(p, park_id)
    body = ctx.plans.get(plan_id)
    if body is None or body["park_id"] != park_id:
        raise NotFound(f"no plan {plan_id} of park {park_id}")
    return body


def list_plans(ctx: PlanningContext, p: Principal, park_id: str, offset: int, limit: int) -> tuple[list[dict], int]:
    access.parks_to_plan(p, park_id)
    return ctx.plans.list(park_id, offset, limit)


def suggest(
    ctx: PlanningContext, p: Principal, park_id: str, plan_id: str, offer_id: str, want_id: str
) -> tuple[dict, bool]:
    """The suggestion, and whether it is new (a pairing is suggested, and its webhooks sent, once)."""
    plan = visible_plan(ctx, p, park_id, plan_id)
    pairing = next((x for x in plan["pairings"] if x["offer"]["id"] == offer_id and x["want"]["id"] == want_id), None)
    if pairing is None:
        raise NotFound(f"plan {plan_id} pairs no offer {offer_id} with want {want_id}")
    earlier = ctx.plans.suggestion(plan_id, offer_id, want_id)
    if earlier is not None:
        return earlier, False
    now = ctx.now()
    suggestion = suggestion_body(str(uuid.uuid4()), plan, pairing, now)
    subscriptions = [
        s
        for side in ("offer", "want")
        for s in ctx.webhooks.list(enterprise_id=pairing[side]["enterprise_id"])
        if s.covers(pairing[side]["id"], 1.0)  # a suggestion has no score: any threshold lets it through
    ]
    if not ctx.plans.suggest(suggestion, subscriptions, now):  # suggested at the same moment by another
        return ctx.plans.suggestion(plan_id, offer_id, want_id) or suggestion, False
    return suggestion, True


def list_suggestions(ctx: PlanningContext, p: Principal, offset: int, limit: int) -> tuple[list[dict], int]:
    scope = access.suggestion_scope(p)
    if scope.nothing:
        return [], 0
    return ctx.plans.suggestions(scope.park_id, scope.enterprise_id, offset, limit)
