"""Ranked counterparts for one listing, explained."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from services.common.errors import NotFound
from services.common.identity import Principal
from services.matching.adapters.search import AbstractSearchIndex, Hit, Query
from services.matching.adapters.store import MatchingStore
from services.matching.domain.access import may_see_matches
from services.matching.domain.criteria import MatchFilters, criteria_for
from services.matching.domain.documents import ListingDoc
from services.matching.domain.scoring import components_for

DEFAULT_DELTA_T_MIN_K = 10.0


@dataclass
class MatchingContext:
    store: MatchingStore
    search: AbstractSearchIndex
    delta_t_min_k: float = DEFAULT_DELTA_T_MIN_K
    today: Callable[[], date] = date.today


def ranked_matches(
    ctx: MatchingContext, source: ListingDoc, filters: MatchFilters, offset: int = 0, limit: int = 20
) -> list[Hit]:
    q = _query(ctx, source, filters, offset, limit)
    return ctx.search.search(q.criteria, q.components, q.min_score, q.offset, q.limit)


def ranked_matches_many(
    ctx: MatchingContext, sources: Sequence[ListingDoc], filters: MatchFilters, offset: int = 0, limit: int = 20
) -> list[list[Hit]]:
    """`ranked_matches` of each source, asked of the index together (few requests on the engines)."""
    return ctx.search.search_many([_query(ctx, source, filters, offset, limit) for source in sources])


def _query(ctx: MatchingContext, source: ListingDoc, filters: MatchFilters, offset: int, limit: int) -> Query:
    criteria = criteria_for(source, filters, ctx.today(), ctx.delta_t_min_k)
    return Query(criteria, components_for(source, ctx.delta_t_min_k), filters.min_score, offset, limit)


def find_matches(
    ctx: MatchingContext, p: Principal, side: str, listing_id: str, filters: MatchFilters, offset: int, limit: int
) -> tuple[ListingDoc, list[Hit]]:
    source = ctx.store.get(listing_id)
    if source is None or source.side != side or not may_see_matches(p, source):
        raise NotFound(f"no {side} {listing_id} whose matches you may see (new listings appear within seconds)")
    return source, ranked_matches(ctx, source, filters, offset, limit)
