"""The park planner: `POST/GET /api/v1/parks/{id}/plans`, `GET /api/v1/parks/{id}/plans/{plan_id}`,
`POST …/{plan_id}/suggestions` and `GET /api/v1/plan-suggestions`."""

from __future__ import annotations

from flask import current_app
from flask.views import MethodView

from services.common.schemas import PageArgsSchema, offset_limit, paged
from services.common.web import Blueprint, current_principal
from services.matching.domain.planner.gains import GainAssumptions
from services.matching.domain.planner.network import NetworkSettings
from services.matching.domain.planner.objective import DEFAULT_TRANSPORT, Objective
from services.matching.domain.planner.plan import PlanSettings
from services.matching.service_layer import plans

from .plan_schemas import (
    PlanPageSchema,
    PlanRequestSchema,
    PlanSchema,
    SuggestionPageSchema,
    SuggestionSchema,
    SuggestRequestSchema,
)

blp = Blueprint(
    "plans",
    __name__,
    url_prefix="/api/v1/parks",
    description="The park planner: the pairing of all open offers and wants that serves the indicators best",
)
suggestions_blp = Blueprint(
    "plan-suggestions",
    __name__,
    url_prefix="/api/v1/plan-suggestions",
    description="Pairings of a park's plan suggested to the two enterprises",
)


def ctx() -> plans.PlanningContext:
    return current_app.extensions["parkloop.plans"]


def plan_request(data: dict) -> plans.PlanRequest:
    priorities = tuple(data.get("priorities") or ())
    objective = Objective(
        weights=data.get("weights") or Objective().weights,
        priorities=priorities,
        transport_cost={**DEFAULT_TRANSPORT, **(data.get("transport_cost") or {})},
    )
    network = NetworkSettings(heat_pipeline_max_km=data["heat_pipeline_max_km"], delta_t_min_k=ctx().delta_t_min_k)
    return plans.PlanRequest(
        objective=objective,
        settings=PlanSettings(network, data.get("lots") or {}),
        assumptions=GainAssumptions(data["heat_hours_per_year"], data["heat_fuel"]),
        also_parks=tuple(data.get("park_ids") or ()),
    )


@blp.route("/<park_id>/plans")
class Plans(MethodView):
    @blp.arguments(PlanRequestSchema)
    @blp.response(201, PlanSchema)
    @blp.alt_response(403, description="Enterprises do not plan parks; only admins plan several parks")
    @blp.alt_response(404, description="No such park for this caller")
    def post(self, data, park_id):
        """Compute and keep a plan of the park's active listings (solved exactly; see README, "The planner")"""
        return plans.create_plan(ctx(), current_principal(), park_id, plan_request(data))

    @blp.arguments(PageArgsSchema, location="query")
    @blp.response(200, PlanPageSchema)
    @blp.alt_response(403, description="Enterprises do not read plans")
    @blp.alt_response(404, description="No such park for this caller")
    def get(self, args, park_id):
        """The park's plans, newest first (summaries)"""
        items, total = plans.list_plans(ctx(), current_principal(), park_id, *offset_limit(args))
        return paged(items, total, args)


@blp.route("/<park_id>/plans/<plan_id>")
class PlanById(MethodView):
    @blp.response(200, PlanSchema)
    @blp.alt_response(403, description="Enterprises do not read plans")
    @blp.alt_response(404, description="No such plan of this park for this caller")
    def get(self, park_id, plan_id):
        """A plan: pairings with quantities, distances and gains; totals beside greedy; unpaired listings and why"""
        return plans.visible_plan(ctx(), current_principal(), park_id, plan_id)


@blp.route("/<park_id>/plans/<plan_id>/suggestions")
class Suggest(MethodView):
    @blp.arguments(SuggestRequestSchema)
    @blp.response(201, SuggestionSchema)
    @blp.alt_response(200, schema=SuggestionSchema, description="Suggested before: the same suggestion, no webhook")
    @blp.alt_response(403, description="Enterprises do not suggest pairings")
    @blp.alt_response(404, description="No such plan, or the plan has no such pairing")
    def post(self, data, park_id, plan_id):
        """Suggest one pairing of the plan to its two enterprises (a signed `plan.suggested` webhook each)"""
        suggestion, new = plans.suggest(ctx(), current_principal(), park_id, plan_id, data["offer_id"], data["want_id"])
        return suggestion, 201 if new else 200


@suggestions_blp.route("")
class Suggestions(MethodView):
    @suggestions_blp.arguments(PageArgsSchema, location="query")
    @suggestions_blp.response(200, SuggestionPageSchema)
    def get(self, args):
        """Suggested pairings: an enterprise's own, a park manager's park's, all for an admin"""
        items, total = plans.list_suggestions(ctx(), current_principal(), *offset_limit(args))
        return paged(items, total, args)
