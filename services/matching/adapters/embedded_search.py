"""The embedded matcher: candidates from the service's own table, filtered and scored by the
domain's own criteria and score plan. The default; no search server needed."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from services.common.geo import Location, bounding_box, distance_km
from services.matching.domain.criteria import Criteria
from services.matching.domain.documents import ListingDoc, doc_from_dict
from services.matching.domain.scoring import Decay, score

from .search import AbstractSearchIndex, Hit
from .tables import listing_docs


class EmbeddedSearch(AbstractSearchIndex):
    """Reads the document table the consumer maintains; upserts are that table's own writes."""

    def __init__(self, engine: sa.Engine):
        self.engine = engine

    def ping(self) -> None:
        """The index is the service's own database, which readiness checks already."""

    def upsert(self, docs: Iterable[ListingDoc]) -> None:
        """The documents table is the index: the consumer has written it already."""

    def delete(self, ids: Iterable[str]) -> None:
        """As upsert: nothing beyond the documents table."""

    def rebuild(self, docs: Iterable[ListingDoc]) -> int:
        return sum(1 for _ in docs)

    def search(
        self, criteria: Criteria, components: tuple[Decay, ...], min_score: float, offset: int, limit: int
    ) -> list[Hit]:
        origin = Location(*criteria.origin)
        min_lat, max_lat, min_lon, max_lon = bounding_box(origin, criteria.max_distance_km)
        query = sa.select(listing_docs.c.doc).where(
            listing_docs.c.side == criteria.side,
            listing_docs.c.kind == criteria.kind,
            listing_docs.c.status == "active",
            listing_docs.c.lat.between(min_lat, max_lat),
        )
        if min_lon >= -180 and max_lon <= 180:  # else the band wraps: let the exact test decide
            query = query.where(listing_docs.c.lon.between(min_lon, max_lon))
        with self.engine.connect() as conn:
            docs = [doc_from_dict(row.doc) for row in conn.execute(query)]
        hits = []
        for doc in docs:
            km = distance_km(origin, Location(doc.lat, doc.lon))
            if criteria.accepts(doc, km):
                result = score(components, doc, km)
                if result.total >= min_score:
                    hits.append(Hit(doc, result, km))
        hits.sort(key=lambda h: (-h.score.total, h.doc.id))
        return hits[offset : offset + limit]
