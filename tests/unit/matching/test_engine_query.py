"""The engine query builder, without an engine: a small evaluator of the DSL subset the builder
emits checks its filters against `Criteria.accepts`, and the decay functions against `Decay.value`
(with the formulas as the Elasticsearch reference documents them)."""

from __future__ import annotations

import math
import random
from datetime import date

import pytest

from services.common.geo import Location, distance_km
from services.matching.adapters.engine_query import (
    INDEX_MAPPING,
    SORT,
    build_query,
    criteria_filters,
    decay_function,
    indexed,
)
from services.matching.domain.criteria import Criteria, MatchFilters, criteria_for
from services.matching.domain.documents import OPEN_END, Licence, ListingDoc, doc_to_dict
from services.matching.domain.scoring import Decay, components_for

TODAY = date(2026, 6, 1)
ORIGIN = (31.30, 120.72)


# ------------------------------------------------------------ a tiny evaluator of the emitted DSL


def _values(doc: dict, field: str) -> list:
    value = doc.get(field)
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _in_range(value, ops: dict) -> bool:
    return all(
        {"gte": value >= bound, "gt": value > bound, "lte": value <= bound, "lt": value < bound}[op]
        for op, bound in ops.items()
    )


def matches(query: dict, doc: dict) -> bool:
    ((kind, body),) = query.items()
    if kind == "bool":
        should = body.get("should", [])
        return (
            all(matches(q, doc) for q in body.get("filter", []) + body.get("must", []))
            and not any(matches(q, doc) for q in body.get("must_not", []))
            and (not should or sum(matches(q, doc) for q in should) >= body.get("minimum_should_match", 1))
        )
    if kind == "match_all":
        return True
    if kind == "match_none":
        return False
    if kind == "term":
        ((field, value),) = body.items()
        if INDEX_MAPPING["properties"].get(field, {}).get("type") == "double_range":  # a range holding the value
            return any(_in_range(value, {"gte": r["gte"], "lte": r["lte"]}) for r in _values(doc, field))
        return value in _values(doc, field)
    if kind == "terms":
        ((field, values),) = body.items()
        return bool(set(_values(doc, field)) & set(values))
    if kind == "range":
        ((field, ops),) = body.items()
        return any(_in_range(v, ops) for v in _values(doc, field))
    if kind == "exists":
        return bool(_values(doc, body["field"]))
    if kind == "nested":
        path = body["path"]
        return any(matches(body["query"], {f"{path}.{k}": v for k, v in item.items()}) for item in doc[path])
    if kind == "geo_distance":
        km = float(body["distance"].removesuffix("km"))
        origin = Location(body["location"]["lat"], body["location"]["lon"])
        return distance_km(origin, Location(doc["location"]["lat"], doc["location"]["lon"])) <= km
    raise AssertionError(f"unexpected query {kind}")


# ------------------------------------------------------------ documents


def make_doc(**fields) -> ListingDoc:
    base = dict(
        id="d1",
        side="offer",
        kind="material",
        status="active",
        enterprise_id="e-other",
        park_id="p1",
        title="t",
        lat=31.31,
        lon=120.73,
        max_distance_km=100.0,
        available_from="2026-01-01",
        available_until=OPEN_END,
        quantity=100.0,
    )
    return ListingDoc(**{**base, **fields})


def criteria(**fields) -> Criteria:
    base = dict(
        kind="material",
        side="offer",
        exclude_enterprise="e-source",
        origin=ORIGIN,
        max_distance_km=50.0,
        window_from="2026-06-01",
        window_until=OPEN_END,
        on=TODAY.isoformat(),
    )
    return Criteria(**{**base, **fields})


def engine_accepts(c: Criteria, doc: ListingDoc) -> bool:
    """The engine filter plus the adapter's re-check of the candidate's own limit."""
    km = distance_km(Location(*c.origin), Location(doc.lat, doc.lon))
    return matches(criteria_filters(c), indexed(doc)) and km <= doc.max_distance_km


