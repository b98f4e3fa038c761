"""Specs to and from plain dicts: the one shape shared by the API, the store and events."""

from __future__ import annotations

from services.common.errors import InvalidFields

from .reference.water_reuse import ReuseCategory
from .specs import (
    Bound,
    HeatMedium,
    HeatSpec,
    Kind,
    MaterialSpec,
    Measured,
    Quantity,
    QuantityUnit,
    Recurrence,
    Side,
    WaterSpec,
)

Spec = MaterialSpec | HeatSpec | WaterSpec


def _measures(items) -> tuple[Measured, ...]:
    return tuple(Measured(m["name"], float(m["value"]), m["unit"]) for m in items or ())


def _bounds(items) -> tuple[Bound, ...]:
    return tuple(Bound(b["name"], b["unit"], b.get("min"), b.get("max")) for b in items or ())


def spec_from_dict(kind: Kind, side: Side, data: dict, catalogue) -> Spec:
    """Build and validate a spec; errors name fields under the kind, e.g. `heat.pressure_mpa`."""
    try:
        if kind is Kind.MATERIAL:
            codes = [data["waste_code"]] if side is Side.OFFER else list(data.get("waste_codes") or [])
            q = data["quantity"]
            try:
                quantity = Quantity(float(q["amount"]), QuantityUnit(q["unit"]), Recurrence(q["recurrence"]))
            except ValueError as exc:
                raise InvalidFields.single("quantity.amount", str(exc).removeprefix("amount ")) from None
            return MaterialSpec.build(
                side,
                codes,
                quantity,
                _measures(data.get("properties")),
                _bounds(data.get("property_bounds")),
                data.get("price_cny_per_t"),
                catalogue,
            )
        if kind is Kind.HEAT:
            return HeatSpec.build(
                side,
                medium=HeatMedium(data["medium"]),
                temperature_c=float(data["temperature_c"]),
                thermal_power_mw=float(data["thermal_power_mw"]),
                hours_per_day=float(data["hours_per_day"]),
                days_per_year=int(data["days_per_year"]),
                pressure_mpa=data.get("pressure_mpa"),
                price_cny_per_gj=data.get("price_cny_per_gj"),
            )
        return WaterSpec.build(
            side,
            reuse_category=ReuseCategory(data["reuse_category"]),
            flow_m3_per_day=float(data["flow_m3_per_day"]),
            parameters=_measures(data.get("parameters")),
            parameter_bounds=_bounds(data.get("parameter_bounds")),
            price_cny_per_m3=data.get("price_cny_per_m3"),
        )
    except InvalidFields as exc:
        raise InvalidFields({f"{kind.value}.{field}": msgs for field, msgs in exc.errors.items()}) from None


def spec_to_dict(side: Side, spec: Spec) -> dict:
    if isinstance(spec, MaterialSpec):
        out = {
            "hazardous": spec.hazardous,
            "quantity": {
                "amount": spec.quantity.amount,
                "unit": spec.quantity.unit.value,
                "recurrence": spec.quantity.recurrence.value,
            },
            "price_cny_per_t": spec.price_cny_per_t,
        }
        if side is Side.OFFER:
            out.update(waste_code=spec.waste_codes[0], properties=[m.__dict__ for m in spec.properties])
        else:
            out.update(waste_codes=list(spec.waste_codes), property_bounds=[b.__dict__ for b in spec.property_bounds])
        return out
    if isinstance(spec, HeatSpec):
        return {
            "medium": spec.medium.value,
            "temperature_c": spec.temperature_c,
            "pressure_mpa": spec.pressure_mpa,
            "thermal_power_mw": spec.thermal_power_mw,
            "hours_per_day": spec.hours_per_day,
            "days_per_year": spec.days_per_year,
            "price_cny_per_gj": spec.price_cny_per_gj,
        }
    out = {
        "reuse_category": spec.reuse_category.value,
        "flow_m3_per_day": spec.flow_m3_per_day,
        "price_cny_per_m3": spec.price_cny_per_m3,
    }
    if side is Side.OFFER:
        out["parameters"] = [m.__dict__ for m in spec.parameters]
    else:
        out["parameter_bounds"] = [b.__dict__ for b in spec.parameter_bounds]
    return out


def waste_codes_of(spec: Spec) -> tuple[str, ...]:
    return spec.waste_codes if isinstance(spec, MaterialSpec) else ()


def restore_spec(kind: Kind, side: Side, data: dict) -> Spec:
    """Rebuild a stored spec without re-validating it: rules (and code tables) may have
    changed since it was accepted, and a stored listing must still load."""
    if kind is Kind.MATERIAL:
        q = data["quantity"]
        codes = (data["waste_code"],) if side is Side.OFFER else tuple(data["waste_codes"])
        return MaterialSpec(
            codes,
            data["hazardous"],
            Quantity(q["amount"], QuantityUnit(q["unit"]), Recurrence(q["recurrence"])),
            _measures(data.get("properties")),
            _bounds(data.get("property_bounds")),
            data.get("price_cny_per_t"),
        )
    if kind is Kind.HEAT:
        return HeatSpec(**{**data, "medium": HeatMedium(data["medium"])})
    return WaterSpec(
        ReuseCategory(data["reuse_category"]),
        data["flow_m3_per_day"],
        _measures(data.get("parameters")),
        _bounds(data.get("parameter_bounds")),
        data.get("price_cny_per_m3"),
    )
