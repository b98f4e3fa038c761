"""Shapes of the matching API."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from services.common.schemas import LocationSchema, Number, PageArgsSchema


class MatchArgsSchema(PageArgsSchema):
    codes = fields.List(fields.String(validate=validate.Length(max=16)), metadata={"description": "Waste codes"})
    park_ids = fields.List(fields.String(validate=validate.Length(max=36)))
    max_distance_km = Number(validate=validate.Range(min=0, min_inclusive=False, max=20000))
    min_score = Number(load_default=0.0, validate=validate.Range(min=0, max=1))


class ComponentSchema(ma.Schema):
    value = Number(required=True, metadata={"description": "0..1"})
    weight = Number(required=True)
    contribution = Number(required=True, metadata={"description": "value × weight; contributions add up to the score"})


class CandidateSchema(ma.Schema):
    id = fields.String(required=True)
    side = fields.String(required=True)
    kind = fields.String(required=True)
    title = fields.String(required=True)
    enterprise_id = fields.String(required=True)
    park_id = fields.String(required=True)
    location = fields.Nested(LocationSchema, required=True)
    codes = fields.List(fields.String(), required=True)
    hazardous = fields.Boolean(required=True)


class MatchSchema(ma.Schema):
    listing = fields.Nested(CandidateSchema, required=True)
    score = Number(required=True, metadata={"description": "0..1, the sum of the components' contributions"})
    distance_km = Number(required=True, metadata={"description": "Great-circle distance"})
    components = fields.Dict(keys=fields.String(), values=fields.Nested(ComponentSchema), required=True)


class MatchPageSchema(ma.Schema):
    source = fields.Nested(CandidateSchema, required=True)
    items = fields.List(fields.Nested(MatchSchema), required=True)
    page = fields.Integer(required=True)
    page_size = fields.Integer(required=True)
    formula = fields.String(required=True)
