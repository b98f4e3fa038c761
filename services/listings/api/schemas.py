"""Request and response shapes of the listings API (documented in OpenAPI by flask-smorest).

Schemas check types, required fields and choices; the domain checks the rules (credit-code
check digits, waste codes, steam states…) so each rule has one home.
"""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from services.common.schemas import (
    Date,
    DateTime,
    Id,
    Int,
    LocationSchema,
    Number,
    PageArgsSchema,
    Text,
    WholeSchema,
    page_of,
)
from services.listings.domain.listings import Status
from services.listings.domain.parks import PROVINCES, ParkLevel, ParkType
from services.listings.domain.reference.water_reuse import ReuseCategory
from services.listings.domain.specs import HeatMedium, Kind, QuantityUnit, Recurrence


def Choice(enum, **kwargs):
    return fields.String(validate=validate.OneOf([m.value for m in enum]), **kwargs)


# --- parks -----------------------------------------------------------------------------


class BaselineSchema(ma.Schema):
    year = Int(2000, 2100, required=True)
    gdp_10k_cny = Number(required=True, validate=validate.Range(min=0), metadata={"description": "GDP, 万元"})
    energy_tce = Number(required=True, validate=validate.Range(min=0))
    water_m3 = Number(required=True, validate=validate.Range(min=0))
    solid_waste_generated_t = Number(required=True, validate=validate.Range(min=0))


class ParkCreateSchema(ma.Schema):
    name = Text(required=True)
    province = fields.String(required=True, validate=validate.OneOf(PROVINCES))
    level = Choice(ParkLevel, required=True)
    park_type = Choice(ParkType, required=True)
    centroid = fields.Nested(LocationSchema, required=True)
    baselines = fields.List(fields.Nested(BaselineSchema), load_default=list)


class ParkSchema(ParkCreateSchema):
    id = fields.String(required=True)
    baselines = fields.List(
        fields.Nested(BaselineSchema),
        metadata={"description": "Empty unless the caller administers or manages the park"},
    )


class ParkListSchema(ma.Schema):
    items = fields.List(fields.Nested(ParkSchema), required=True)


# --- enterprises -----------------------------------------------------------------------


class LicenceSchema(WholeSchema):
    number = Text(required=True, max_length=64)
    codes = fields.List(Text(max_length=16), required=True, validate=validate.Length(min=1, max=500))
    capacity_t_per_year = Number(required=True)
    valid_from = Date(required=True)
    valid_until = Date(required=True)


class ApprovalSchema(WholeSchema):
    """点对点 directed-utilisation approval (定向利用, hazardous-waste exemption list item 31)."""

    number = Text(required=True, max_length=64, metadata={"description": "Approval document number"})
    authority = Text(
        required=True,
        max_length=100,
        metadata={"description": "Approving department, e.g. the provincial department of ecology and environment"},
    )
    supplier_enterprise_id = Text(
        required=True, max_length=64, metadata={"description": "The registered enterprise this one may receive from"}
    )
    codes = fields.List(Text(max_length=16), required=True, validate=validate.Length(min=1, max=500))
    valid_from = Date(required=True)
    valid_until = Date(required=True)
    capacity_t_per_year = Number(allow_none=True, load_default=None)


class ContactSchema(ma.Schema):
    name = Text(max_length=100)
    phone = Text(max_length=40)
    email = fields.Email(validate=validate.Length(max=254))


class EnterpriseCreateSchema(ma.Schema):
    park_id = Id(metadata={"description": "Required for admins; an enterprise key registers in its own park"})
    name = Text(required=True)
    credit_code = fields.String(
        required=True,
        validate=validate.Length(max=40),
        metadata={"description": "Unified social credit code, GB 32100-2015"},
    )
    industry_code = fields.String(
        required=True, validate=validate.Length(max=10), metadata={"description": "GB/T 4754-2017, e.g. C2614"}
    )
    location = fields.Nested(LocationSchema, required=True)
    licences = fields.List(
        fields.Nested(LicenceSchema),
        load_default=list,
        validate=validate.Length(max=50),
        metadata={"description": "Hazardous-waste business licences"},
    )
    approvals = fields.List(
        fields.Nested(ApprovalSchema),
        load_default=list,
        validate=validate.Length(max=50),
        metadata={
            "description": "点对点 directed-utilisation approvals: receive the listed "
            "hazardous codes from one named supplier without a licence"
        },
    )
    contact = fields.Nested(ContactSchema, load_default=dict)


class EnterpriseUpdateSchema(EnterpriseCreateSchema):
    class Meta:
        exclude = ("park_id",)


class EnterpriseSchema(ma.Schema):
    id = fields.String(required=True)
    park_id = fields.String(required=True)
    name = fields.String(required=True)
    industry_code = fields.String(required=True)
    location = fields.Nested(LocationSchema, required=True)
    credit_code = fields.String(metadata={"description": "Private: the enterprise, its park's managers and admins"})
    licences = fields.List(fields.Nested(LicenceSchema), metadata={"description": "Private, as credit_code"})
    approvals = fields.List(fields.Nested(ApprovalSchema), metadata={"description": "Private, as credit_code"})
    contact = fields.Nested(ContactSchema, metadata={"description": "Private, as credit_code"})


class EnterpriseArgsSchema(PageArgsSchema):
    park_id = Id()


EnterprisePageSchema = page_of(EnterpriseSchema, "EnterprisePageSchema")


