"""Listings as matching sees them, built through the listings domain itself (specs validated,
`Listing.to_dict` as events carry it, enterprises' licences as their events carry them), so
these tests follow production. Names, codes and places come from the demo park
(parkloop/demo_park.py): a coastal chemical park on the Lianyungang coast."""

from __future__ import annotations

from datetime import date

from parkloop.demo_park import ENTERPRISES
from services.common.geo import Location
from services.listings.domain.enterprises import Enterprise, HazardousWasteLicence
from services.listings.domain.listings import Listing, Terms
from services.listings.domain.reference import credit_code as gb32100
from services.listings.domain.reference.waste_codes import WasteCatalogue
from services.listings.domain.spec_dicts import spec_from_dict
from services.listings.domain.specs import Kind, Side
from services.matching.domain.documents import Licence, ListingDoc, licences_from_enterprise

CATALOGUE = WasteCatalogue.shipped()
TODAY = date(2026, 3, 1)
PARK = "park-haibin"
OTHER_PARK = "park-xuwei"

FLY_ASH = "441-001-S02"  # general industrial solid waste, class S02
FGD_GYPSUM = "441-002-S06"
WASTE_MINERAL_OIL = "900-249-08"  # hazardous, HW08
GEAR_OIL = "900-217-08"
HYDRAULIC_OIL = "900-218-08"
SPENT_SOLVENT = "900-404-06"

PLACES = {e["key"]: Location(**e["location"]) for e in ENTERPRISES}


def enterprise_id(key: str) -> str:
    return f"ent-{key}"


def spec_material_offer(
    code: str = FLY_ASH, amount: float = 1500, unit: str = "t", recurrence: str = "per_month", properties=()
) -> dict:
    return {
        "waste_code": code,
        "quantity": {"amount": amount, "unit": unit, "recurrence": recurrence},
        "properties": [{"name": n, "value": v, "unit": u} for n, v, u in properties],
    }


def spec_material_want(
    codes=(FLY_ASH,), amount: float = 1250, unit: str = "t", recurrence: str = "per_month", bounds=()
) -> dict:
    return {
        "waste_codes": list(codes),
        "quantity": {"amount": amount, "unit": unit, "recurrence": recurrence},
        "property_bounds": [{"name": n, "unit": u, "min": lo, "max": hi} for n, u, lo, hi in bounds],
    }


def spec_heat(
    medium: str = "hot_water", temperature_c: float = 92, power_mw: float = 8, pressure_mpa: float | None = None
) -> dict:
    return {
        "medium": medium,
        "temperature_c": temperature_c,
        "pressure_mpa": pressure_mpa,
        "thermal_power_mw": power_mw,
        "hours_per_day": 24,
        "days_per_year": 330,
    }


def spec_water_offer(category: str = "circulating_cooling", flow: float = 12000, parameters=()) -> dict:
    return {
        "reuse_category": category,
        "flow_m3_per_day": flow,
        "parameters": [{"name": n, "value": v, "unit": u} for n, v, u in parameters],
    }


def spec_water_want(category: str = "circulating_cooling", flow: float = 8000, bounds=()) -> dict:
    return {
        "reuse_category": category,
        "flow_m3_per_day": flow,
        "parameter_bounds": [{"name": n, "unit": u, "min": lo, "max": hi} for n, u, lo, hi in bounds],
    }


DEFAULT_SPECS = {
    ("offer", "material"): spec_material_offer,
    ("want", "material"): spec_material_want,
    ("offer", "heat"): spec_heat,
    ("want", "heat"): lambda: spec_heat(temperature_c=70, power_mw=3),
    ("offer", "water"): spec_water_offer,
    ("want", "water"): spec_water_want,
}


def make_listing(
    side: str,
    kind: str,
    spec: dict | None = None,
    *,
    owner: str = "power",
    listing_id: str | None = None,
    park_id: str = PARK,
    location: Location | None = None,
    max_distance_km: float = 50.0,
    available_from: date = date(2026, 1, 1),
    available_until: date | None = None,
    title: str | None = None,
) -> Listing:
    """A valid, active listing (the listings domain checks the spec as the API would)."""
    side_, kind_ = Side(side), Kind(kind)
    spec = spec if spec is not None else DEFAULT_SPECS[(side, kind)]()
    terms = Terms(
        title or f"{owner} {kind} {side}",
        location or PLACES.get(owner, PLACES["power"]),
        max_distance_km,
        available_from,
        available_until,
    )
    listing = Listing(
        listing_id or f"{side}-{owner}-{kind}",
        side_,
        kind_,
        enterprise_id(owner),
        park_id,
        terms,
        spec_from_dict(kind_, side_, spec, CATALOGUE),
    )
    return listing


def make_doc(
    side: str, kind: str, spec: dict | None = None, *, licences: tuple[Licence, ...] = (), **kwargs
) -> ListingDoc:
    """The matching document of a fresh listing, from the dict its events carry."""
    return ListingDoc.from_listing(make_listing(side, kind, spec, **kwargs).to_dict(), licences)


def credit_code(n: int) -> str:
    body = f"MA1HB{n:03d}"
    return gb32100.company_credit_code("320703", body)


def hw_licence(
    *codes: str,
    valid_from: date = date(2024, 3, 1),
    valid_until: date = date(2029, 2, 28),
    number: str = "JSLYG0707OOD001-1",
) -> HazardousWasteLicence:
    return HazardousWasteLicence(number, tuple(codes), 30000, valid_from, valid_until)


def register_enterprise(key: str, licences=(), n: int = 8, park_id: str = PARK) -> Enterprise:
    """An enterprise of the demo park, registered through the domain (one EnterpriseRegistered event)."""
    demo = next(e for e in ENTERPRISES if e["key"] == key)
    enterprise = Enterprise.register(
        park_id, demo["name"], credit_code(n), demo["industry_code"], PLACES[key], list(licences), {}, CATALOGUE
    )
    enterprise.id = enterprise_id(key)
    return enterprise


def licences(*codes: str, valid_from: date = date(2024, 3, 1), valid_until: date = date(2029, 2, 28)):
    """Matching's licences for an enterprise holding one licence for `codes`, as its event carries them."""
    return licences_from_enterprise(
        {"licences": [hw_licence(*codes, valid_from=valid_from, valid_until=valid_until).to_dict()]}
    )
