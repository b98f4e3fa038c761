"""The search port behaves the same on every adapter: the embedded matcher (the definition:
`Criteria.accepts` and the domain's score plan, in Python), Elasticsearch and OpenSearch.

One deterministic data set (parkloop/synthetic.py, ~4000 listings in 16 parks over
five provinces) is loaded once per adapter; 60 source listings (both sides, all kinds, some with
user filters) are matched on each, and the results held to the embedded matcher's:

- the same top-k ids in the same order, scores within 1e-4 relative (engines score in float32).
  Ties: consecutive embedded scores within 1e-6 of each other form a tie group, compared as a
  set (float32 may merge near-equal scores, which the engines then order by id); the group cut
  by the k-th place must contain the engine's last ids. Exactly equal scores order by id everywhere;
- no hit ever breaks `criteria.accepts(hit.doc, hit.distance_km)`, checked on its own;
- paging by offset is consistent, writes show within a request, and `rebuild` swaps without a
  moment of missing results.

Real engines: `infra/engines/up.sh` exports their addresses; each run uses its own alias and
deletes its indices afterwards.
"""

from __future__ import annotations

import math
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace

import pytest
import sqlalchemy as sa
from real_engines import engine_address

from parkloop.synthetic import TODAY, Case, Dataset, generate, sample_cases
from services.common.geo import EARTH_RADIUS_KM, Location, bounding_box, distance_km
from services.matching.adapters.embedded_search import EmbeddedSearch
from services.matching.adapters.engine_index import EngineSearchIndex
from services.matching.adapters.engine_query import SCHEMA
from services.matching.adapters.search import AbstractSearchIndex, Hit, Query
from services.matching.adapters.store import MatchingStore
from services.matching.adapters.tables import listing_codes, listing_docs, metadata
from services.matching.domain.criteria import MatchFilters, criteria_for
from services.matching.domain.documents import ListingDoc, doc_to_dict
from services.matching.domain.scoring import components_for
from services.matching.service_layer.projection import reindex

ADAPTERS = ["embedded", "elasticsearch", "opensearch"]
K = 20
EXTRA = 30  # the reference fetches beyond k to know the whole tie group at the k-th place
TIE = 1e-6
SCORE_REL = 1e-4
DELTA_T = 10


# ------------------------------------------------------------ adapters under test


@dataclass
class Backend:
    name: str
    index: AbstractSearchIndex
    put: Callable[[list[ListingDoc]], None]  # what the consumer does on an event
    remove: Callable[[list[str]], None]
    close: Callable[[], None]


def embedded_backend(path, docs: list[ListingDoc]) -> Backend:
    """EmbeddedSearch reads the tables the consumer writes: write them as the consumer does."""
    engine = sa.create_engine(f"sqlite:///{path}")
    metadata.create_all(engine)
    store = MatchingStore(engine)

    def put(new: list[ListingDoc]) -> None:
        with store.transaction() as tx:
            for doc in new:
                tx.upsert_doc(doc)

    def remove(ids: list[str]) -> None:
        with engine.begin() as conn:
            conn.execute(listing_docs.delete().where(listing_docs.c.id.in_(ids)))
            conn.execute(listing_codes.delete().where(listing_codes.c.listing_id.in_(ids)))

    put(docs)
    index = EmbeddedSearch(engine)
    return Backend(
        "embedded",
        index,
        lambda new: (put(new), index.upsert(new)),
        lambda ids: (remove(ids), index.delete(ids)),
        engine.dispose,
    )


_ENGINE_URLS = {
    "elasticsearch": ("PARKLOOP_TEST_ELASTICSEARCH_URL", "Elasticsearch"),
    "opensearch": ("PARKLOOP_TEST_OPENSEARCH_URL", "OpenSearch"),
}


def engine_backend(name: str, docs: list[ListingDoc]) -> Backend:
    alias = f"parkloop-test-{uuid.uuid4().hex[:10]}"
    url = engine_address(*_ENGINE_URLS[name])
    if name == "elasticsearch":
        from services.matching.adapters.elasticsearch_search import ElasticsearchSearch

        index: EngineSearchIndex = ElasticsearchSearch(url, alias)
    else:
        from services.matching.adapters.opensearch_search import OpenSearchSearch

        index = OpenSearchSearch(url, alias)
    assert index.rebuild(docs) == len(docs)
    return Backend(name, index, index.upsert, index.delete, index.drop)


