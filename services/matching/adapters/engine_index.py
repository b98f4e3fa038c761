"""The search adapter both engines share (Elasticsearch 9, OpenSearch 3): one class over a
client of either, sending the queries `engine_query.py` builds.

It makes only calls that both official clients accept (`body=`, `refresh=`), so
`elasticsearch_search.py` and `opensearch_search.py` only build a client. Nothing needs
`_reindex` or x-pack, which the engines run here lack.

The engine's filters are a superset of `Criteria.accepts` (the candidate's own distance limit
is only prefiltered by its reach box), so every hit is re-checked in Python and pages go on
with search_after until enough pass; the domain explains each score.

Upgrading an index made before the current mapping (`engine_query.SCHEMA`) happens in place:
the new fields are added to its mapping (an additive change both engines allow on a live
index), and until `parkloop matching reindex` has rebuilt it, queries also let through the
documents written before, which carry no reach box; results stay the same, only slower.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime

from services.common.errors import Unavailable
from services.common.geo import Location, distance_km
from services.matching.domain.criteria import Criteria
from services.matching.domain.documents import ListingDoc, doc_from_dict
from services.matching.domain.scoring import Decay, Score, score

from .engine_query import INDEX_SETTINGS, REACH_PROPERTIES, SCHEMA, build_query, index_body, indexed, stored
from .search import AbstractSearchIndex, Hit, Query

log = logging.getLogger(__name__)

DEFAULT_ALIAS = "parkloop-listings"

# Engine scores are float32: only a domain total further off than this is logged as a
# mismatch (the hit keeps the engine's total either way).
SCORE_MISMATCH_REL = 1e-4
# What an engine answers while it starts, recovers its shards or sheds load: worth a retry, not a bug.
ENGINE_BUSY = frozenset({429, 502, 503, 504})

# While an index awaits its rebuild, how often to look whether another process has rebuilt it.
UPGRADE_RECHECK_S = 30.0


def _superseded(op: str, status: int | None) -> bool:
    """A bulk item that failed only because the engine already holds what it would have written:
    a newer revision of the document (409 on index), or no document to delete (404)."""
    return (op == "index" and status == 409) or (op == "delete" and status == 404)


class EngineSearchIndex(AbstractSearchIndex):
    """The adapter over a client of either engine (both accept `body=` and `refresh=`).

    Queries go to an alias; `rebuild` loads a new concrete index `<alias>-<timestamp>` and
    swaps the alias in one atomic `_aliases` call, so searches never see an empty index.
    """

    PAGE_SLACK_MIN, PAGE_MAX, BULK_CHUNK = 5, 1000, 1000  # see _Paging; documents per bulk request
    MSEARCH_CHUNK = 50  # queries per msearch request: each may bring a page of up to PAGE_MAX documents

    def __init__(
        self,
        client,
        alias: str = DEFAULT_ALIAS,
        refresh: str | bool = True,
        outage: Callable[[Exception], bool] = lambda error: False,
    ):
        """`outage(error)`: whether a client's error means the engine cannot answer now (not a bad query)."""
        if alias != alias.lower():
            raise ValueError(f"index and alias names are lower case: {alias!r}")
        self.client = client
        self.outage = outage
        self.alias = alias
        # True: a write request refreshes the index once it is done, so what it wrote is found at once.
        # "wait_for" waited for the next scheduled refresh instead: up to a second per batch, during
        # which the worker could index nothing else (a burst of 1,000 waited about 14 s in all).
        self.refresh = refresh
        self._ready = False
        self._outdated = False  # an index behind the alias predates SCHEMA: see the module's note
        self._recheck_at = 0.0

    def ping(self) -> None:
        if not self.client.ping():
            raise ConnectionError("the search engine does not answer")

    # -- index lifecycle

    def _new_index_name(self) -> str:
        return f"{self.alias}-{datetime.now(UTC):%Y%m%d%H%M%S%f}"

    def concrete_indices(self) -> list[str]:
        if not self.client.indices.exists_alias(name=self.alias):
            return []
        return sorted(self.client.indices.get_alias(name=self.alias))

    def ensure_index(self) -> None:
        """Create a first concrete index behind the alias if there is none. Its name is fixed,
        so two processes starting together create it once (the loser's 400 is ignored).
        An existing index of an older schema is upgraded in place (`_upgrade`)."""
        if self._ready:
            if self._outdated and time.monotonic() >= self._recheck_at:
                self._upgrade()
            return
        if not self.concrete_indices():
            body = index_body()
            body["aliases"] = {self.alias: {}}
            try:
                self.client.indices.create(index=f"{self.alias}-initial", body=body)
            except Exception as exc:  # both clients' errors carry the HTTP status
                if getattr(exc, "status_code", None) != 400 or "resource_already_exists" not in str(exc):
                    raise
        self._upgrade()
        self._ready = True

    def _upgrade(self) -> None:
        """Give indices of an older schema the reach fields, so new writes carry them (the
        mapping is strict), and remember to let through the documents that do not."""
        mappings = self.client.indices.get_mapping(index=self.alias)
        outdated = sorted(
            name for name, found in mappings.items() if found["mappings"].get("_meta", {}).get("schema", 1) < SCHEMA
        )
        if outdated and not self._outdated:
            log.warning(
                "search index %s predates reach boxes: matching is slower until `parkloop matching reindex`",
                ", ".join(outdated),
            )
        for name in outdated:
            self.client.indices.put_mapping(index=name, body={"properties": REACH_PROPERTIES})
        self._outdated = bool(outdated)
        self._recheck_at = time.monotonic() + UPGRADE_RECHECK_S

    def drop(self) -> None:
        """Delete every index behind the alias (tests, teardown)."""
        for name in self.concrete_indices():
            self.client.indices.delete(index=name)
        self._ready = self._outdated = False

    # -- writes

    def _bulk(self, actions: list[dict], index: str, refresh) -> None:
        """Bulk requests of BULK_CHUNK documents; only the last one refreshes (one refresh per call)."""
        step = self.BULK_CHUNK * 2
        for start in range(0, len(actions), step):
            chunk = actions[start : start + step]
            last = start + step >= len(actions)
            response = self.client.bulk(body=chunk, index=index, refresh=refresh if last else False)
            if response["errors"]:
                failed = [
                    item
                    for item in response["items"]
                    for op, result in item.items()
                    if result.get("error") and not _superseded(op, result.get("status"))
                ]
                if failed:
                    raise RuntimeError(f"bulk request failed for {len(failed)} documents, first: {failed[0]}")

    @staticmethod
    def _index_actions(docs: Iterable[ListingDoc]) -> list[dict]:
        actions = []
        for doc in docs:
            # external_gte: the engine keeps the highest revision; the same one again (a redelivery) is accepted.
            actions += [
                {"index": {"_id": doc.id, "version": doc.revision, "version_type": "external_gte"}},
                indexed(doc),
            ]
        return actions

    def upsert(self, docs: Iterable[ListingDoc]) -> None:
        actions = self._index_actions(docs)
        if actions:
            self.ensure_index()
            self._bulk(actions, self.alias, self.refresh)

    def delete(self, ids: Iterable[str]) -> None:
        actions = [{"delete": {"_id": doc_id}} for doc_id in ids]
        if actions:
            self.ensure_index()
            self._bulk(actions, self.alias, self.refresh)

    def rebuild(self, docs: Iterable[ListingDoc]) -> int:
        """Load a new index, swap the alias atomically, then delete the old indices. Writes that
        reach the old index meanwhile are for the caller to carry over (`service_layer.projection.reindex`)."""
        name = self._new_index_name()
        body = index_body()
        body["settings"] = {**INDEX_SETTINGS, "refresh_interval": "-1"}  # faster bulk load
        self.client.indices.create(index=name, body=body)
        try:
            actions = self._index_actions(docs)
            self._bulk(actions, name, False)
            self.client.indices.put_settings(index=name, body={"index": {"refresh_interval": None}})
            self.client.indices.refresh(index=name)
            old = self.concrete_indices()
            self.client.indices.update_aliases(
                body={
                    "actions": [
                        *({"remove": {"index": o, "alias": self.alias}} for o in old),
                        {"add": {"index": name, "alias": self.alias}},
                    ]
                }
            )
        except Exception:
            self.client.indices.delete(index=name)
            raise
        for o in old:
            self.client.indices.delete(index=o)
        self._ready, self._outdated = True, False
        return len(actions) // 2

    # -- reads

    def search(
        self, criteria: Criteria, components: tuple[Decay, ...], min_score: float, offset: int, limit: int
    ) -> list[Hit]:
        query = Query(criteria, components, min_score, offset, limit)
        return self._answer(lambda: self._paged([query], self._send_each))[0]

    def search_many(self, queries: Sequence[Query]) -> list[list[Hit]]:
        """As `search` for each query, but each round of pages goes to the engine as `msearch`
        requests of MSEARCH_CHUNK queries: a batch's alerts cost a few round trips, not one each."""
        return self._answer(lambda: self._paged(queries, self._send_together))

    def _answer(self, ask: Callable[[], list[list[Hit]]]) -> list[list[Hit]]:
        try:
            return ask()
        except Exception as error:
            if self.outage(error) or (isinstance(error, SearchFailed) and error.status in ENGINE_BUSY):
                raise Unavailable("the search engine does not answer; try again shortly") from error
            raise

    def _paged(self, queries: Sequence[Query], send: Callable[[list[dict]], list[list[dict]]]) -> list[list[Hit]]:
        """Every query's pages, a round at a time: each round sends the next page of every query
        that still needs one (`send`: bodies -> each body's raw hits, in order)."""
        pagings = [_Paging(query, self.PAGE_SLACK_MIN, self.PAGE_MAX) for query in queries]
        pending = [paging for paging in pagings if not paging.done]
        if pending:
            self.ensure_index()
        while pending:
            bodies = [paging.body(self._outdated) for paging in pending]
            for paging, raw in zip(pending, send(bodies), strict=True):
                paging.take(raw)
            pending = [paging for paging in pending if not paging.done]
        return [paging.hits() for paging in pagings]

    def _send_each(self, bodies: list[dict]) -> list[list[dict]]:
        return [self.client.search(index=self.alias, body=body)["hits"]["hits"] for body in bodies]

    def _send_together(self, bodies: list[dict]) -> list[list[dict]]:
        raw: list[list[dict]] = []
        for start in range(0, len(bodies), self.MSEARCH_CHUNK):
            lines = [line for body in bodies[start : start + self.MSEARCH_CHUNK] for line in ({}, body)]
            for answer in self.client.msearch(index=self.alias, body=lines)["responses"]:
                if "error" in answer:  # one query's failure fails the call, as it would alone
                    raise SearchFailed(answer.get("status"), answer["error"])
                raw.append(answer["hits"]["hits"])
        return raw


