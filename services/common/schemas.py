"""Marshmallow building blocks every service's API uses, so each rule is written once."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from .geo import LATITUDE_RANGE, LONGITUDE_RANGE

MAX_PAGE = 100_000
MAX_PAGE_SIZE = 200
# Integers are stored in INTEGER columns, 32-bit on PostgreSQL: every integer the API accepts fits one.
COLUMN_INT_MAX = 2**31 - 1
ID_LENGTH = 36  # ids are UUIDs, kept in VARCHAR(36) columns
NUMBER_LIMIT = 1e15
_within_number_limit = validate.Range(min=-NUMBER_LIMIT, max=NUMBER_LIMIT)


def has_control_characters(value: str) -> bool:
    # NUL and other control characters break PostgreSQL text and every log line.
    return any(ord(ch) < 32 and ch not in "\t\n" for ch in value)


def _printable(value: str) -> None:
    if has_control_characters(value):
        raise ma.ValidationError("must not contain control characters")


def Text(max_length: int = 200, **kwargs) -> fields.String:
    """A user-supplied string: non-empty, bounded, printable."""
    return fields.String(validate=[validate.Length(min=1, max=max_length), _printable], **kwargs)


def Int(min: int = 0, max: int = COLUMN_INT_MAX, **kwargs) -> fields.Integer:  # noqa: A002
    """An integer the API accepts: bounded, so that it fits the column that stores or filters it."""
    if not -COLUMN_INT_MAX - 1 <= min <= max <= COLUMN_INT_MAX:
        raise ValueError(f"[{min}, {max}] does not fit a 32-bit INTEGER column")
    return fields.Integer(validate=validate.Range(min=min, max=max), **kwargs)


def Id(**kwargs) -> fields.String:
    """An id the caller names (a park, an enterprise): no longer than the column that stores or filters it."""
    return fields.String(validate=validate.Length(max=ID_LENGTH), **kwargs)


def Number(validate=(), **kwargs) -> fields.Float:
    """A finite number no larger than any quantity here can be (1e15 t, MW, 万元…): a bigger one is a
    mistake or a probe, and beyond 2**53 a double no longer holds every integer."""
    bounds = validate if isinstance(validate, list | tuple) else [validate]
    return fields.Float(allow_nan=False, validate=[_within_number_limit, *bounds], **kwargs)


class WholeSchema(ma.Schema):
    """A value replaced as a whole: a partial update of its parent (PATCH) never makes its
    own fields optional, so `{"location": {"lat": 1}}` is refused rather than half-applied."""

    def load(self, data, *, many=None, partial=None, unknown=None):
        return super().load(data, many=many, partial=False, unknown=unknown)


class LocationSchema(WholeSchema):
    lat = Number(required=True, validate=validate.Range(*LATITUDE_RANGE))
    lon = Number(required=True, validate=validate.Range(*LONGITUDE_RANGE))


class PageArgsSchema(ma.Schema):
    page = Int(1, MAX_PAGE, load_default=1)
    page_size = Int(1, MAX_PAGE_SIZE, load_default=20)


class PageSchema(ma.Schema):
    page = fields.Integer(required=True)
    page_size = fields.Integer(required=True)
    total = fields.Integer(required=True)


def page_of(item_schema: type[ma.Schema], name: str) -> type[ma.Schema]:
    """A paginated response schema (`{items, page, page_size, total}`) named for OpenAPI."""
    return type(name, (PageSchema,), {"items": fields.List(fields.Nested(item_schema), required=True)})


def paged(items: list, total: int, args: dict) -> dict:
    return {"items": items, "page": args["page"], "page_size": args["page_size"], "total": total}


def offset_limit(args: dict) -> tuple[int, int]:
    return (args["page"] - 1) * args["page_size"], args["page_size"]


class Date(fields.Date):
    """An ISO date that domain dicts may already hold as a string (as events carry it)."""

    def _serialize(self, value, attr, obj, **kwargs):
        return value if isinstance(value, str) else super()._serialize(value, attr, obj, **kwargs)


class DateTime(fields.DateTime):
    """An ISO date-time that domain dicts may already hold as a string."""

    def _serialize(self, value, attr, obj, **kwargs):
        return value if isinstance(value, str) else super()._serialize(value, attr, obj, **kwargs)