@pytest.fixture(scope="module")
def dataset() -> Dataset:
    return generate()


@pytest.fixture(scope="module")
def cases(dataset) -> list[Case]:
    return sample_cases(dataset)


@pytest.fixture(scope="module")
def reference(dataset, tmp_path_factory) -> Backend:
    backend = embedded_backend(tmp_path_factory.mktemp("reference") / "reference.db", dataset.docs)
    yield backend
    backend.close()


@pytest.fixture(scope="module", params=ADAPTERS, ids=ADAPTERS)
def backend(request, dataset, tmp_path_factory) -> Backend:
    started = time.perf_counter()
    if request.param == "embedded":
        made = embedded_backend(tmp_path_factory.mktemp("embedded") / "matching.db", dataset.docs)
    else:
        made = engine_backend(request.param, dataset.docs)
    print(f"\n{request.param}: {len(dataset.docs)} documents loaded in {time.perf_counter() - started:.2f} s")
    yield made
    made.close()


def run(index: AbstractSearchIndex, case: Case, offset: int = 0, limit: int = K) -> list[Hit]:
    criteria = criteria_for(case.source, case.filters, TODAY, DELTA_T)
    return index.search(criteria, components_for(case.source, DELTA_T), case.filters.min_score, offset, limit)


@pytest.fixture(scope="module")
def expected(reference, cases) -> dict[str, list[Hit]]:
    return {case.label: run(reference.index, case, 0, K + EXTRA) for case in cases}


# ------------------------------------------------------------ comparing rankings


def tie_groups(hits: list[Hit]) -> list[list[Hit]]:
    """Consecutive hits whose scores chain within TIE of each other."""
    groups: list[list[Hit]] = []
    for hit in hits:
        if groups and groups[-1][-1].score.total - hit.score.total <= TIE:
            groups[-1].append(hit)
        else:
            groups.append([hit])
    return groups


def ranking_problems(expected_hits: list[Hit], actual: list[Hit], k: int) -> tuple[list[str], int]:
    """What differs between the reference's ranking (fetched beyond k) and an adapter's top k;
    and how many tie groups the adapter ordered differently (allowed)."""
    top = expected_hits[:k]
    ids = [h.doc.id for h in actual]
    if len(set(ids)) != len(ids):
        return [f"duplicate ids {ids}"], 0
    if len(actual) != len(top):
        return [f"{len(actual)} hits, expected {len(top)}: {ids} vs {[h.doc.id for h in top]}"], 0
    problems = []
    for pos, (e, a) in enumerate(zip(top, actual, strict=True)):
        if not math.isclose(a.score.total, e.score.total, rel_tol=SCORE_REL, abs_tol=1e-9):
            problems.append(f"#{pos}: score {a.score.total} vs {e.score.total}")
        if a.distance_km != pytest.approx(e.distance_km, rel=1e-12, abs=1e-9):
            problems.append(f"#{pos}: distance {a.distance_km} vs {e.distance_km}")
    reordered, start = 0, 0
    for group in tie_groups(expected_hits):
        if start >= k:
            break
        end = start + len(group)
        got = [h.doc.id for h in actual[start : min(end, k)]]
        allowed = [h.doc.id for h in group]
        if not set(got) <= set(allowed):
            problems.append(f"#{start}..{end - 1}: {got}, expected (in any order) {allowed}")
        elif got != allowed[: len(got)]:
            reordered += 1
        start = end
    return problems, reordered


def test_tie_groups_compare_as_sets():
    """The comparison itself: order inside a tie group may differ, nothing else may."""
    from services.matching.domain.scoring import Score

    def hits(*pairs):
        return [Hit(replace(_TIE_DOC, id=i), Score(s, {}), 1.0) for i, s in pairs]

    ref = hits(("a", 0.9), ("b", 0.5), ("c", 0.5 - 4e-7), ("d", 0.5 - 8e-7), ("e", 0.2), ("f", 0.2))
    assert ranking_problems(ref, hits(("a", 0.9), ("d", 0.5), ("b", 0.5), ("c", 0.5)), 4) == ([], 1)
    assert ranking_problems(ref, hits(("a", 0.9), ("b", 0.5), ("c", 0.5), ("d", 0.5), ("f", 0.2)), 5) == ([], 1)
    problems, _ = ranking_problems(ref, hits(("b", 0.5), ("a", 0.9), ("c", 0.5), ("d", 0.5)), 4)
    assert problems
    problems, _ = ranking_problems(ref, hits(("a", 0.9), ("b", 0.5), ("c", 0.5), ("e", 0.2)), 4)
    assert problems


