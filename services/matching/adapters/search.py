"""The search port: where matching keeps its index and asks for ranked candidates.

Three adapters keep one behaviour: `EmbeddedSearch` (the default, over the service's own
database), and the Elasticsearch and OpenSearch adapters, which share one query builder.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from services.matching.domain.criteria import Criteria
from services.matching.domain.documents import ListingDoc
from services.matching.domain.scoring import Decay, Score


@dataclass(frozen=True)
class Hit:
    doc: ListingDoc
    score: Score
    distance_km: float


@dataclass(frozen=True)
class Query:
    """One `search`'s arguments, for `search_many`."""

    criteria: Criteria
    components: tuple[Decay, ...]
    min_score: float
    offset: int
    limit: int


class AbstractSearchIndex(ABC):
    @abstractmethod
    def upsert(self, docs: Iterable[ListingDoc]) -> None: ...

    @abstractmethod
    def delete(self, ids: Iterable[str]) -> None: ...

    @abstractmethod
    def search(
        self, criteria: Criteria, components: tuple[Decay, ...], min_score: float, offset: int, limit: int
    ) -> list[Hit]:
        """Candidates passing every criterion, best score first (ties by id), from `offset`."""

    def search_many(self, queries: Sequence[Query]) -> list[list[Hit]]:
        """Each query's `search`, in order. Here one after another; the engines send them together."""
        return [self.search(q.criteria, q.components, q.min_score, q.offset, q.limit) for q in queries]

    @abstractmethod
    def ping(self) -> None:
        """Raises when the index cannot be reached (readiness)."""

    @abstractmethod
    def rebuild(self, docs: Iterable[ListingDoc]) -> int:
        """Replace the whole index with `docs` without a moment of empty results."""
