"""Thin views: parse with schemas, call a use case, shape the answer for the caller."""

from __future__ import annotations

from flask import current_app
from flask.views import MethodView

from services.common.geo import Location
from services.common.schemas import offset_limit, paged
from services.common.web import Blueprint, current_principal
from services.listings.adapters.repositories import ListingQuery
from services.listings.domain.listings import Status
from services.listings.domain.specs import Kind, Side
from services.listings.service_layer import handlers

from .exchanges import exchanges
from .schemas import (
    BaselineSchema,
    EnterpriseArgsSchema,
    EnterpriseCreateSchema,
    EnterprisePageSchema,
    EnterpriseSchema,
    EnterpriseUpdateSchema,
    ListingArgsSchema,
    ParkCreateSchema,
    ParkListSchema,
    ParkSchema,
    listing_schemas,
)

PUBLIC_ENTERPRISE_FIELDS = ("id", "park_id", "name", "industry_code", "location")


def ctx() -> handlers.ListingsContext:
    return current_app.extensions["parkloop.listings"]


parks = Blueprint("parks", __name__, url_prefix="/api/v1/parks", description="Industrial parks and their baselines")


@parks.route("")
class Parks(MethodView):
    @parks.arguments(ParkCreateSchema)
    @parks.response(201, ParkSchema)
    @parks.alt_response(403, description="Only admins create parks")
    @parks.alt_response(422, description="A field breaks a rule")
    def post(self, data):
        """Create a park (admins)"""
        return handlers.create_park(ctx(), current_principal(), data).to_dict()

    @parks.response(200, ParkListSchema)
    def get(self):
        """List the parks the caller can see"""
        return {"items": [p.to_dict() for p in handlers.list_parks(ctx(), current_principal())]}


@parks.route("/<park_id>")
class ParkById(MethodView):
    @parks.response(200, ParkSchema)
    @parks.alt_response(404, description="No such park")
    def get(self, park_id):
        """Read a park"""
        return handlers.get_park(ctx(), current_principal(), park_id).to_dict()


@parks.route("/<park_id>/baselines")
class ParkBaselines(MethodView):
    @parks.arguments(BaselineSchema)
    @parks.response(200, ParkSchema)
    @parks.alt_response(403, description="Only admins set baselines")
    @parks.alt_response(404, description="No such park")
    @parks.alt_response(422, description="A field breaks a rule")
    def put(self, data, park_id):
        """Set (or replace) a park's baseline for one year"""
        return handlers.set_baseline(ctx(), current_principal(), park_id, data).to_dict()


enterprises = Blueprint(
    "enterprises", __name__, url_prefix="/api/v1/enterprises", description="Enterprises, their licences and contacts"
)


def enterprise_view(enterprise, full: bool) -> dict:
    data = enterprise.to_dict()
    return data if full else {k: data[k] for k in PUBLIC_ENTERPRISE_FIELDS}


@enterprises.route("")
class Enterprises(MethodView):
    @enterprises.arguments(EnterpriseCreateSchema)
    @enterprises.response(201, EnterpriseSchema)
    @enterprises.alt_response(403, description="This key may not register here")
    @enterprises.alt_response(409, description="Credit code already registered, or the key already has an enterprise")
    @enterprises.alt_response(422, description="A field breaks a rule")
    def post(self, data):
        """Register an enterprise in a park"""
        return enterprise_view(handlers.register_enterprise(ctx(), current_principal(), data), True)

    @enterprises.arguments(EnterpriseArgsSchema, location="query")
    @enterprises.response(200, EnterprisePageSchema)
    def get(self, args):
        """List enterprises (private fields only where the caller may see them)"""
        found, total = handlers.list_enterprises(ctx(), current_principal(), args.get("park_id"), *offset_limit(args))
        return paged([enterprise_view(e, full) for e, full in found], total, args)