CASES = [  # (criteria, doc, accepted?) — each line one rule of Criteria.accepts
    (criteria(), make_doc(), True),
    (criteria(), make_doc(status="paused"), False),
    (criteria(), make_doc(enterprise_id="e-source"), False),
    (criteria(), make_doc(available_until="2026-05-31"), False),
    (criteria(), make_doc(available_until="2026-06-01"), True),
    (criteria(window_until="2026-07-01"), make_doc(available_from="2026-07-02"), False),
    (criteria(), make_doc(lat=32.0), False),  # ~80 km away
    (criteria(), make_doc(max_distance_km=0.5), False),  # within ours, beyond its own limit
    (criteria(codes_any=()), make_doc(codes=("441-001-S02",)), False),
    (criteria(codes_any=("441-001-S02",)), make_doc(codes=("441-001-S02",)), True),
    (criteria(park_ids=()), make_doc(), False),
    (criteria(park_ids=("p1", "p2")), make_doc(), True),
    (criteria(licence_for="900-249-08"), make_doc(licences=(Licence("900-249-08", "2020-01-01", "2026-06-01"),)), True),
    (
        criteria(licence_for="900-249-08"),
        make_doc(licences=(Licence("900-249-08", "2020-01-01", "2026-05-31"),)),
        False,
    ),
    (
        criteria(licence_for="900-249-08"),
        make_doc(
            licences=(
                Licence("900-249-08", "2026-06-02", "2030-01-01"),
                Licence("900-214-08", "2020-01-01", "2030-01-01"),
            )
        ),
        False,
    ),
    (criteria(kind="heat", media=("steam",), pressure_max=1.0), make_doc(kind="heat", medium="steam"), True),
    (
        criteria(kind="heat", media=("steam",), pressure_max=1.0),
        make_doc(kind="heat", medium="steam", pressure_mpa=1.5),
        False,
    ),
    (criteria(kind="heat", pressure_max=1.0), make_doc(kind="heat", medium="hot_water", pressure_mpa=1.5), True),
    (criteria(kind="heat", pressure_min=1.0), make_doc(kind="heat", medium="steam"), False),
    (criteria(kind="heat", temperature_min=150.0), make_doc(kind="heat", temperature_c=150.0), True),
    (criteria(kind="heat", temperature_max=150.0), make_doc(kind="heat"), False),
    (criteria(kind="water", rank_min=2, rank_max=3), make_doc(kind="water", reuse_rank=3), True),
    (criteria(kind="water", rank_min=2), make_doc(kind="water", reuse_rank=1), False),
    (criteria(required_measures=(("cao|%", 20.0, None),)), make_doc(measures=(("cao|%", 20.0),)), True),
    (criteria(required_measures=(("cao|%", None, None),)), make_doc(measures=()), False),
    (criteria(required_measures=(("cao|%", 20.0, 30.0),)), make_doc(measures=(("cao|%", 31.0),)), False),
    (criteria(side="want"), make_doc(side="want", bounds=(("cao|%", 20.0, None),)), False),  # nothing offered
    (
        criteria(side="want", offered_measures={"cao|%": 25.0}),
        make_doc(side="want", bounds=(("cao|%", 20.0, None),)),
        True,
    ),
    (
        criteria(side="want", offered_measures={"cao|%": 25.0}),
        make_doc(side="want", bounds=(("cao|%", None, 24.0),)),
        False,
    ),
    (
        criteria(side="want", offered_measures={"cao|%": 25.0}),
        make_doc(side="want", bounds=(("cao|%", 20.0, 30.0), ("fe|%", None, 5.0))),
        False,
    ),  # a key not offered
    (
        criteria(side="want", offered_measures={"cao|%": 25.0, "fe|%": 1.0}),
        make_doc(side="want", bounds=(("cao|%", 25.0, 25.0), ("fe|%", None, 5.0))),
        True,
    ),
]


@pytest.mark.parametrize("crit, doc, expected", CASES)
def test_filters_say_what_accepts_says(crit, doc, expected):
    km = distance_km(Location(*crit.origin), Location(doc.lat, doc.lon))
    assert crit.accepts(doc, km) is expected  # the case itself is right
    assert engine_accepts(crit, doc) is expected


