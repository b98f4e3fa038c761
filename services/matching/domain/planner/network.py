"""The flow network of a plan: the active listings as nodes and every offer → want pair that passes
matching's hard filters as an arc, each with its great-circle distance and its gains per unit.

An arc exists only where `Criteria.accepts` (criteria.py, the legality gate included) says the want
may receive from the offer, exactly as matching would rank it; the planner only adds the heat
pipeline's maximum length. Which wants are asked comes from an index on the criteria's own fields
(codes, media, reuse rank, and each offer's bounding box), a superset of what `accepts` lets
through, as the search engines' filters are: `accepts` has the last word.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from services.common.geo import Location, bounding_box, distance_km
from services.matching.domain.criteria import Criteria, MatchFilters, criteria_for, is_hazardous_code
from services.matching.domain.documents import ListingDoc


@dataclass(frozen=True)
class NetworkSettings:
    heat_pipeline_max_km: float = 15.0  # heat travels kilometres, not hundreds
    delta_t_min_k: float = 10.0


@dataclass(frozen=True)
class Arc:
    offer: int  # index into Network.offers
    want: int  # index into Network.wants
    km: float
    gains: dict[str, float]  # indicator → gain a year per unit of flow


@dataclass
class Network:
    offers: list[ListingDoc]
    wants: list[ListingDoc]
    arcs: list[Arc]
    criteria: list[Criteria] = field(repr=False)  # each offer's, as matching derives it
    index: WantIndex = field(repr=False)
    settings: NetworkSettings = NetworkSettings()


def kind_key(doc: ListingDoc) -> tuple[str, bool]:
    """Which unit gains price a flow out of this offer (gains.unit_gains keys)."""
    return doc.kind, doc.kind == "material" and any(is_hazardous_code(c) for c in doc.codes)


def reach_km(offer: ListingDoc, want: ListingDoc, settings: NetworkSettings) -> float:
    """How far this pair may be apart at most: both listings' limits, and the pipeline's for heat."""
    limit = min(offer.max_distance_km, want.max_distance_km)
    return min(limit, settings.heat_pipeline_max_km) if offer.kind == "heat" else limit


def radius_km(offer: ListingDoc, settings: NetworkSettings) -> float:
    return min(offer.max_distance_km, settings.heat_pipeline_max_km) if offer.kind == "heat" else offer.max_distance_km


def build_network(
    docs: Iterable[ListingDoc],
    today: date,
    settings: NetworkSettings,
    gains: dict[tuple[str, bool], dict[str, float]],
) -> Network:
    active = sorted((d for d in docs if d.status == "active"), key=lambda d: d.id)
    offers = [d for d in active if d.side == "offer"]
    wants = [d for d in active if d.side == "want"]
    criteria = [criteria_for(o, MatchFilters(), today, settings.delta_t_min_k) for o in offers]
    index = WantIndex(wants)
    arcs = []
    for i, offer in enumerate(offers):
        here = Location(offer.lat, offer.lon)
        for j, want in index.candidates(criteria[i], here, radius_km(offer, settings)):
            km = distance_km(here, index.places[j])
            if km <= reach_km(offer, want, settings) and criteria[i].accepts(want, km):
                arcs.append(Arc(i, j, km, gains[kind_key(offer)]))
    return Network(offers, wants, arcs, criteria, index, settings)


class WantIndex:
    """Wants by (kind, code) for materials, (kind, medium) for heat, kind alone for water; each bucket
    sorted by latitude, so a bounding box is two bisections."""

    def __init__(self, wants: list[ListingDoc], only: set[int] | None = None):
        """`only`: index just these wants (by their index in `wants`)."""
        self.places = [Location(w.lat, w.lon) for w in wants]
        buckets: dict[tuple[str, str | None], list[tuple[int, ListingDoc]]] = defaultdict(list)
        for j, want in enumerate(wants):
            if only is not None and j not in only:
                continue
            keys = want.codes if want.kind == "material" else (want.medium,) if want.kind == "heat" else (None,)
            for key in keys:
                buckets[(want.kind, key)].append((j, want))
        self.buckets = {key: _ByLatitude(items) for key, items in buckets.items()}

    def candidates(self, criteria: Criteria, center: Location, radius: float | None) -> list[tuple[int, ListingDoc]]:
        """Every want `criteria` could accept within `radius` km of `center` (None: at any distance)."""
        keys: Iterable[str | None] | None = None
        if criteria.kind == "material" and criteria.codes_any is not None and not criteria.directed:
            keys = criteria.codes_any
        elif criteria.kind == "heat" and criteria.media is not None:
            keys = criteria.media
        buckets = (
            [b for (kind, _), b in self.buckets.items() if kind == criteria.kind]
            if keys is None
            else [b for key in keys if (b := self.buckets.get((criteria.kind, key))) is not None]
        )
        found = {j: doc for bucket in buckets for j, doc in bucket.near(center, radius)}
        if criteria.rank_max is not None:
            found = {
                j: doc for j, doc in found.items() if doc.reuse_rank is None or doc.reuse_rank <= criteria.rank_max
            }
        return sorted(found.items())


class _ByLatitude:
    """Listings sorted by latitude: those inside a circle's bounding box (services/common/geo), by bisection."""

    def __init__(self, items: list[tuple[int, ListingDoc]]):
        self.items = sorted(items, key=lambda item: item[1].lat)
        self.lats = [doc.lat for _, doc in self.items]

    def near(self, center: Location, radius_km: float | None) -> list[tuple[int, ListingDoc]]:
        if radius_km is None:
            return self.items
        min_lat, max_lat, min_lon, max_lon = bounding_box(center, radius_km)
        band = self.items[bisect_left(self.lats, min_lat) : bisect_right(self.lats, max_lat)]
        if min_lon >= -180 and max_lon <= 180:  # else the box wraps: distance alone decides
            band = [(j, doc) for j, doc in band if min_lon <= doc.lon <= max_lon]
        return band
