"""Shapes of the plan, submission and roll-up API. Decimals are read from numbers or strings and
written as exact decimal strings."""

from __future__ import annotations

from decimal import Decimal

import marshmallow as ma
from marshmallow import fields, validate

from services.common.schemas import DateTime, Int, Text
from services.ledger.domain.plans import TARGET_INDICATORS, ProjectStatus
from services.ledger.domain.submissions import MAX_SECTION_CHARS, SECTIONS, Status

MAX_FIGURE = 10**15


def _within(low: int, high: int):
    # a function, not validate.Range: apispec would write Range's bounds into the document as strings
    def check(value: Decimal) -> None:
        if not low <= value <= high:
            raise ma.ValidationError(f"must be between {low} and {high}")

    return check


def Amount(**kwargs) -> fields.Decimal:
    """A non-negative decimal, read exactly from a number or a string (never through a float)."""
    return fields.Decimal(allow_nan=False, validate=_within(0, MAX_FIGURE), **kwargs)


class ImplementationPlanYearlyTargetSchema(ma.Schema):
    year = Int(2000, 2100, required=True)
    target = Amount(required=True)


class TargetInSchema(ma.Schema):
    indicator = fields.String(required=True, validate=validate.OneOf(list(TARGET_INDICATORS)))
    unit = Text(required=True, max_length=40, metadata={"description": "The indicator's own unit, e.g. tce, %"})
    baseline_year = Int(2000, 2100, required=True)
    baseline_value = Amount(allow_none=True, metadata={"description": "Levels: the value in the baseline year"})
    target = Amount(required=True, metadata={"description": "Amounts: the period's total; levels: the end level"})
    yearly = fields.List(fields.Nested(ImplementationPlanYearlyTargetSchema), validate=validate.Length(max=10))


class ProjectInSchema(ma.Schema):
    name = Text(required=True)
    content = fields.String(validate=validate.Length(max=2000))
    investment_10k_cny = Amount(allow_none=True, metadata={"description": "Investment in 10k CNY (万元)"})
    contributes_to = fields.List(
        fields.String(validate=validate.OneOf(list(TARGET_INDICATORS))), validate=validate.Length(max=20)
    )
    status = fields.String(required=True, validate=validate.OneOf([s.value for s in ProjectStatus]))


class ImplementationPlanBodySchema(ma.Schema):
    targets = fields.List(fields.Nested(TargetInSchema), required=True, validate=validate.Length(max=20))
    projects = fields.List(fields.Nested(ProjectInSchema), load_default=list, validate=validate.Length(max=200))


class ImplementationPlanTargetSchema(TargetInSchema):
    baseline_value = fields.String(allow_none=True)
    target = fields.String(required=True)
    yearly = fields.List(fields.Dict())
    measure = fields.String(required=True, metadata={"description": "amount (added up over years) or level"})
    direction = fields.String(required=True, metadata={"description": "higher or lower is better"})


class ImplementationPlanProjectSchema(ProjectInSchema):
    investment_10k_cny = fields.String(allow_none=True)


class ImplementationPlanSchema(ma.Schema):
    park_id = fields.String(required=True)
    period = fields.String(required=True)
    start_year = fields.Integer(required=True)
    end_year = fields.Integer(required=True)
    targets = fields.List(fields.Nested(ImplementationPlanTargetSchema), required=True)
    projects = fields.List(fields.Nested(ImplementationPlanProjectSchema), required=True)


class ImplementationPlanListSchema(ma.Schema):
    items = fields.List(fields.Nested(ImplementationPlanSchema), required=True)


def _section() -> fields.String:
    return fields.String(validate=validate.Length(max=MAX_SECTION_CHARS))


SectionsSchema = ma.Schema.from_dict({name: _section() for name in SECTIONS}, name="SubmissionSectionsSchema")


class AttachedFigureSchema(ma.Schema):
    name = Text(required=True)
    value = fields.Decimal(required=True, allow_nan=False, validate=_within(-MAX_FIGURE, MAX_FIGURE))
    unit = Text(required=True, max_length=40)
    note = fields.String(validate=validate.Length(max=1000))


class SubmissionBodySchema(ma.Schema):
    sections = fields.Nested(
        SectionsSchema,
        load_default=dict,
        metadata={"description": "进展 progress, 成效 results, 经验 experience, 困难 difficulties; all four to submit"},
    )
    attached_figures = fields.List(
        fields.Nested(AttachedFigureSchema), load_default=list, validate=validate.Length(max=50)
    )


class CheckpointCitedSchema(ma.Schema):
    size = fields.Integer(required=True, metadata={"description": "The ledger's first `size` entries"})
    root = fields.String(required=True, metadata={"description": "base64 RFC 9162 root hash at that size"})


class SubmissionSummarySchema(ma.Schema):
    park_id = fields.String(required=True)
    year = fields.Integer(required=True)
    version = fields.Integer(required=True)
    status = fields.String(required=True, validate=validate.OneOf([s.value for s in Status]))
    created_at = DateTime(required=True)
    updated_at = DateTime(required=True)
    submitted_at = DateTime(allow_none=True)
    checkpoint = fields.Nested(CheckpointCitedSchema, allow_none=True)


class AttachedFigureOutSchema(AttachedFigureSchema):
    value = fields.String(required=True)


class SubmissionSchema(SubmissionSummarySchema):
    sections = fields.Nested(SectionsSchema, required=True)
    attached_figures = fields.List(fields.Nested(AttachedFigureOutSchema), required=True)
    figures = fields.Dict(
        required=True,
        metadata={"description": "Filled in from the ledger when submitted: indicators, rates, progress, projects"},
    )


class SubmissionListSchema(ma.Schema):
    park_id = fields.String(required=True)
    year = fields.Integer(required=True)
    current = fields.Integer(allow_none=True, metadata={"description": "The version in force (submitted last)"})
    versions = fields.List(fields.Nested(SubmissionSummarySchema), required=True)


class SubmissionArgsSchema(ma.Schema):
    format = fields.String(load_default="json", validate=validate.OneOf(["json", "csv", "docx"]))


class ProvinceReportSchema(ma.Schema):
    province = fields.String(required=True)
    year = fields.Integer(required=True)
    parks = fields.List(fields.Dict(), required=True, metadata={"description": "Each park with what it submitted"})
    totals = fields.Dict(required=True, metadata={"description": "Amounts added up over the parks that submitted"})
    rates_note = fields.String(required=True)
    not_submitted = fields.List(fields.String(), required=True)
    lagging = fields.List(fields.String(), required=True, metadata={"description": "Parks behind a target"})


class ProvincePeriodSchema(ma.Schema):
    province = fields.String(required=True)
    period = fields.String(required=True)
    parks = fields.List(fields.Dict(), required=True)
    totals = fields.Dict(required=True)
    rates_note = fields.String(required=True)
    incomplete = fields.List(fields.String(), required=True, metadata={"description": "Parks missing a due year"})
