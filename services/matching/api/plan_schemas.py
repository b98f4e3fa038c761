"""The planner's request and response schemas (units are named in each description)."""

from __future__ import annotations

from typing import get_args

import marshmallow as ma
from marshmallow import fields, validate

from services.common.contracts import Fuel
from services.common.schemas import DateTime, Number, page_of
from services.matching.domain.planner.gains import INDICATORS

KINDS = ("material", "heat", "water")
Indicator = fields.String(validate=validate.OneOf(INDICATORS))


class PlanRequestSchema(ma.Schema):
    weights = fields.Dict(
        keys=fields.String(validate=validate.OneOf(INDICATORS)),
        values=Number(validate=validate.Range(min=0, max=1e9)),
        metadata={"description": "Weighted objective: indicator → weight (default {co2_reduced_t: 1})"},
    )
    priorities = fields.List(
        fields.String(validate=validate.OneOf(INDICATORS)),
        validate=validate.Length(min=1, max=len(INDICATORS)),
        metadata={"description": "Lexicographic objective instead: indicators in order, then least transport"},
    )
    transport_cost = fields.Dict(
        keys=fields.String(validate=validate.OneOf(KINDS)),
        values=Number(validate=validate.Range(min=0, max=1e6)),
        metadata={"description": "Objective units per unit of flow and km, per kind (t/a·km, MW·km, m3/d·km)"},
    )
    heat_pipeline_max_km = Number(load_default=15.0, validate=validate.Range(min=0.1, max=200))
    heat_hours_per_year = Number(load_default=8000.0, validate=validate.Range(min=1, max=8784))
    heat_fuel = fields.String(
        load_default="coal",
        validate=validate.OneOf(get_args(Fuel)),
        metadata={"description": "The receivers' own boiler fuel that supplied heat displaces"},
    )
    lots = fields.Dict(
        keys=fields.String(validate=validate.OneOf(KINDS)),
        values=Number(validate=validate.Range(min=0.01, max=1e9)),
        metadata={"description": "Whole lots only, per kind, in the kind's unit (e.g. material: 30 t/a)"},
    )
    park_ids = fields.List(
        fields.String(validate=validate.Length(max=36)),
        validate=validate.Length(max=50),
        metadata={"description": "Admins only: more parks planned together with this one"},
    )

    @ma.validates_schema
    def one_objective(self, data, **kwargs):
        if data.get("weights") is not None and data.get("priorities") is not None:
            raise ma.ValidationError("give weights or priorities, not both", "priorities")
        if data.get("weights") is not None and not any(w > 0 for w in data["weights"].values()):
            raise ma.ValidationError("at least one weight must be above 0", "weights")


class ListingRefSchema(ma.Schema):
    id = fields.String(required=True)
    side = fields.String(required=True)
    kind = fields.String(required=True)
    title = fields.String(required=True)
    enterprise_id = fields.String(required=True)
    park_id = fields.String(required=True)
    quantity = Number(required=True)
    unit = fields.String(required=True, metadata={"description": "t/a, MW or m3/d"})


Figures = fields.Dict(keys=fields.String(), values=Number())


class YearAmountSchema(ma.Schema):
    amount = Number(required=True)
    unit = fields.String(required=True, metadata={"description": "t, GJ or m3: the ledger's delivery units"})


class PairingSchema(ma.Schema):
    offer = fields.Nested(ListingRefSchema, required=True)
    want = fields.Nested(ListingRefSchema, required=True)
    kind = fields.String(required=True)
    quantity = Number(required=True)
    unit = fields.String(required=True)
    distance_km = Number(required=True)
    per_year = fields.Nested(YearAmountSchema, required=True, metadata={"description": "What moves in a year"})
    gains = fields.Dict(keys=fields.String(), values=Number(), metadata={"description": "Indicators a year"})
    value = Number(required=True, metadata={"description": "Its share of the objective"})


class UnpairedSchema(ma.Schema):
    listing = fields.Nested(ListingRefSchema, required=True)
    reason = fields.String(
        required=True, metadata={"description": "legality | no_counterpart | no_gain | quantity_used_elsewhere"}
    )
    detail = fields.String(required=True)
    facts = fields.Dict(
        keys=fields.String(),
        required=True,
        metadata={"description": "The detail's figures: nearest_km, counterparts, code (as the reason has them)"},
    )


class PlanSummarySchema(ma.Schema):
    id = fields.String(required=True)
    park_id = fields.String(required=True)
    park_ids = fields.List(fields.String(), required=True)
    inputs_at = DateTime(required=True, metadata={"description": "When the listings were read"})
    created_at = DateTime(required=True)
    objective = fields.Dict(required=True)
    settings = fields.Dict(required=True)
    solver = fields.Dict(required=True, metadata={"description": "name, status, optimal, mip_gap, seconds"})
    listings = fields.Integer(required=True)
    arcs = fields.Integer(required=True)
    objective_value = Number(required=True)
    totals = Figures
    greedy = fields.Dict(required=True, metadata={"description": "The one-by-one matching baseline"})
    gain_over_greedy_pct = Number(allow_none=True)
    ledger_report = fields.String(required=True, metadata={"description": "This year's ledger figures to compare"})


class PlanSchema(PlanSummarySchema):
    units = fields.Dict(required=True)
    assumptions = fields.List(fields.String(), required=True)
    pairings = fields.List(fields.Nested(PairingSchema), required=True)
    unpaired = fields.List(fields.Nested(UnpairedSchema), required=True)


PlanPageSchema = page_of(PlanSummarySchema, "PlanPageSchema")


class SuggestRequestSchema(ma.Schema):
    offer_id = fields.String(required=True, validate=validate.Length(min=1, max=36))
    want_id = fields.String(required=True, validate=validate.Length(min=1, max=36))


class SuggestionSchema(ma.Schema):
    id = fields.String(required=True)
    plan_id = fields.String(required=True)
    park_id = fields.String(required=True)
    suggested_at = DateTime(required=True)
    offer = fields.Nested(ListingRefSchema, required=True)
    want = fields.Nested(ListingRefSchema, required=True)
    kind = fields.String(required=True)
    quantity = Number(required=True)
    unit = fields.String(required=True)
    distance_km = Number(required=True)
    per_year = fields.Nested(YearAmountSchema, required=True)
    gains = Figures
    note = fields.String(required=True)


SuggestionPageSchema = page_of(SuggestionSchema, "SuggestionPageSchema")