# --- listings --------------------------------------------------------------------------


class QuantitySchema(WholeSchema):
    amount = Number(required=True)
    unit = Choice(QuantityUnit, required=True)
    recurrence = Choice(Recurrence, required=True)


class MeasuredSchema(WholeSchema):
    name = Text(required=True, max_length=60)
    value = Number(required=True)
    unit = Text(required=True, max_length=20)


class BoundSchema(WholeSchema):
    name = Text(required=True, max_length=60)
    unit = Text(required=True, max_length=20)
    min = Number(allow_none=True)
    max = Number(allow_none=True)


class HeatSchema(ma.Schema):
    medium = Choice(HeatMedium, required=True)
    temperature_c = Number(required=True, metadata={"description": "Supply (offer) or required (want) temperature"})
    pressure_mpa = Number(allow_none=True, metadata={"description": "Absolute pressure; required for steam offers"})
    thermal_power_mw = Number(required=True)
    hours_per_day = Number(required=True)
    days_per_year = Int(1, 366, required=True)
    price_cny_per_gj = Number(allow_none=True)


_PRICE_T = {"price_cny_per_t": Number(allow_none=True, metadata={"description": "Negative: a gate fee"})}
_PRICE_M3 = {"price_cny_per_m3": Number(allow_none=True)}
_QUANTITY = {"quantity": fields.Nested(QuantitySchema, required=True)}
_MATERIAL = {
    "offer": {
        "waste_code": fields.String(required=True, validate=validate.Length(max=16)),
        "properties": fields.List(fields.Nested(MeasuredSchema), load_default=list),
        **_QUANTITY,
        **_PRICE_T,
    },
    "want": {
        "waste_codes": fields.List(
            fields.String(validate=validate.Length(max=16)), required=True, validate=validate.Length(min=1, max=100)
        ),
        "property_bounds": fields.List(fields.Nested(BoundSchema), load_default=list),
        **_QUANTITY,
        **_PRICE_T,
    },
}
_WATER = {
    "offer": {"parameters": fields.List(fields.Nested(MeasuredSchema), load_default=list)},
    "want": {"parameter_bounds": fields.List(fields.Nested(BoundSchema), load_default=list)},
}
_WATER_COMMON = {
    "reuse_category": Choice(ReuseCategory, required=True, metadata={"description": "GB/T 19923"}),
    "flow_m3_per_day": Number(required=True),
    **_PRICE_M3,
}


def _schema(name: str, fields_: dict, base=ma.Schema) -> type[ma.Schema]:
    return type(name, (base,), dict(fields_))


def listing_schemas(side: str) -> dict[str, type[ma.Schema]]:
    """The offer or want schemas; both sides share one definition and differ in these fields."""
    cap = side.capitalize()
    material = _schema(f"Material{cap}Schema", _MATERIAL[side])
    water = _schema(f"Water{cap}Schema", {**_WATER_COMMON, **_WATER[side]})
    common = {
        "title": Text(required=True),
        "location": fields.Nested(LocationSchema, metadata={"description": "Defaults to the enterprise's location"}),
        "max_distance_km": Number(required=True, metadata={"description": "Transport or pipeline limit"}),
        "available_from": Date(metadata={"description": "Defaults to today"}),
        "available_until": Date(allow_none=True),
        "material": fields.Nested(material),
        "heat": fields.Nested(HeatSchema),
        "water": fields.Nested(water),
    }
    create = _schema(
        f"{cap}CreateSchema",
        {
            **common,
            "kind": Choice(Kind, required=True),
            "enterprise_id": Id(metadata={"description": "Admins only"}),
        },
    )
    patch = _schema(f"{cap}PatchSchema", common)  # loaded with partial=True
    out_material = _schema(f"Material{cap}OutSchema", {**_MATERIAL[side], "hazardous": fields.Boolean(required=True)})
    out = _schema(
        f"{cap}Schema",
        {
            **common,
            "material": fields.Nested(out_material),
            "water": fields.Nested(water),
            "id": fields.String(required=True),
            "kind": Choice(Kind, required=True),
            "status": Choice(Status, required=True),
            "enterprise_id": fields.String(required=True),
            "park_id": fields.String(required=True),
            "location": fields.Nested(LocationSchema, required=True),
            "available_from": Date(required=True),
            "created_at": DateTime(required=True),
            "updated_at": DateTime(required=True),
            "version": fields.Integer(required=True),
            "distance_km": Number(metadata={"description": "From the query point, when one was given"}),
        },
    )
    return {"create": create, "patch": patch, "out": out, "page": page_of(out, f"{cap}PageSchema")}


class ListingArgsSchema(PageArgsSchema):
    kind = Choice(Kind)
    status = Choice(Status)
    code = fields.String(validate=validate.Length(max=16), metadata={"description": "A waste code"})
    park_id = Id()
    enterprise_id = Id()
    lat = Number(validate=validate.Range(-90, 90))
    lon = Number(validate=validate.Range(-180, 180))
    radius_km = Number(validate=validate.Range(min=0, max=20000), metadata={"description": "With lat and lon"})

    @ma.validates_schema
    def _point_and_radius_together(self, data, **kwargs):
        given = [k for k in ("lat", "lon", "radius_km") if k in data]
        if given and len(given) != 3:
            missing = sorted({"lat", "lon", "radius_km"} - set(given))
            raise ma.ValidationError("lat, lon and radius_km go together", field_name=missing[0])