@enterprises.route("/<enterprise_id>")
class EnterpriseById(MethodView):
    @enterprises.response(200, EnterpriseSchema)
    @enterprises.alt_response(404, description="No such enterprise")
    def get(self, enterprise_id):
        """Read an enterprise"""
        return enterprise_view(*handlers.get_enterprise(ctx(), current_principal(), enterprise_id))

    @enterprises.arguments(EnterpriseUpdateSchema(partial=True))
    @enterprises.response(200, EnterpriseSchema)
    @enterprises.alt_response(403, description="Not this caller's enterprise")
    @enterprises.alt_response(404, description="No such enterprise")
    @enterprises.alt_response(409, description="Credit code already registered")
    @enterprises.alt_response(422, description="A field breaks a rule")
    def patch(self, data, enterprise_id):
        """Change an enterprise (itself or an admin)"""
        return enterprise_view(handlers.update_enterprise(ctx(), current_principal(), enterprise_id, data), True)


def listing_blueprint(side: Side) -> Blueprint:
    """Offers and wants have the same endpoints; only their schemas differ."""
    plural = f"{side.value}s"
    schemas = listing_schemas(side.value)
    blp = Blueprint(
        plural,
        __name__,
        url_prefix=f"/api/v1/{plural}",
        description=f"{side.value.capitalize()}s of materials, waste heat and reclaimed water",
    )

    @blp.route("")
    class Collection(MethodView):
        @blp.arguments(schemas["create"])
        @blp.response(201, schemas["out"])
        @blp.alt_response(403, description="The caller may not post for this enterprise")
        @blp.alt_response(422, description="A field breaks a rule")
        def post(self, data):
            return handlers.publish_listing(ctx(), current_principal(), side, data).to_dict()

        @blp.arguments(ListingArgsSchema, location="query")
        @blp.response(200, schemas["page"])
        def get(self, args):
            near = Location(args["lat"], args["lon"]) if "lat" in args else None
            query = ListingQuery(
                side=side,
                kind=Kind(args["kind"]) if "kind" in args else None,
                status=Status(args["status"]) if "status" in args else None,
                code=args.get("code"),
                park_id=args.get("park_id"),
                enterprise_id=args.get("enterprise_id"),
                near=near,
                radius_km=args.get("radius_km"),
                offset=offset_limit(args)[0],
                limit=offset_limit(args)[1],
            )
            found, total = handlers.search_listings(ctx(), current_principal(), query)
            items = [
                {**listing.to_dict(), **({"distance_km": round(d, 3)} if d is not None else {})} for listing, d in found
            ]
            return paged(items, total, args)

    Collection.post.__doc__ = f"Publish an {side.value}" if side is Side.OFFER else f"Publish a {side.value}"
    Collection.get.__doc__ = f"Search {plural} (kind, status, waste code, park, distance from a point)"

    @blp.route("/<listing_id>")
    class Item(MethodView):
        @blp.response(200, schemas["out"])
        @blp.alt_response(404, description="No such listing visible to the caller")
        def get(self, listing_id):
            return handlers.get_listing(ctx(), current_principal(), side, listing_id).to_dict()

        @blp.arguments(schemas["patch"](partial=True))
        @blp.response(200, schemas["out"])
        @blp.alt_response(403, description="Not the caller's listing")
        @blp.alt_response(404, description="No such listing visible to the caller")
        @blp.alt_response(409, description="The listing is withdrawn")
        @blp.alt_response(422, description="A field breaks a rule")
        def patch(self, data, listing_id):
            return handlers.edit_listing(ctx(), current_principal(), side, listing_id, data).to_dict()

    Item.get.__doc__ = f"Read one {side.value}"
    Item.patch.__doc__ = (
        f"Edit an {side.value} (its kind stays)" if side is Side.OFFER else "Edit a want (its kind stays)"
    )

    for action, summary in (("pause", "Pause"), ("resume", "Resume"), ("withdraw", "Withdraw (final)")):

        def change(listing_id, _action=action):
            return handlers.change_status(ctx(), current_principal(), side, listing_id, _action).to_dict()

        change.__doc__ = f"{summary} the {side.value}"
        change.__name__ = f"{action}_{side.value}"
        blp.route(f"/<listing_id>/{action}", methods=["POST"])(
            blp.alt_response(409, description="Not allowed from the current status")(
                blp.alt_response(404, description="No such listing visible to the caller")(
                    blp.alt_response(403, description="Not the caller's listing")(
                        blp.response(200, schemas["out"])(change)
                    )
                )
            )
        )
    return blp


BLUEPRINTS = [parks, enterprises, listing_blueprint(Side.OFFER), listing_blueprint(Side.WANT), exchanges]