def _random_doc(rng: random.Random, n: int) -> ListingDoc:
    kind = rng.choice(["material", "heat", "water"])
    keys = ["cao|%", "fe|%", "cod|mg/L"]
    return make_doc(
        id=f"d{n}",
        side=rng.choice(["offer", "want"]),
        kind=kind,
        status=rng.choice(["active", "active", "paused"]),
        enterprise_id=rng.choice(["e-source", "e1", "e2", "e3"]),
        park_id=rng.choice(["p1", "p2", "p3"]),
        lat=ORIGIN[0] + rng.uniform(-1.0, 1.0),
        lon=ORIGIN[1] + rng.uniform(-1.0, 1.0),
        max_distance_km=rng.choice([5.0, 20.0, 60.0, 150.0, 400.0]) * rng.uniform(0.5, 1.5),
        available_from=rng.choice(["2025-01-01", "2026-06-01", "2026-09-01"]),
        available_until=rng.choice(["2026-05-31", "2026-06-01", OPEN_END]),
        quantity=rng.uniform(1, 1000),
        codes=tuple(rng.sample(["441-001-S02", "900-249-08", "900-214-08"], rng.randint(1, 2))),
        medium=rng.choice([None, "steam", "hot_water"]),
        temperature_c=rng.choice([None, 90.0, 150.0, 200.0]),
        pressure_mpa=rng.choice([None, 0.5, 1.0, 2.0]),
        reuse_rank=rng.choice([None, 1, 2, 3, 4]),
        measures=tuple((k, rng.choice([10.0, 20.0, 30.0])) for k in rng.sample(keys, rng.randint(0, 3))),
        bounds=tuple(
            (k, rng.choice([None, 15.0]), rng.choice([None, 25.0])) for k in rng.sample(keys, rng.randint(0, 2))
        ),
        licences=tuple(
            Licence(
                rng.choice(["900-249-08", "900-214-08"]),
                rng.choice(["2025-01-01", "2026-06-01", "2026-06-02"]),
                rng.choice(["2026-05-31", "2026-06-01", "2030-01-01"]),
            )
            for _ in range(rng.randint(0, 2))
        ),
    )


def _random_criteria(rng: random.Random) -> Criteria:
    def maybe(*values):  # mostly absent, so that some candidates pass every criterion
        return rng.choice(values) if rng.random() < 0.3 else None

    return criteria(
        kind=rng.choice(["material", "heat", "water"]),
        side=rng.choice(["offer", "want"]),
        max_distance_km=rng.choice([10.0, 60.0, 250.0]),
        window_from=rng.choice(["2026-06-01", "2026-06-02"]),
        window_until=rng.choice(["2026-06-01", "2026-12-31", OPEN_END]),
        codes_any=maybe((), ("441-001-S02",), ("900-249-08", "900-214-08")),
        licence_for=maybe("900-249-08"),
        park_ids=maybe((), ("p1",), ("p2", "p3")),
        media=maybe(("steam",), ("steam", "hot_water")),
        temperature_min=maybe(150.0),
        temperature_max=maybe(150.0),
        pressure_min=maybe(1.0),
        pressure_max=maybe(1.0),
        rank_min=maybe(2),
        rank_max=maybe(3),
        required_measures=rng.choice(
            [(), (), (("cao|%", 15.0, None),), (("fe|%", None, 25.0), ("cod|mg/L", None, None))]
        ),
        offered_measures=rng.choice(
            [{}, {"cao|%": 20.0}, {"cao|%": 20.0, "fe|%": 20.0, "cod|mg/L": 20.0}, {"cao|%": 10.0, "fe|%": 30.0}]
        ),
    )


def test_filters_agree_with_accepts_on_random_documents():
    rng = random.Random(7)
    docs = [_random_doc(rng, n) for n in range(400)]
    dicts = {doc.id: indexed(doc) for doc in docs}
    accepted = 0
    for _ in range(600):
        crit = _random_criteria(rng)
        origin, query = Location(*crit.origin), criteria_filters(crit)
        for doc in docs:
            km = distance_km(origin, Location(doc.lat, doc.lon))
            in_engine = matches(query, dicts[doc.id])
            if crit.accepts(doc, km):
                accepted += 1
                assert in_engine, (crit, doc)  # the engine never loses a candidate
            assert (in_engine and km <= doc.max_distance_km) == crit.accepts(doc, km), (crit, doc)
    assert accepted > 120  # the random cases do exercise acceptance


def test_the_reach_box_drops_candidates_beyond_their_own_limit_and_the_re_check_its_corners():
    crit = criteria(max_distance_km=500.0)
    far = make_doc(lat=ORIGIN[0] + 2.5, max_distance_km=100.0)  # ~280 km north, limit 100 km
    # ~120 km north-east: inside the box of a 100 km circle (85 km each way), outside the circle
    corner = make_doc(lat=ORIGIN[0] + 0.76, lon=ORIGIN[1] + 0.89, max_distance_km=100.0)
    assert 100.0 < distance_km(Location(*ORIGIN), Location(corner.lat, corner.lon)) < 130.0
    assert not matches(criteria_filters(crit), indexed(far))
    assert matches(criteria_filters(crit), indexed(corner))
    assert not engine_accepts(crit, corner)  # dropped by the re-check