_TIE_DOC = ListingDoc(
    id="x",
    side="offer",
    kind="heat",
    status="active",
    enterprise_id="e",
    park_id="p",
    title="t",
    lat=30.0,
    lon=120.0,
    max_distance_km=10.0,
    available_from="2026-01-01",
    available_until="9999-12-31",
    quantity=1.0,
)


def test_ranking_is_the_embedded_ranking(backend, cases, expected):
    problems, reordered, hits, started = [], 0, 0, time.perf_counter()
    for case in cases:
        actual = run(backend.index, case)
        hits += len(actual)
        found, shuffled = ranking_problems(expected[case.label], actual, K)
        reordered += shuffled
        problems += [f"{case.label}: {p}" for p in found]
    elapsed = time.perf_counter() - started
    print(
        f"\n{backend.name}: {len(cases)} searches, {hits} hits, {reordered} tie groups reordered, "
        f"{len(problems)} problems, {elapsed:.2f} s"
    )
    assert not problems, "\n".join(problems[:40])


def test_the_data_set_exercises_every_kind_and_side(expected, cases):
    """Guard against a vacuous contract: most searches find something, some fill the top k."""
    by_group: dict[tuple[str, str], int] = {}
    for case in cases:
        key = (case.source.kind, case.source.side)
        by_group[key] = by_group.get(key, 0) + bool(expected[case.label])
    assert len(by_group) == 6 and all(n >= 5 for n in by_group.values()), by_group
    assert sum(len(expected[c.label]) > K for c in cases) >= 3
    assert any(not expected[c.label] for c in cases if c.label.endswith("codes_excluded"))


def test_the_data_set_exercises_directed_utilisation_approvals(expected, cases):
    """Some hazardous matches are legal only through a 点对点 approval, from either side."""
    only_by_approval = {"offer": 0, "want": 0}
    for case in cases:
        criteria = criteria_for(case.source, case.filters, TODAY, DELTA_T)
        for hit in expected[case.label]:
            if case.source.side == "want" and case.source.kind == "material":
                only_by_approval["want"] += not set(hit.doc.codes) & set(criteria.codes_any)
            elif criteria.licence_for:
                only_by_approval["offer"] += not hit.doc.licensed_for(criteria.licence_for, TODAY)
    assert only_by_approval["offer"] >= 1 and only_by_approval["want"] >= 1, only_by_approval


def test_no_hit_ever_breaks_a_criterion(backend, cases, dataset):
    """Independently of the reference: every hit passes `accepts` at its own distance, which is
    the great-circle distance; its components add up to its score; the document is intact."""
    originals = {d.id: doc_to_dict(d) for d in dataset.docs}
    checked = 0
    for case in cases:
        criteria = criteria_for(case.source, case.filters, TODAY, DELTA_T)
        for hit in run(backend.index, case, 0, 60):
            checked += 1
            km = distance_km(Location(*criteria.origin), Location(hit.doc.lat, hit.doc.lon))
            assert hit.distance_km == pytest.approx(km, abs=1e-9), case.label
            assert criteria.accepts(hit.doc, hit.distance_km), (case.label, hit.doc.id)
            assert hit.score.total >= case.filters.min_score - 1e-6, case.label
            parts = sum(c["contribution"] for c in hit.score.components.values())
            assert hit.score.total == pytest.approx(parts, rel=SCORE_REL), case.label
            assert doc_to_dict(hit.doc) == originals[hit.doc.id]
    assert checked > 300


def test_paging_by_offset_is_consistent(backend, cases):
    paged_cases = 0
    for case in cases:
        whole = [h.doc.id for h in run(backend.index, case, 0, 35)]
        if len(whole) < 12:
            continue
        paged_cases += 1
        pages = [h.doc.id for offset in range(0, 35, 7) for h in run(backend.index, case, offset, 7)]
        assert pages == whole, case.label
        if len(whole) < 35:
            assert run(backend.index, case, len(whole), 5) == [], case.label
    assert paged_cases >= 5


def query(case: Case, offset: int = 0, limit: int = K) -> Query:
    criteria = criteria_for(case.source, case.filters, TODAY, DELTA_T)
    return Query(criteria, components_for(case.source, DELTA_T), case.filters.min_score, offset, limit)


