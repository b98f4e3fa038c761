"""Shapes of the ledger API."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from services.common.schemas import Int, PageArgsSchema, Text, page_of

KINDS = ("material", "heat", "water")


class EntryArgsSchema(PageArgsSchema):
    park_id = fields.String(validate=validate.Length(max=36))
    enterprise_id = fields.String(validate=validate.Length(max=36))
    year = Int(2000, 2100)
    kind = fields.String(validate=validate.OneOf(KINDS))
    code = fields.String(validate=validate.Length(max=16), metadata={"description": "Waste code (materials)"})


class EntryListItemSchema(ma.Schema):
    index = fields.Integer(required=True)
    leaf_hash = fields.String(required=True, metadata={"description": "base64 SHA-256(0x00 ‖ leaf data)"})
    entry = fields.Dict(
        required=True, metadata={"description": "The entry; GET /ledger/entries/{index} gives its exact bytes"}
    )


EntryPageSchema = page_of(EntryListItemSchema, "EntryPageSchema")


class RejectedEventSchema(ma.Schema):
    event_id = fields.String(required=True)
    type = fields.String(required=True)
    reason = fields.String(required=True, metadata={"description": "Every field that breaks the contract, and how"})
    rejected_at = fields.DateTime(required=True)
    event = fields.Dict(required=True, metadata={"description": "The event as it arrived (its envelope and payload)"})


RejectedEventPageSchema = page_of(RejectedEventSchema, "RejectedEventPageSchema")


class ProofArgsSchema(ma.Schema):
    tree_size = Int(1)


class InclusionProofSchema(ma.Schema):
    index = fields.Integer(required=True)
    tree_size = fields.Integer(required=True)
    hashes = fields.List(fields.String(), required=True, metadata={"description": "RFC 9162 path, leaf side first"})


class ConsistencyArgsSchema(ma.Schema):
    from_ = Int(1, required=True, data_key="from")
    to = Int(1, required=True)


class ConsistencyProofSchema(ma.Schema):
    from_ = fields.Integer(required=True, data_key="from")
    to = fields.Integer(required=True)
    hashes = fields.List(fields.String(), required=True)


class VerifyResultSchema(ma.Schema):
    ok = fields.Boolean(required=True)
    first_bad_index = fields.Integer(allow_none=True)
    kind = fields.String(allow_none=True)
    reason = fields.String(required=True)
    size = fields.Integer(required=True)


class ExportSchema(ma.Schema):
    origin = fields.String(required=True)
    entries = fields.List(fields.String(), required=True, metadata={"description": "base64 leaf data, in order"})
    leaf_hashes = fields.List(fields.String(), required=True)
    checkpoint = fields.String(required=True)
    checkpoints = fields.List(
        fields.String(),
        required=True,
        metadata={"description": "every signed checkpoint note, oldest first: they locate a rewritten entry"},
    )
    public_key = fields.String(required=True)


class CorrectionSchema(ma.Schema):
    corrects = Int(required=True)
    reason = Text(required=True, max_length=1000)


class CorrectionResultSchema(ma.Schema):
    index = fields.Integer(required=True)


class ReportArgsSchema(ma.Schema):
    format = fields.String(load_default="json", validate=validate.OneOf(["json", "csv"]))
