"""Use cases of the listings service. Each takes the caller, plain data from the API, and a
unit of work; checks access (domain.access) and rules (domain); commits rows and events."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date

from services.common.errors import Conflict, FieldCollector, InvalidFields, NotFound
from services.common.geo import Location
from services.common.identity import Principal
from services.listings.adapters.repositories import ListingQuery, ListingsUnitOfWork
from services.listings.domain import access
from services.listings.domain.enterprises import DirectedUtilisationApproval, Enterprise, HazardousWasteLicence
from services.listings.domain.listings import Listing, Terms
from services.listings.domain.parks import Park, YearlyBaseline
from services.listings.domain.reference.waste_codes import WasteCatalogue
from services.listings.domain.spec_dicts import spec_from_dict, spec_to_dict
from services.listings.domain.specs import Kind, Side


@dataclass
class ListingsContext:
    """What the use cases need from the outside world, injected by the bootstrap."""

    uow: Callable[[], ListingsUnitOfWork]
    catalogue: WasteCatalogue
    today: Callable[[], date] = date.today


def _location(errors: FieldCollector, field: str, value: dict | None) -> Location | None:
    return None if value is None else errors.check(field, lambda v: Location(v["lat"], v["lon"]), value)


def _baseline(errors: FieldCollector, field: str, data: dict) -> YearlyBaseline | None:
    return errors.check(field, lambda d: YearlyBaseline(**d), data)


# --- parks -----------------------------------------------------------------------------


def create_park(ctx: ListingsContext, p: Principal, data: dict) -> Park:
    access.require_admin(p, "create parks")
    errors = FieldCollector()
    centroid = _location(errors, "centroid", data["centroid"])
    baselines = [_baseline(errors, f"baselines.{i}", b) for i, b in enumerate(data.get("baselines", []))]
    errors.raise_if_any()
    park = Park.create(data["name"], data["province"], data["level"], data["park_type"], centroid, baselines)
    with ctx.uow() as uow:
        uow.parks.add(park)
        uow.commit()
    return park


def get_park(ctx: ListingsContext, p: Principal, park_id: str) -> Park:
    with ctx.uow() as uow:
        park = uow.parks.get(park_id)
    if park is None:
        raise NotFound(f"no park {park_id}")
    return access.visible_park(p, park)


def list_parks(ctx: ListingsContext, p: Principal) -> list[Park]:
    with ctx.uow() as uow:
        parks = uow.parks.list(access.park_scope(p))
    return [access.visible_park(p, park) for park in parks]


def set_baseline(ctx: ListingsContext, p: Principal, park_id: str, data: dict) -> Park:
    access.require_admin(p, "set a park's yearly baseline")
    errors = FieldCollector()
    baseline = _baseline(errors, "", data)
    errors.raise_if_any()
    with ctx.uow() as uow:
        park = uow.parks.get(park_id)
        if park is None:
            raise NotFound(f"no park {park_id}")
        park.set_baseline(baseline)
        uow.parks.save(park)
        uow.commit()
    return park


# --- enterprises -----------------------------------------------------------------------


def _licences(errors: FieldCollector, items) -> list[HazardousWasteLicence]:
    licences = []
    for i, item in enumerate(items or []):
        lic = errors.check(
            f"licences.{i}",
            lambda d: HazardousWasteLicence(
                d["number"],
                tuple(c.strip() for c in d["codes"]),
                d["capacity_t_per_year"],
                d["valid_from"],
                d["valid_until"],
            ),
            item,
        )
        if lic is not None:
            licences.append(lic)
    return licences


def _approvals(errors: FieldCollector, items) -> list[DirectedUtilisationApproval]:
    approvals = []
    for i, item in enumerate(items or []):
        approval = errors.check(
            f"approvals.{i}",
            lambda d: DirectedUtilisationApproval(
                d["number"],
                d["authority"],
                d["supplier_enterprise_id"].strip(),
                tuple(c.strip() for c in d["codes"]),
                d["valid_from"],
                d["valid_until"],
                d.get("capacity_t_per_year"),
            ),
            item,
        )
        if approval is not None:
            approvals.append(approval)
    return approvals


def _with_known_suppliers(uow: ListingsUnitOfWork, approvals, build: Callable[[], Enterprise | None]):
    """Run the domain's own checks (`build`) and refuse, in the same 422, any approval whose
    supplier is not a registered enterprise."""
    errors = FieldCollector()
    result = errors.check("", build)
    for i, approval in enumerate(approvals):
        errors.require(
            f"approvals.{i}.supplier_enterprise_id",
            uow.enterprises.get(approval.supplier_enterprise_id) is not None,
            f"no enterprise {approval.supplier_enterprise_id}",
        )
    errors.raise_if_any()
    return result


def register_enterprise(ctx: ListingsContext, p: Principal, data: dict) -> Enterprise:
    park_id = data.get("park_id") or p.park_id
    if not park_id:
        raise InvalidFields.single("park_id", "an admin must name the park to register in")
    access.may_register_in(p, park_id)
    errors = FieldCollector()
    location = _location(errors, "location", data["location"])
    licences = _licences(errors, data.get("licences"))
    approvals = _approvals(errors, data.get("approvals"))
    errors.raise_if_any()
    with ctx.uow() as uow:
        enterprise = _with_known_suppliers(
            uow,
            approvals,
            lambda: Enterprise.register(
                park_id,
                data["name"],
                data["credit_code"],
                data["industry_code"],
                location,
                licences,
                data.get("contact"),
                ctx.catalogue,
                approvals,
            ),
        )
        if uow.parks.get(park_id) is None:
            raise InvalidFields.single("park_id", f"no park {park_id}")
        if uow.enterprises.credit_code_taken(enterprise.credit_code):
            raise Conflict(f"an enterprise with credit code {enterprise.credit_code} is already registered")
        uow.enterprises.add(enterprise)
        uow.commit()
    return enterprise


def get_enterprise(ctx: ListingsContext, p: Principal, enterprise_id: str) -> tuple[Enterprise, bool]:
    """The enterprise and whether the caller may see its private fields."""
    with ctx.uow() as uow:
        enterprise = uow.enterprises.get(enterprise_id)
    if enterprise is None or not access.enterprise_visible(p, enterprise):
        raise NotFound(f"no enterprise {enterprise_id}")
    return enterprise, access.sees_enterprise_in_full(p, enterprise)


def list_enterprises(ctx: ListingsContext, p: Principal, park_id: str | None, offset: int, limit: int):
    scope = access.enterprise_scope(p, park_id)
    if scope.nothing:
        return [], 0
    with ctx.uow() as uow:
        found, total = uow.enterprises.list(scope.park_id, offset, limit)
    return [(e, access.sees_enterprise_in_full(p, e)) for e in found], total


def update_enterprise(ctx: ListingsContext, p: Principal, enterprise_id: str, data: dict) -> Enterprise:
    errors = FieldCollector()
    changes = {k: v for k, v in data.items() if k in ("name", "credit_code", "industry_code", "contact")}
    if "location" in data:
        changes["location"] = _location(errors, "location", data["location"])
    if "licences" in data:
        changes["licences"] = _licences(errors, data["licences"])
    if "approvals" in data:
        changes["approvals"] = _approvals(errors, data["approvals"])
    errors.raise_if_any()
    with ctx.uow() as uow:
        enterprise = uow.enterprises.get(enterprise_id)
        if enterprise is None:
            raise NotFound(f"no enterprise {enterprise_id}")
        access.may_change_enterprise(p, enterprise)
        _with_known_suppliers(uow, changes.get("approvals", ()), lambda: enterprise.update(ctx.catalogue, **changes))
        if uow.enterprises.credit_code_taken(enterprise.credit_code, except_id=enterprise.id):
            raise Conflict(f"an enterprise with credit code {enterprise.credit_code} is already registered")
        uow.enterprises.save(enterprise)
        uow.commit()
    return enterprise


# --- listings --------------------------------------------------------------------------


def _terms_and_spec(ctx, side: Side, kind: Kind, data: dict, default_location: Location):
    errors = FieldCollector()
    location = _location(errors, "location", data.get("location")) or default_location
    if data.get(kind.value) is None:
        errors.require(kind.value, False, f"a {kind.value} {side.value} needs its `{kind.value}` details")
    for other in Kind:
        errors.require(
            other.value, other is kind or data.get(other.value) is None, f"does not belong on a {kind.value} listing"
        )
    errors.raise_if_any()
    terms = Terms(
        data["title"],
        location,
        data["max_distance_km"],
        data.get("available_from") or ctx.today(),
        data.get("available_until"),
    )
    return terms, spec_from_dict(kind, side, data[kind.value], ctx.catalogue)


def publish_listing(ctx: ListingsContext, p: Principal, side: Side, data: dict) -> Listing:
    enterprise_id = data.get("enterprise_id") or p.enterprise_id
    access.may_act_for(p, enterprise_id)
    if not enterprise_id:
        raise InvalidFields.single("enterprise_id", "an admin must name the enterprise the listing belongs to")
    kind = Kind(data["kind"])
    with ctx.uow() as uow:
        enterprise = uow.enterprises.get(enterprise_id)
        if enterprise is None:
            raise InvalidFields.single("enterprise_id", f"no enterprise {enterprise_id}")
        terms, spec = _terms_and_spec(ctx, side, kind, data, enterprise.location)
        listing = Listing.publish(side, kind, enterprise.id, enterprise.park_id, terms, spec)
        uow.listings.add(listing)
        uow.commit()
    return listing


def _owned_listing(uow, p: Principal, side: Side, listing_id: str) -> Listing:
    listing = uow.listings.get(listing_id, side)
    if listing is None or not access.listing_visible(p, listing):
        raise NotFound(f"no {side.value} {listing_id}")
    access.may_act_for(p, listing.enterprise_id)
    return listing


def edit_listing(ctx: ListingsContext, p: Principal, side: Side, listing_id: str, data: dict) -> Listing:
    with ctx.uow() as uow:
        listing = _owned_listing(uow, p, side, listing_id)
        t, kind = listing.terms, listing.kind.value
        merged = {
            "title": t.title,
            "location": t.location.to_dict(),
            "max_distance_km": t.max_distance_km,
            "available_from": t.available_from,
            "available_until": t.available_until,
            **{k: v for k, v in data.items() if k != kind},
            kind: {**spec_to_dict(side, listing.spec), **(data.get(kind) or {})},
        }
        terms, spec = _terms_and_spec(ctx, side, listing.kind, merged, listing.terms.location)
        listing.edit(terms, spec)
        uow.listings.save(listing)
        uow.commit()
    return listing


def change_status(ctx: ListingsContext, p: Principal, side: Side, listing_id: str, action: str) -> Listing:
    with ctx.uow() as uow:
        listing = _owned_listing(uow, p, side, listing_id)
        {"pause": listing.pause, "resume": listing.resume, "withdraw": listing.withdraw}[action]()
        uow.listings.save(listing)
        uow.commit()
    return listing


def get_listing(ctx: ListingsContext, p: Principal, side: Side, listing_id: str) -> Listing:
    with ctx.uow() as uow:
        listing = uow.listings.get(listing_id, side)
    if listing is None or not access.listing_visible(p, listing):
        raise NotFound(f"no {side.value} {listing_id}")
    return listing


def search_listings(ctx: ListingsContext, p: Principal, query: ListingQuery):
    if query.code:  # listings store canonical codes; `90024908` must find `900-249-08`
        errors = FieldCollector()
        waste = errors.check("code", ctx.catalogue.classify, query.code)
        errors.raise_if_any()
        query = replace(query, code=waste.code)
    with ctx.uow() as uow:
        return uow.listings.search(query, access.listing_scope(p))