def test_searches_asked_together_answer_as_each_alone(backend, cases):
    """`search_many` (the alerts' way: one msearch per batch on the engines) gives each query
    exactly what `search` gives it: the same hits in the same order, offsets and empty pages too."""
    queries = [query(c, offset, limit) for c in cases for offset, limit in ((0, K), (7, 7), (0, 60), (0, 0))]
    together = backend.index.search_many(queries)
    alone = [backend.index.search(q.criteria, q.components, q.min_score, q.offset, q.limit) for q in queries]
    assert together == alone
    assert sum(map(len, together)) > 300
    assert backend.index.search_many([]) == []


@pytest.mark.parametrize("page_max", [3, 11])
def test_searches_asked_together_page_on_as_each_alone(backend, cases, expected, page_max, monkeypatch):
    """Pages far smaller than what is wanted: each query pages on with search_after, in rounds
    that only the unfinished queries take part in, and still ranks as the reference does."""
    if isinstance(backend.index, EngineSearchIndex):  # the embedded matcher answers each query whole
        monkeypatch.setattr(backend.index, "PAGE_MAX", page_max)
        monkeypatch.setattr(backend.index, "MSEARCH_CHUNK", 4)
    found = backend.index.search_many([query(c) for c in cases])
    problems = [
        f"{case.label}: {problem}"
        for case, hits in zip(cases, found, strict=True)
        for problem in ranking_problems(expected[case.label], hits, K)[0]
    ]
    assert not problems, "\n".join(problems[:40])
    assert sum(len(hits) > page_max for hits in found) >= 5


def test_a_write_shows_in_the_next_search_and_a_delete_removes_it(backend, cases, expected):
    case = next(c for c in cases if len(expected[c.label]) >= 3 and c.filters.min_score == 0)
    before = [h.doc.id for h in run(backend.index, case)]
    top = expected[case.label][0].doc
    # the best possible candidate: the top hit moved onto the source, with the source's quantity;
    # its id sorts first, so it leads even if it ties
    best = replace(
        top,
        id="00000000-0000-4000-8000-000000000000",
        lat=case.source.lat,
        lon=case.source.lon,
        quantity=case.source.quantity,
    )
    backend.put([best])
    try:
        assert [h.doc.id for h in run(backend.index, case)][:2] == [best.id, *before[:1]]
    finally:
        backend.remove([best.id])
    assert [h.doc.id for h in run(backend.index, case)] == before


def test_an_older_revision_written_late_never_replaces_a_newer_one(backend, cases, expected):
    """A slower worker, or a reindex pass, may write a document's older revision after its newer one."""
    case = next(c for c in cases if len(expected[c.label]) >= 3 and c.filters.min_score == 0)
    top = expected[case.label][0].doc
    newer = replace(
        top,
        id="00000000-0000-4000-8000-000000000001",
        lat=case.source.lat,
        lon=case.source.lon,
        quantity=case.source.quantity,
        revision=5,
    )
    backend.put([newer])
    try:
        backend.index.upsert([replace(newer, status="paused", revision=4)])
        assert run(backend.index, case)[0].doc.id == newer.id, "the older, paused revision replaced the newer one"
        backend.index.upsert([replace(newer, revision=5)])  # the same revision again (a redelivery) is accepted
        assert run(backend.index, case)[0].doc.id == newer.id
    finally:
        backend.remove([newer.id])


def test_reindex_carries_over_a_change_written_while_the_new_index_loads(backend, dataset, tmp_path):
    """`parkloop matching reindex` while the matching worker keeps running: the worker writes a
    pause into the store and, through the alias, into the old index while the new one loads."""
    store = MatchingStore(sa.create_engine(f"sqlite:///{tmp_path / 'matching.db'}"))
    metadata.create_all(store.engine)
    docs = sorted(dataset.docs, key=lambda d: d.id)[:300]
    with store.transaction() as tx:
        for doc in docs:
            tx.upsert_doc(doc)
    index = EmbeddedSearch(store.engine) if backend.name == "embedded" else engine_backend(backend.name, []).index
    paused = docs[0].id  # loaded first (the store reads in id order), paused after

    class WorkerRunsDuringTheLoad:
        loads = 0

        def all_docs(self, batch):
            self.loads += 1
            for n, doc in enumerate(store.all_docs(batch)):
                yield doc
                if self.loads == 1 and n == 10:
                    with store.transaction() as tx:
                        tx.upsert_doc(replace(tx.get_doc(paused), status="paused"))
                    index.upsert([store.get(paused)])

    try:
        assert reindex(WorkerRunsDuringTheLoad(), index, batch=50) == len(docs)
        if backend.name == "embedded":  # the store's table is the index
            indexed = store.get(paused).status
        else:
            indexed = index.client.get(index=index.alias, id=paused)["_source"]["status"]
        assert indexed == "paused", "the pause written during the load was lost"
        assert store.get(paused).revision == 2
    finally:
        if backend.name != "embedded":
            index.drop()
        store.engine.dispose()


