"""`/api/v1/parks/{id}/implementation-plans`: a park's implementation plan (targets and projects) per period."""

from __future__ import annotations

from flask import current_app
from flask.views import MethodView

from services.common.web import Blueprint, current_principal
from services.ledger.domain.rounding import jsonable
from services.ledger.service_layer import plans

from .record_schemas import ImplementationPlanBodySchema, ImplementationPlanListSchema, ImplementationPlanSchema

blp = Blueprint(
    "implementation_plans",
    __name__,
    url_prefix="/api/v1/parks",
    description="Implementation plans (实施方案): the targets of the 1004 notice's indicators and the main projects",
)


def ctx():
    return current_app.extensions["parkloop.ledger"]


@blp.route("/<park_id>/implementation-plans")
class Plans(MethodView):
    @blp.response(200, ImplementationPlanListSchema)
    @blp.alt_response(404, description="No such park, or not the caller's")
    def get(self, park_id):
        """The park's plans, by period"""
        return {"items": [jsonable(plan.to_dict()) for plan in plans.park_plans(ctx(), current_principal(), park_id)]}


@blp.route("/<park_id>/implementation-plans/<period>")
class PlanByPeriod(MethodView):
    @blp.response(200, ImplementationPlanSchema)
    @blp.alt_response(404, description="No plan for that period, or not the caller's park")
    def get(self, park_id, period):
        """The park's plan for a period such as 2021-2025"""
        return jsonable(plans.park_plan(ctx(), current_principal(), park_id, period).to_dict())

    @blp.arguments(ImplementationPlanBodySchema)
    @blp.response(200, ImplementationPlanSchema)
    @blp.alt_response(403, description="Only the park's managers and admins record its plan")
    @blp.alt_response(404, description="No such park, or not the caller's")
    @blp.alt_response(422, description="A field breaks a rule (unit, period, duplicate indicator…)")
    def put(self, data, park_id, period):
        """Record the plan for a period (replacing the one recorded before): targets with unit and
        baseline year (for the period's end, optionally per year), and the main projects"""
        return jsonable(plans.record_plan(ctx(), current_principal(), park_id, period, data).to_dict())
