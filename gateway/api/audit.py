"""The audit trail: who changed what through the gateway. Admins read all of it, park managers
the calls made by their park's keys. Reading it is not recorded (only writes are)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import marshmallow as ma
from flask import Response, current_app, g, stream_with_context
from flask.views import MethodView
from marshmallow import fields, validate

from gateway.domain.audit import MAX_PATH, WRITE_METHODS, AuditQuery, AuditRecord
from gateway.service_layer import audit
from services.common.identity import Role
from services.common.schemas import DateTime, Int, PageArgsSchema, offset_limit, page_of, paged
from services.common.web import Blueprint

blp = Blueprint("audit", __name__, url_prefix="/api/v1", description="Who changed what, and when")

CSV_COLUMNS = (
    "id",
    "at",
    "key_id",
    "role",
    "park_id",
    "enterprise_id",
    "method",
    "path",
    "resource_id",
    "status",
    "channel",
)


class AuditFilterSchema(ma.Schema):
    since = fields.AwareDateTime(metadata={"description": "From this moment (inclusive), with its zone"})
    until = fields.AwareDateTime(metadata={"description": "Before this moment (exclusive), with its zone"})
    key_id = fields.String(validate=validate.Length(max=36))
    role = fields.String(validate=validate.OneOf([r.value for r in Role]))
    park_id = fields.String(validate=validate.Length(max=36), metadata={"description": "Admins only"})
    enterprise_id = fields.String(validate=validate.Length(max=36))
    method = fields.String(validate=validate.OneOf(sorted(WRITE_METHODS)))
    path_prefix = fields.String(
        validate=validate.Length(min=1, max=MAX_PATH), metadata={"description": "e.g. /api/v1/offers"}
    )
    resource_id = fields.String(validate=validate.Length(max=100))
    status = Int(100, 599)
    failed = fields.Boolean(metadata={"description": "true: answers 400 and above only; false: the others"})
    channel = fields.String(validate=validate.OneOf(["api", "console"]))

    @ma.validates_schema
    def _range(self, data, **kwargs):
        if data.get("since") and data.get("until") and data["since"] >= data["until"]:
            raise ma.ValidationError("must be after `since`", "until")


class AuditArgsSchema(AuditFilterSchema, PageArgsSchema):
    pass


class AuditRecordSchema(ma.Schema):
    id = fields.Integer(required=True, metadata={"description": "Increases in the order records were appended"})
    at = DateTime(required=True)
    key_id = fields.String(required=True)
    role = fields.String(required=True)
    park_id = fields.String(allow_none=True)
    enterprise_id = fields.String(allow_none=True)
    method = fields.String(required=True)
    path = fields.String(required=True)
    resource_id = fields.String(allow_none=True)
    status = fields.Integer(required=True)
    channel = fields.String(required=True, metadata={"description": "api (a key) or console (a signed-in person)"})


AuditPageSchema = page_of(AuditRecordSchema, "AuditPageSchema")


def gateway():
    return current_app.extensions["parkloop.gateway"]


def _query(args: dict) -> AuditQuery:
    names = AuditQuery.__dataclass_fields__
    given = {k: v for k, v in args.items() if k in names}
    if "role" in given:
        given["role"] = Role(given["role"])
    return AuditQuery(**given)


def _as_dict(record: AuditRecord) -> dict:
    return {**record.__dict__, "role": record.role.value}


def csv_lines(records: Iterator[AuditRecord]) -> Iterator[str]:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for record in records:
        row = _as_dict(record)
        row["at"] = record.at.isoformat()
        writer.writerow(["" if row[c] is None else row[c] for c in CSV_COLUMNS])
        yield out.getvalue()
        out.seek(0)
        out.truncate()
    yield out.getvalue()


@blp.route("/audit")
class Audit(MethodView):
    @blp.arguments(AuditArgsSchema, location="query")
    @blp.response(200, AuditPageSchema)
    @blp.alt_response(403, description="Enterprises, and park managers asking for another park")
    def get(self, args):
        """The audit trail, newest first, with filters"""
        found, total = audit.read_trail(gateway(), g.principal, _query(args), *offset_limit(args))
        return paged([_as_dict(r) for r in found], total, args)


@blp.route("/audit.csv")
class AuditCsv(MethodView):
    @blp.arguments(AuditFilterSchema, location="query")
    @blp.response(200, description="Every matching record, oldest first, without paging", content_type="text/csv")
    @blp.alt_response(403, description="Enterprises, and park managers asking for another park")
    def get(self, args):
        """The audit trail as CSV, with the same filters"""
        records = audit.export_trail(gateway(), g.principal, _query(args))
        return Response(
            stream_with_context(csv_lines(records)),
            mimetype="text/csv",
            headers={"Content-Disposition": 'attachment; filename="parkloop-audit.csv"'},
        )