def test_rebuild_swaps_the_index_without_missing_a_result(backend, cases, dataset):
    case = max(cases, key=lambda c: len(run(backend.index, c, 0, 50)))
    before = run(backend.index, case)
    assert before
    old_indices = getattr(backend.index, "concrete_indices", list)()
    answers, stop = [], threading.Event()

    def keep_searching():
        while not stop.is_set():
            answers.append([h.doc.id for h in run(backend.index, case)])

    searcher = threading.Thread(target=keep_searching)
    searcher.start()
    try:
        assert backend.index.rebuild(dataset.docs) == len(dataset.docs)
    finally:
        stop.set()
        searcher.join()
    ids = [h.doc.id for h in before]
    assert answers and all(answer == ids for answer in answers), "a search during the rebuild saw other results"
    assert [h.doc.id for h in run(backend.index, case)] == ids
    if old_indices:  # the engines: one new concrete index behind the alias, the old one gone
        now = backend.index.concrete_indices()
        assert len(now) == 1 and now[0] not in old_indices


# ------------------------------------------------------------ the candidate's own limit is a circle


def _destination(start: Location, km: float, bearing_deg: float) -> Location:
    """The point `km` from `start` along a great circle leaving at `bearing_deg`."""
    d, b = km / EARTH_RADIUS_KM, math.radians(bearing_deg)
    p1, l1 = math.radians(start.lat), math.radians(start.lon)
    p2 = math.asin(math.sin(p1) * math.cos(d) + math.cos(p1) * math.sin(d) * math.cos(b))
    l2 = l1 + math.atan2(math.sin(b) * math.sin(d) * math.cos(p1), math.cos(d) - math.sin(p1) * math.sin(p2))
    return Location(math.degrees(p2), (math.degrees(l2) + 540) % 360 - 180)


def _eastmost(centre: Location, km: float) -> Location:
    """The point of the circle furthest east: poleward of the centre, where a meridian touches it."""
    return max(
        (_destination(centre, km, b / 10) for b in range(0, 1800)),
        key=lambda p: (p.lon - centre.lon) % 360,
    )


def _water(id_: str, at: Location, side: str, limit_km: float) -> ListingDoc:
    return replace(
        _TIE_DOC,
        id=id_,
        side=side,
        kind="water",
        enterprise_id=f"enterprise-{id_}",
        lat=at.lat,
        lon=at.lon,
        max_distance_km=limit_km,
        reuse_rank=1,
        quantity=50.0,
    )


@pytest.mark.parametrize(
    "centre, limit_km",
    [(Location(68.0, 20.0), 500.0), (Location(64.0, 179.0), 300.0)],
    ids=["high-latitude", "across-the-antimeridian"],
)
def test_a_candidates_own_limit_is_its_great_circle_not_a_box(backend, centre, limit_km):
    """Near a candidate's furthest-east point (poleward of it, and here across ±180°) a source just
    within its limit is found; at the corner of the box around that circle, one beyond it is not."""
    # ids of their own per place: the engines remember a deleted id's version for a while
    prefix = f"aaaaaaaa-0000-4000-8000-{abs(centre.lon):010.0f}"
    inside = _water(f"{prefix}a", centre, "want", limit_km)
    source = _water(f"{prefix}b", _eastmost(centre, limit_km * 0.9995), "offer", 1000.0)
    origin = Location(source.lat, source.lon)
    # a naive box (the centre's latitude, Δlon = r / (R cos φ)) would leave the source out
    naive_dlon = math.degrees(limit_km / (EARTH_RADIUS_KM * math.cos(math.radians(centre.lat))))
    assert (origin.lon - centre.lon) % 360 > naive_dlon
    # the corner: north-west of the source by 0.95 of the box's half sides, so the source sits
    # inside this candidate's box, yet further than its limit
    corner_limit = 200.0
    half_lat = math.degrees(corner_limit / EARTH_RADIUS_KM) * 0.95
    min_lat, max_lat, min_lon, max_lon = bounding_box(Location(origin.lat + half_lat, origin.lon), corner_limit)
    at_corner = Location(origin.lat + half_lat, (origin.lon - (max_lon - min_lon) / 2 * 0.95 + 540) % 360 - 180)
    beyond = _water(f"{prefix}c", at_corner, "want", corner_limit)
    assert distance_km(at_corner, origin) > corner_limit * 1.2
    case = Case(f"box-{centre.lat}", source, MatchFilters())
    backend.put([inside, beyond, source])
    try:
        found = run(backend.index, case)
        assert [h.doc.id for h in found] == [inside.id]
        assert found[0].distance_km <= limit_km
    finally:
        backend.remove([inside.id, beyond.id, source.id])


