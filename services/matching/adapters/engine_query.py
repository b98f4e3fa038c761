"""One query builder for both search engines (Elasticsearch 9, OpenSearch 3): the index
mapping, and the query DSL that `Criteria` and a score plan become.

Everything here is plain query DSL as dicts, which both official clients accept as `body=`;
the adapter that sends it, and re-checks what comes back, is `engine_index.py`. Nothing needs
scripts or custom analyzers, which the engines run here lack.

How `Criteria` maps to the DSL (see `Criteria.accepts`, which stays the definition):

- kind, side, status "active": `term` filters; the source's enterprise: `must_not` `term`;
- availability windows overlap: `range` available_from <= window_until, available_until >= window_from;
- distance: `geo_distance` <= criteria.max_distance_km (padded a little outwards); the
  candidate's own limit is its reach, indexed as the lat/lon bounding box of its circle in two
  `double_range` fields, and two `term` filters ask that the box hold the origin (see
  `reach_fields`, `_reach_filters`). The box is larger than the circle near its corners, and
  the exact test needs the per-document distance, i.e. a script, so the adapter re-checks
  every returned hit with `Criteria.accepts` and pages on with search_after;
- park_ids, codes_any, media: `terms`; an empty tuple matches nothing (`match_none`);
- licence_for: `nested` licences with that code and valid_from <= on <= valid_until;
- temperature/pressure/rank min and max: `range` (a missing value fails, as in `accepts`),
  except pressure_max, which also accepts documents without a pressure and non-steam wants;
- required_measures: one `nested` measures query per bound: the key present and in range;
- offered_measures: `must_not` a `nested` bound that the offer violates: a key not offered,
  a min above the offered value or a max below it (a missing min/max is open).

The score is `function_score` (`score_mode` sum, `boost_mode` replace), one decay function
with `weight` per domain `Decay`; results sort by `_score` desc then `id` asc.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from services.common.geo import Location, bounding_box, longitude_spans
from services.matching.domain.criteria import Criteria
from services.matching.domain.documents import ListingDoc, doc_to_dict
from services.matching.domain.scoring import Decay

_KEYWORD = {"type": "keyword"}
_DOUBLE = {"type": "double"}
_DATE = {"type": "date", "format": "strict_date"}  # ISO dates, as ListingDoc keeps them
_RANGE = {"type": "double_range"}

# Bumped when the mapping gains what queries rely on; `_meta.schema` of an index says which it has.
# 2: reach_lat/reach_lon. An older index is brought up to date in place (engine_index.py).
SCHEMA = 2
REACH_PROPERTIES = {"reach_lat": _RANGE, "reach_lon": _RANGE}

INDEX_SETTINGS = {"number_of_shards": 1, "number_of_replicas": 0}
INDEX_MAPPING = {
    "dynamic": "strict",
    "_meta": {"schema": SCHEMA},
    "properties": {
        **REACH_PROPERTIES,
        "id": _KEYWORD,
        "side": _KEYWORD,
        "kind": _KEYWORD,
        "status": _KEYWORD,
        "enterprise_id": _KEYWORD,
        "park_id": _KEYWORD,
        "codes": _KEYWORD,
        "medium": _KEYWORD,
        "title": {"type": "text"},
        "location": {"type": "geo_point"},
        "lat": _DOUBLE,
        "lon": _DOUBLE,
        # double, not float: filters compare exactly as Python does, decays read exact values
        "max_distance_km": _DOUBLE,
        "quantity": _DOUBLE,
        "log_quantity": _DOUBLE,
        "temperature_c": _DOUBLE,
        "pressure_mpa": _DOUBLE,
        "reuse_rank": {"type": "integer"},
        "hazardous": {"type": "boolean"},
        "available_from": _DATE,
        "available_until": _DATE,
        "measures": {"type": "nested", "properties": {"key": _KEYWORD, "value": _DOUBLE}},
        "bounds": {"type": "nested", "properties": {"key": _KEYWORD, "min": _DOUBLE, "max": _DOUBLE}},
        "licences": {
            "type": "nested",
            "properties": {"code": _KEYWORD, "valid_from": _DATE, "valid_until": _DATE, "supplier": _KEYWORD},
        },
    },
}

SORT = [{"_score": "desc"}, {"id": "asc"}]

# The engine filters are a superset of `accepts`; Python has the last word. Pads cover the
# engines' quantised coordinates and sloppy trigonometry (millimetres) with a wide margin.
DISTANCE_PAD_KM = 0.01
DISTANCE_PAD_REL = 1e-6
# Engine scores are float32: let the engine keep candidates just under min_score, and the
# domain's own score decide, exactly as the embedded matcher does.
MIN_SCORE_SLACK = 1e-5


def index_body() -> dict:
    return {"settings": INDEX_SETTINGS, "mappings": INDEX_MAPPING}


# ---------------------------------------------------------------- query builder


def _term(field: str, value: Any) -> dict:
    return {"term": {field: value}}


def _terms(field: str, values: Iterable) -> dict:
    values = list(values)
    return {"terms": {field: values}} if values else {"match_none": {}}


def _range(field: str, **bounds) -> dict:
    return {"range": {field: {op: v for op, v in bounds.items() if v is not None}}}


def _nested(path: str, *filters: dict, must_not: Iterable[dict] = ()) -> dict:
    inner: dict = {"filter": list(filters)}
    must_not = list(must_not)
    if must_not:
        inner["must_not"] = must_not
    return {"nested": {"path": path, "query": {"bool": inner}, "score_mode": "none"}}


def _geo_within(origin: tuple[float, float], km: float) -> dict:
    padded = km * (1 + DISTANCE_PAD_REL) + DISTANCE_PAD_KM
    return {"geo_distance": {"distance": f"{padded!r}km", "location": {"lat": origin[0], "lon": origin[1]}}}


def reach_fields(doc: ListingDoc) -> dict:
    """The candidate's own distance limit as the bounding box of its circle (padded outwards):
    a latitude range and one or two longitude ranges (two across the antimeridian)."""
    padded = doc.max_distance_km * (1 + DISTANCE_PAD_REL) + DISTANCE_PAD_KM
    min_lat, max_lat, min_lon, max_lon = bounding_box(Location(doc.lat, doc.lon), padded)
    return {
        "reach_lat": {"gte": min_lat, "lte": max_lat},
        "reach_lon": [{"gte": low, "lte": high} for low, high in longitude_spans(min_lon, max_lon)],
    }


def indexed(doc: ListingDoc) -> dict:
    """What the engines index for a document: its stored form and its reach."""
    return {**doc_to_dict(doc), **reach_fields(doc)}


def stored(source: dict) -> dict:
    """A hit's `_source` without its reach: the form `doc_from_dict` reads."""
    return {key: value for key, value in source.items() if key not in REACH_PROPERTIES}


