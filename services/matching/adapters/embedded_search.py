"""The embedded matcher: candidates from the service's own table, filtered and scored by the
domain's own criteria and score plan. The default; no search server needed.

Decoding a stored document costs far more than anything else here, so a search decodes only
what may rank. SQL narrows the candidates with the index on (side, kind, status, lat, lon) to
the criteria's bounding box, drops those whose own limit their latitude alone already exceeds
(a lower bound of the distance, checked inside the database rather than row by row in Python),
and applies the enterprise, park and code filters (`listing_codes`); each remaining row's
great-circle distance is checked against both limits and its score computed from its own
columns; only then, best first, are documents decoded, one at a time as the page needs them,
and held to `Criteria.accepts` until the page is full. The order is the same as scoring every accepted
document: the score does not depend on what `accepts` checks.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import sqlalchemy as sa

from services.common.geo import KM_PER_DEGREE_OF_LATITUDE, Location, bounding_box, distance_km
from services.matching.domain.criteria import Criteria
from services.matching.domain.documents import ListingDoc, doc_from_dict
from services.matching.domain.scoring import Decay, score

from .search import AbstractSearchIndex, Hit
from .tables import listing_codes, listing_docs

DECODE_MIN = 50  # documents fetched per round trip


@dataclass(frozen=True)
class _Row:
    """What a candidate is scored on before its document is decoded (the fields `score` reads)."""

    id: str
    km: float
    quantity: float
    temperature_c: float | None
    reuse_rank: int | None

    @property
    def log_quantity(self) -> float:
        return math.log(self.quantity)


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
        wanted = offset + limit
        if limit <= 0:
            return []
        ranked = []
        with self.engine.connect() as conn:
            for row in self._within_both_limits(conn, criteria):
                total = score(components, row, row.km).total
                if total >= min_score:
                    ranked.append((-total, row.id, row.km))
            ranked.sort()
            hits: list[Hit] = []
            for doc, km in self._decoded(conn, ranked):
                if criteria.accepts(doc, km):
                    hits.append(Hit(doc, score(components, doc, km), km))
                    if len(hits) == wanted:
                        break
        return hits[offset:wanted]

    @staticmethod
    def _within_both_limits(conn: sa.Connection, criteria: Criteria) -> Iterator[_Row]:
        c, t = criteria, listing_docs.c
        origin = Location(*c.origin)
        min_lat, max_lat, min_lon, max_lon = bounding_box(origin, c.max_distance_km)
        query = sa.select(t.id, t.lat, t.lon, t.max_distance_km, t.quantity, t.temperature_c, t.reuse_rank).where(
            t.side == c.side,
            t.kind == c.kind,
            t.status == "active",
            t.lat.between(min_lat, max_lat),
            t.enterprise_id != c.exclude_enterprise,
            # the candidate's own limit, by the latitude bound; the slack keeps rounding from dropping a row
            sa.func.abs(t.lat - origin.lat) * (KM_PER_DEGREE_OF_LATITUDE * (1 - 1e-9)) <= t.max_distance_km,
        )
        if min_lon >= -180 and max_lon <= 180:  # else the band wraps: let the exact test decide
            query = query.where(t.lon.between(min_lon, max_lon))
        if c.park_ids is not None:
            query = query.where(t.park_id.in_(c.park_ids))
        if c.codes_any is not None:
            code = listing_codes.c.code
            ways = [code.in_(c.codes_any)] + [sa.and_(t.enterprise_id == s, code == k) for s, k in c.directed]
            query = query.where(
                sa.exists().where(listing_codes.c.listing_id == t.id, sa.or_(*ways)),
            )
        for row in conn.execute(query):
            km = distance_km(origin, Location(row.lat, row.lon))
            if km <= c.max_distance_km and km <= row.max_distance_km:
                yield _Row(row.id, km, row.quantity, row.temperature_c, row.reuse_rank)

    @staticmethod
    def _decoded(conn: sa.Connection, ranked: list[tuple[float, str, float]]) -> Iterator[tuple[ListingDoc, float]]:
        """The ranked candidates' documents in rank order, fetched a batch at a time as text and
        each decoded only when the page reaches it."""
        size = DECODE_MIN
        as_text = sa.cast(listing_docs.c.doc, sa.Text)
        for start in range(0, len(ranked), size):
            batch = ranked[start : start + size]
            ids = [doc_id for _, doc_id, _ in batch]
            rows = conn.execute(sa.select(listing_docs.c.id, as_text).where(listing_docs.c.id.in_(ids)))
            docs = {doc_id: text for doc_id, text in rows}
            for _, doc_id, km in batch:
                yield doc_from_dict(json.loads(docs[doc_id])), km