def test_a_candidate_due_north_at_its_limit_is_found_and_one_just_beyond_is_not(backend):
    """Along a meridian the distance is the latitude difference alone: the embedded matcher's
    latitude prefilter is exact there and must neither drop the first nor keep the second."""
    prefix = "aaaaaaaa-0000-4000-8001-"
    source = _water(f"{prefix}000000000000", Location(31.2, 121.5), "offer", 1000.0)
    origin = Location(source.lat, source.lon)
    within = _water(f"{prefix}00000000000a", _destination(origin, 150.0 * (1 - 1e-6), 0), "want", 150.0)
    beyond = _water(f"{prefix}00000000000b", _destination(origin, 150.0 * (1 + 1e-6), 0), "want", 150.0)
    case = Case("due-north", source, MatchFilters())
    backend.put([within, beyond, source])
    try:
        assert [h.doc.id for h in run(backend.index, case)] == [within.id]
    finally:
        backend.remove([within.id, beyond.id, source.id])


@pytest.mark.parametrize("name", ["elasticsearch", "opensearch"])
def test_an_index_made_before_reach_boxes_keeps_answering_alike_until_reindexed(name, dataset, cases, expected):
    """An upgrade finds an index whose mapping has no reach fields and whose documents carry no
    reach box: searches give the reference's results at once, new writes are accepted, and
    `parkloop matching reindex` moves it to the current mapping."""
    from services.matching.adapters.engine_query import INDEX_MAPPING, INDEX_SETTINGS, REACH_PROPERTIES

    index = engine_backend(name, []).index
    assert isinstance(index, EngineSearchIndex)
    index.drop()
    old_mapping = {k: v for k, v in INDEX_MAPPING.items() if k != "_meta"}
    old_mapping["properties"] = {k: v for k, v in INDEX_MAPPING["properties"].items() if k not in REACH_PROPERTIES}
    index.client.indices.create(
        index=f"{index.alias}-initial",
        body={"settings": INDEX_SETTINGS, "mappings": old_mapping, "aliases": {index.alias: {}}},
    )
    try:
        actions = [part for doc in dataset.docs for part in ({"index": {"_id": doc.id}}, doc_to_dict(doc))]
        for start in range(0, len(actions), 2000):
            index.client.bulk(body=actions[start : start + 2000], index=index.alias, refresh=True)
        upgraded = type(index)(engine_address(*_ENGINE_URLS[name]), index.alias)
        problems = []
        for case in cases:
            found, _ = ranking_problems(expected[case.label], run(upgraded, case), K)
            problems += [f"{case.label}: {p}" for p in found]
        assert not problems, "\n".join(problems[:20])
        moved = replace(dataset.docs[0], id="00000000-0000-4000-8000-0000000000aa", revision=1)
        upgraded.upsert([moved])  # the old mapping was strict: a write with a reach box needs the new fields
        assert upgraded.client.get(index=upgraded.alias, id=moved.id)["found"]
        reindex(_Documents([*dataset.docs, moved]), upgraded)
        (mapping,) = upgraded.client.indices.get_mapping(index=upgraded.alias).values()
        assert mapping["mappings"]["_meta"]["schema"] == SCHEMA
        assert [h.doc.id for h in run(upgraded, cases[0])] == [h.doc.id for h in expected[cases[0].label][:K]]
    finally:
        index.drop()


class _Documents:
    """What `reindex` reads from the store."""

    def __init__(self, docs: list[ListingDoc]):
        self.docs = docs

    def all_docs(self, batch: int):
        return iter(self.docs)
