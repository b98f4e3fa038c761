"""Match endpoints: `GET /api/v1/offers/{id}/matches` and `GET /api/v1/wants/{id}/matches`."""

from __future__ import annotations

from flask import current_app
from flask.views import MethodView

from services.common.schemas import offset_limit
from services.common.web import Blueprint, current_principal
from services.matching.domain.criteria import MatchFilters
from services.matching.domain.scoring import WEIGHTS
from services.matching.service_layer.matches import find_matches

from .plans import blp as plans_blp
from .plans import suggestions_blp
from .schemas import MatchArgsSchema, MatchPageSchema
from .webhooks import blp as webhooks_blp

FORMULA = (
    "score = Σ weight × component; components are decay functions: distance (gauss on great-circle km), "
    "quantity (min/max ratio), temperature margin (heat), reuse category fit (water). Weights: "
    + "; ".join(f"{k}: " + ", ".join(f"{n} {w}" for n, w in v.items()) for k, v in WEIGHTS.items())
)


def summary(doc) -> dict:
    return {
        "id": doc.id,
        "side": doc.side,
        "kind": doc.kind,
        "title": doc.title,
        "enterprise_id": doc.enterprise_id,
        "park_id": doc.park_id,
        "location": {"lat": doc.lat, "lon": doc.lon},
        "codes": list(doc.codes),
        "hazardous": doc.hazardous,
    }


def matches_blueprint(side: str) -> Blueprint:
    blp = Blueprint(
        f"{side}-matches",
        __name__,
        url_prefix=f"/api/v1/{side}s",
        description=f"Ranked counterparts of an {side}" if side == "offer" else "Ranked counterparts of a want",
    )

    @blp.route("/<listing_id>/matches")
    class Matches(MethodView):
        @blp.arguments(MatchArgsSchema, location="query")
        @blp.response(200, MatchPageSchema)
        @blp.alt_response(404, description="No such listing whose matches the caller may see")
        def get(self, args, listing_id):
            filters = MatchFilters(
                codes=tuple(args["codes"]) if args.get("codes") else None,
                park_ids=tuple(args["park_ids"]) if args.get("park_ids") else None,
                max_distance_km=args.get("max_distance_km"),
                min_score=args["min_score"],
            )
            offset, limit = offset_limit(args)
            source, hits = find_matches(
                current_app.extensions["parkloop.matching"],
                current_principal(),
                side,
                listing_id,
                filters,
                offset,
                limit,
            )
            items = [
                {
                    "listing": summary(h.doc),
                    "score": round(h.score.total, 6),
                    "distance_km": round(h.distance_km, 3),
                    "components": {n: {k: round(v, 6) for k, v in c.items()} for n, c in h.score.components.items()},
                }
                for h in hits
            ]
            return {
                "source": summary(source),
                "items": items,
                "page": args["page"],
                "page_size": args["page_size"],
                "formula": FORMULA,
            }

    Matches.get.__doc__ = f"Rank the counterparts of this {side}, with every score explained"
    return blp


BLUEPRINTS = [matches_blueprint("offer"), matches_blueprint("want"), webhooks_blp, plans_blp, suggestions_blp]
