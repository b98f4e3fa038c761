"""A plan and a suggestion as they are stored and served: plain JSON, figures rounded for reading
(6 decimals), every unit named."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from services.matching.domain.documents import ListingDoc
from services.matching.domain.planner.gains import YEAR_UNITS
from services.matching.domain.planner.plan import UNITS, PlanResult

if TYPE_CHECKING:
    from .plans import PlanRequest

NOTE = "A suggestion from the park's plan: the two enterprises decide, and propose the exchange themselves."


def listing_summary(doc: ListingDoc) -> dict:
    return {
        "id": doc.id,
        "side": doc.side,
        "kind": doc.kind,
        "title": doc.title,
        "enterprise_id": doc.enterprise_id,
        "park_id": doc.park_id,
        "quantity": round(doc.quantity, 6),
        "unit": UNITS[doc.kind],
    }


def _figures(values: dict[str, float]) -> dict[str, float]:
    return {name: round(value, 6) for name, value in sorted(values.items())}


def plan_body(
    plan_id: str,
    parks: tuple[str, ...],
    inputs_at: datetime,
    created_at: datetime,
    request: PlanRequest,
    result: PlanResult,
    solver_name: str,
    seconds: float,
    today: date,
) -> dict:
    greedy = result.greedy_value
    over_greedy = (result.objective_value - greedy) / abs(greedy) * 100 if greedy else None
    settings = request.settings
    return {
        "id": plan_id,
        "park_id": parks[0],
        "park_ids": list(parks),
        "inputs_at": inputs_at.isoformat(),
        "created_at": created_at.isoformat(),
        "objective": request.objective.to_dict(),
        "settings": {
            "heat_pipeline_max_km": settings.network.heat_pipeline_max_km,
            "delta_t_min_k": settings.network.delta_t_min_k,
            "lots": dict(settings.lots),
            "heat_hours_per_year": request.assumptions.heat_hours_per_year,
            "heat_fuel": request.assumptions.heat_fuel,
        },
        "units": {**UNITS, "gains": "a year", "per_year": YEAR_UNITS},
        "assumptions": request.assumptions.texts(),
        "solver": {
            "name": solver_name,
            "status": result.solution.status,
            "optimal": result.solution.optimal,
            "mip_gap": result.solution.gap,
            "seconds": round(seconds, 3),
        },
        "listings": result.listings,
        "arcs": result.arcs,
        "objective_value": round(result.objective_value, 6),
        "totals": _figures(result.totals),
        "greedy": {"objective_value": round(greedy, 6), "totals": _figures(result.greedy_totals)},
        "gain_over_greedy_pct": round(over_greedy, 3) if over_greedy is not None else None,
        "ledger_report": f"/api/v1/parks/{parks[0]}/reports/{today.year}",
        "pairings": [
            {
                "offer": listing_summary(p.offer),
                "want": listing_summary(p.want),
                "kind": p.offer.kind,
                "quantity": round(p.quantity, 6),
                "unit": p.unit,
                "distance_km": round(p.km, 3),
                "per_year": {
                    "amount": round(p.quantity * float(request.assumptions.a_year(p.offer.kind)), 6),
                    "unit": YEAR_UNITS[p.offer.kind],
                },
                "gains": _figures(p.gains),
                "value": round(p.value, 6),
            }
            for p in result.pairings
        ],
        "unpaired": [
            {"listing": listing_summary(u.listing), "reason": u.reason, "detail": u.detail, "facts": u.facts}
            for u in result.unpaired
        ],
    }


def suggestion_body(suggestion_id: str, plan: dict, pairing: dict, now: datetime) -> dict:
    return {
        "id": suggestion_id,
        "plan_id": plan["id"],
        "park_id": plan["park_id"],
        "suggested_at": now.isoformat(),
        "offer": pairing["offer"],
        "want": pairing["want"],
        "kind": pairing["kind"],
        "quantity": pairing["quantity"],
        "unit": pairing["unit"],
        "distance_km": pairing["distance_km"],
        "per_year": pairing["per_year"],
        "gains": pairing["gains"],
        "note": NOTE,
    }