def _reach_filters(criteria: Criteria, unboxed_too: bool) -> list[dict]:
    """Within the criteria's distance, and the origin inside the candidate's reach box.
    `unboxed_too`: also let through documents indexed before reach boxes existed (an index
    being upgraded); the Python re-check decides for them as for every box corner."""
    lat, lon = criteria.origin
    reach: dict = {"bool": {"filter": [_term("reach_lat", lat), _term("reach_lon", lon)]}}
    if unboxed_too:
        unboxed = {"bool": {"must_not": [{"exists": {"field": "reach_lat"}}]}}
        reach = {"bool": {"should": [reach, unboxed], "minimum_should_match": 1}}
    return [_geo_within(criteria.origin, criteria.max_distance_km), reach]


def _within(key: str, low: float | None, high: float | None) -> dict:
    """A measure with this key exists and lies in [low, high] (either side open)."""
    clauses = [_term("measures.key", key)]
    if low is not None or high is not None:
        clauses.append(_range("measures.value", gte=low, lte=high))
    return _nested("measures", *clauses)


def _violated_bound(offered: dict[str, float]) -> dict:
    """A candidate bound the offer fails: its key is not offered, or the value is outside it."""
    ways = [_nested("bounds", {"match_all": {}}, must_not=[_terms("bounds.key", offered)] if offered else [])]
    for key, value in offered.items():
        ways.append(
            _nested(
                "bounds",
                _term("bounds.key", key),
                {
                    "bool": {
                        "should": [_range("bounds.min", gt=value), _range("bounds.max", lt=value)],
                        "minimum_should_match": 1,
                    }
                },
            )
        )
    return {"bool": {"should": ways, "minimum_should_match": 1}}