class SearchFailed(Exception):
    """A query of an `msearch` that the engine answered with an error."""

    def __init__(self, status: int | None, error):
        super().__init__(f"search failed ({status}): {error}")
        self.status = status


class _Paging:
    """One query's pages: the engine's hits re-checked in Python (`_hit`), and search_after
    until enough pass or the engine has no more."""

    def __init__(self, query: Query, slack_min: int, page_max: int):
        self.query = query
        self.wanted = query.offset + query.limit
        # The reach box lets few candidates through that the re-check drops: a page is what is
        # wanted and a quarter more (at least `slack_min`), so the next page is seldom needed.
        self.page = min(self.wanted + max(self.wanted // 4, slack_min), page_max)
        self.origin = Location(*query.criteria.origin)
        self.accepted: list[Hit] = []
        self.after: list | None = None
        self.done = query.limit <= 0

    def body(self, unboxed_too: bool) -> dict:
        q = self.query
        return build_query(q.criteria, q.components, q.min_score, self.page, self.after, unboxed_too=unboxed_too)

    def take(self, raw: list[dict]) -> None:
        q = self.query
        for item in raw:
            hit = _hit(item, q.criteria, q.components, q.min_score, self.origin)
            if hit is not None:
                self.accepted.append(hit)
                if len(self.accepted) == self.wanted:
                    break
        self.done = len(self.accepted) >= self.wanted or len(raw) < self.page
        if not self.done:
            self.after = raw[-1]["sort"]

    def hits(self) -> list[Hit]:
        return self.accepted[self.query.offset : self.wanted]


def _hit(
    item: dict, criteria: Criteria, components: tuple[Decay, ...], min_score: float, origin: Location
) -> Hit | None:
    """The Python re-check (the candidate's own limit, and every other criterion for good
    measure); the domain explains the score, the engine's `_score` is its total."""
    doc = doc_from_dict(stored(item["_source"]))
    km = distance_km(origin, Location(doc.lat, doc.lon))
    if not criteria.accepts(doc, km):
        return None
    explained = score(components, doc, km)
    if explained.total < min_score:
        return None
    engine_total = float(item["_score"])
    if not math.isclose(engine_total, explained.total, rel_tol=SCORE_MISMATCH_REL, abs_tol=1e-6):
        log.warning("engine score %s differs from the domain's %s for %s", engine_total, explained.total, doc.id)
    return Hit(doc, Score(engine_total, explained.components), km)