def test_an_index_being_upgraded_also_lets_through_documents_without_a_reach_box():
    crit = criteria(max_distance_km=500.0)
    unboxed = doc_to_dict(make_doc(max_distance_km=100.0))  # written before reach boxes existed
    far = doc_to_dict(make_doc(lat=ORIGIN[0] + 2.5, max_distance_km=100.0))
    assert not matches(criteria_filters(crit), unboxed)
    assert matches(criteria_filters(crit, unboxed_too=True), unboxed)
    assert matches(criteria_filters(crit, unboxed_too=True), far)  # the re-check decides for these
    assert not matches(criteria_filters(crit, unboxed_too=True), indexed(make_doc(lat=ORIGIN[0] + 2.5)))


# ------------------------------------------------------------ score


def es_decay(spec: dict, function: str, distance: float) -> float:
    """Elasticsearch's documented decay formulas (function_score reference), on |x - origin|."""
    scale, offset, decay = spec["scale"], spec["offset"], spec["decay"]
    d = max(0.0, distance - offset)
    if function == "gauss":
        return math.exp(-d * d / (2 * (-scale * scale / (2 * math.log(decay)))))
    if function == "exp":
        return math.exp(math.log(decay) / scale * d)
    s = scale / (1.0 - decay)
    return max(0.0, (s - d) / s)


@pytest.mark.parametrize(
    "source_kind, side", [("material", "offer"), ("heat", "want"), ("heat", "offer"), ("water", "want")]
)
def test_decay_functions_are_the_domain_decays(source_kind, side):
    source = make_doc(kind=source_kind, side=side, temperature_c=120.0, reuse_rank=2, quantity=40.0)
    for part in components_for(source, 10):
        fn = decay_function(part)
        assert fn["weight"] == part.weight
        ((function, body),) = ((k, v) for k, v in fn.items() if k != "weight")
        ((field, spec),) = body.items()
        assert function == part.function and field == part.field
        assert 0 < spec["decay"] < 1  # the engines refuse anything else
        if field == "location":
            assert spec["origin"] == {"lat": source.lat, "lon": source.lon}
            spec = {
                **spec,
                "scale": float(spec["scale"].removesuffix("km")),
                "offset": float(spec["offset"].removesuffix("km")),
            }
            points = [0.0, 1.0, 4.9, 25.0, 300.0]
        else:
            points = [part.origin + delta for delta in (-20000.0, -60.0, -7.5, -0.3, 0.0, 0.7, 3.0, 60.0)]
        for x in points:
            distance = x if field == "location" else abs(x - spec["origin"])
            assert es_decay(spec, function, distance) == pytest.approx(part.value(x), rel=1e-12, abs=1e-15)


def test_a_decay_the_engines_cannot_express_is_refused():
    with pytest.raises(ValueError):
        decay_function(Decay("q", 0.5, "exp", "log_quantity", 1.0, 1.0, decay=0.0))


def test_build_query_shape():
    source = make_doc(kind="heat", side="want", medium="steam", temperature_c=150.0, pressure_mpa=1.0)
    crit = criteria_for(source, MatchFilters(min_score=0.3), TODAY, 10)
    body = build_query(crit, components_for(source, 10), 0.3, 40, search_after=[0.5, "abc"])
    fs = body["query"]["function_score"]
    assert fs["score_mode"] == "sum" and fs["boost_mode"] == "replace"
    assert [next(iter(f)) for f in fs["functions"]] == ["gauss", "exp", "linear"]
    assert body["sort"] == SORT == [{"_score": "desc"}, {"id": "asc"}]
    assert body["size"] == 40 and body["search_after"] == [0.5, "abc"]
    assert 0.3 - 1e-4 < body["min_score"] <= 0.3  # float32 slack; the domain score decides
    assert "min_score" not in build_query(crit, components_for(source, 10), 0.0, 40)
    assert "search_after" not in build_query(crit, components_for(source, 10), 0.0, 40)


def test_mapping_covers_every_indexed_field():
    doc = make_doc(
        licences=(Licence("900-249-08", "2020-01-01", "2030-01-01"),),
        bounds=(("k|%", None, 1.0),),
        measures=(("k|%", 1.0),),
        codes=("441-001-S02",),
    )
    assert set(indexed(doc)) == set(INDEX_MAPPING["properties"])  # the mapping is strict
    assert INDEX_MAPPING["properties"]["location"]["type"] == "geo_point"
    assert all(INDEX_MAPPING["properties"][p]["type"] == "nested" for p in ("measures", "bounds", "licences"))