def criteria_filters(criteria: Criteria, unboxed_too: bool = False) -> dict:
    """A `bool` query (filter and must_not only) equal to `criteria.accepts`, except that the
    candidate's own distance limit is only prefiltered by its reach box (see `_reach_filters`)."""
    c = criteria
    filters = [
        _term("kind", c.kind),
        _term("side", c.side),
        _term("status", "active"),
        _range("available_from", lte=c.window_until),
        _range("available_until", gte=c.window_from),
        *_reach_filters(c, unboxed_too),
    ]
    must_not = [_term("enterprise_id", c.exclude_enterprise), _violated_bound(c.offered_measures)]
    if c.park_ids is not None:
        filters.append(_terms("park_id", c.park_ids))
    if c.codes_any is not None:
        from_directed = [
            {"bool": {"filter": [_term("enterprise_id", supplier), _term("codes", code)]}}
            for supplier, code in c.directed
        ]
        filters.append({"bool": {"should": [_terms("codes", c.codes_any), *from_directed], "minimum_should_match": 1}})
    if c.licence_for is not None:
        # a licence (no supplier) or an approval naming this supplier
        suppliers = [{"bool": {"must_not": [{"exists": {"field": "licences.supplier"}}]}}]
        if c.licence_supplier is not None:
            suppliers.append(_term("licences.supplier", c.licence_supplier))
        filters.append(
            _nested(
                "licences",
                _term("licences.code", c.licence_for),
                _range("licences.valid_from", lte=c.on),
                _range("licences.valid_until", gte=c.on),
                {"bool": {"should": suppliers, "minimum_should_match": 1}},
            )
        )
    if c.media is not None:
        filters.append(_terms("medium", c.media))
    if c.temperature_min is not None or c.temperature_max is not None:
        filters.append(_range("temperature_c", gte=c.temperature_min, lte=c.temperature_max))
    if c.pressure_min is not None:
        filters.append(_range("pressure_mpa", gte=c.pressure_min))
    if c.pressure_max is not None:
        filters.append(
            {
                "bool": {
                    "should": [
                        _range("pressure_mpa", lte=c.pressure_max),
                        {"bool": {"must_not": [{"exists": {"field": "pressure_mpa"}}]}},
                        {"bool": {"must_not": [{"term": {"medium": "steam"}}]}},
                    ],
                    "minimum_should_match": 1,
                }
            }
        )
    if c.rank_min is not None or c.rank_max is not None:
        filters.append(_range("reuse_rank", gte=c.rank_min, lte=c.rank_max))
    for key, low, high in c.required_measures:
        filters.append(_within(key, low, high))
    return {"bool": {"filter": filters, "must_not": must_not}}


def decay_function(part: Decay) -> dict:
    """One weighted decay function, the engines' version of `Decay.value`."""
    scale, decay = part.scale, part.decay  # Decay guarantees 0 < decay < 1, as the engines require
    if part.field == "location":
        lat, lon = part.origin
        spec = {
            "origin": {"lat": lat, "lon": lon},
            "scale": f"{scale!r}km",
            "offset": f"{part.offset!r}km",
            "decay": decay,
        }
    else:
        spec = {"origin": part.origin, "scale": scale, "offset": part.offset, "decay": decay}
    return {part.function: {part.field: spec}, "weight": part.weight}


def build_query(
    criteria: Criteria,
    components: tuple[Decay, ...],
    min_score: float,
    size: int,
    search_after: list | None = None,
    unboxed_too: bool = False,
) -> dict:
    """The search body: filters equal to the criteria (but the candidate's own distance limit),
    the score plan as a function_score, best first and ties by id. Hits come with their whole
    `_source`: asking the engine to leave the reach out costs it more than sending it (`stored`)."""
    body: dict = {
        "query": {
            "function_score": {
                "query": criteria_filters(criteria, unboxed_too),
                "functions": [decay_function(part) for part in components],
                "score_mode": "sum",
                "boost_mode": "replace",
            }
        },
        "sort": SORT,
        "size": size,
        "track_total_hits": False,
    }
    if min_score > 0:
        body["min_score"] = max(0.0, min_score - MIN_SCORE_SLACK)
    if search_after is not None:
        body["search_after"] = list(search_after)
    return body
