"""`parkloop bench match`: ranked matches at two sizes, each beside a baseline measured in the
same run, interleaved so that every path sees the same machine load:
- embedded matcher at 10k and 100k listings: through the service (its Flask app, in-process,
  with a signed principal) and the adapter alone;
- Elasticsearch (PARKLOOP_BENCH_ELASTICSEARCH_URL) and OpenSearch (PARKLOOP_BENCH_OPENSEARCH_URL)
  at 10k and 100k listings (`--scale N`: N/10 and N): through the service, the adapter alone,
  and the plain engine query of the same intent (term filters on kind/side/status, geo_distance
  within the radius, function_score with a gauss on location and a decay on quantity, size 20),
  the baseline the adapter's p95 is held to (goal: at most 1.2 times);
- bursts of 100 and 1,000 offers through the gateway on PostgreSQL + Kafka + Elasticsearch
  (PARKLOOP_BENCH_KAFKA, PARKLOOP_BENCH_POSTGRES_URL and the Elasticsearch URL): each offer's
  time until it is matchable, until its alert is queued and until it arrives (burst.py; also
  `parkloop bench burst` alone);
- offer published → signed webhook received, through the whole embedded system.

`growth` says how p95 grows with the listings: the exponent k in p95 ∝ listings^k.
"""

from __future__ import annotations

import math
import os
import tempfile
import time
from dataclasses import replace
from functools import partial
from pathlib import Path

from parkloop.synthetic import TODAY, Dataset, generate, sample_cases
from services.common.config import Settings
from services.common.identity import Principal, Role, sign_principal
from services.matching.app import create_app
from services.matching.domain.criteria import criteria_for
from services.matching.domain.scoring import components_for

from .burst import BURSTS, bursts
from .common import environment, percentiles
from .webhook_latency import webhook_latency

ROUNDS = 20  # each sampled source is asked this many times: 600 calls a path, so one stall moves no p95
EMBEDDED_SIZES = (10_000, 100_000)
ENGINE_SIZES = (10_000, 100_000)
ENGINES = {"elasticsearch": "PARKLOOP_BENCH_ELASTICSEARCH_URL", "opensearch": "PARKLOOP_BENCH_OPENSEARCH_URL"}


def plain_query(criteria, components) -> dict:
    """What a developer would write for the same intent, without our exact criteria."""
    from services.matching.adapters.engine_query import decay_function

    lat, lon = criteria.origin
    within = {"distance": f"{criteria.max_distance_km}km", "location": {"lat": lat, "lon": lon}}
    filters = [{"term": {f: v}} for f, v in (("kind", criteria.kind), ("side", criteria.side), ("status", "active"))]
    filters.append({"geo_distance": within})
    return {
        "query": {
            "function_score": {
                "query": {"bool": {"filter": filters}},
                "functions": [decay_function(part) for part in components[:2]],  # location, quantity
                "score_mode": "sum",
                "boost_mode": "replace",
            }
        },
        "size": 20,
        "track_total_hits": False,
    }


def _plain(search, criteria, components) -> None:
    search.client.search(index=search.alias, body=plain_query(criteria, components))


def _load(settings: Settings, docs) -> None:
    store = create_app(settings).extensions["parkloop.matching"].store
    with store.transaction() as tx:
        for doc in docs:
            tx.upsert_doc(doc)


def _measure(settings: Settings, dataset: Dataset, with_plain: bool) -> dict:
    app = create_app(settings)
    ctx = app.extensions["parkloop.matching"]
    ctx.today = lambda: TODAY
    ctx.search.rebuild(dataset.docs)
    client = app.test_client()
    cases = sample_cases(dataset, per_group=5)
    paths: dict[str, list[float]] = {"via_service": [], "adapter": [], **({"plain": []} if with_plain else {})}
    for round_ in range(ROUNDS):
        for n, case in enumerate(cases):
            headers = sign_principal(Principal(Role.ADMIN, "bench"), settings.internal_secret)
            criteria = criteria_for(case.source, case.filters, TODAY, ctx.delta_t_min_k)
            parts = components_for(case.source, ctx.delta_t_min_k)
            url = f"/api/v1/{case.source.side}s/{case.source.id}/matches"
            calls = {
                "via_service": partial(client.get, url, headers=headers),
                "adapter": partial(ctx.search.search, criteria, parts, case.filters.min_score, 0, 20),
                "plain": partial(_plain, ctx.search, criteria, parts),
            }
            names = [name for name in calls if name in paths]
            shift = (round_ + n) % len(names)  # each path goes first as often: the engine's caches warm for the next
            for name in names[shift:] + names[:shift]:
                started = time.perf_counter()
                answer = calls[name]()
                paths[name].append(time.perf_counter() - started)
                if name == "via_service":
                    assert answer.status_code == 200, answer.text
    if with_plain:
        ctx.search.drop()
    figures = {name: percentiles(samples) for name, samples in paths.items()}
    result: dict = {"listings": len(dataset.docs), **figures}
    if with_plain:
        result["p95_ratio_adapter_to_plain"] = round(figures["adapter"]["p95_ms"] / figures["plain"]["p95_ms"], 2)
        result["p50_ratio_adapter_to_plain"] = round(figures["adapter"]["p50_ms"] / figures["plain"]["p50_ms"], 2)
    return result


def growth(runs: list[dict], path: str = "adapter") -> dict:
    """k in p95 ∝ listings^k between the smallest and the largest size (1: linear, 0: flat)."""
    small, large = runs[0], runs[-1]
    ratio = large[path]["p95_ms"] / small[path]["p95_ms"]
    k = math.log(ratio) / math.log(large["listings"] / small["listings"])
    return {
        "path": path,
        "listings": [small["listings"], large["listings"]],
        "p95_ratio": round(ratio, 2),
        "exponent": round(k, 2),
    }


def run(scale: int | None) -> dict:
    engine_sizes = ENGINE_SIZES if scale is None else (scale // 10, scale)
    urls = {name: os.environ[var] for name, var in ENGINES.items() if os.environ.get(var)}
    results: dict = {name: {"runs": []} for name in ("embedded", *urls)}
    with tempfile.TemporaryDirectory() as tmp:
        for size in sorted({*EMBEDDED_SIZES, *(engine_sizes if urls else ())}):
            data = Path(tmp) / str(size)
            data.mkdir()
            settings = Settings(
                "matching", data, f"sqlite:///{data / 'matching.db'}", f"sqlite:///{data / 'events.db'}", "bench"
            )
            dataset = generate(size)
            _load(settings, dataset.docs)
            if size in EMBEDDED_SIZES:
                results["embedded"]["runs"].append(_measure(settings, dataset, with_plain=False))
            for name, url in urls.items():
                if size in engine_sizes:
                    prefix = "opensearch+" if name == "opensearch" else ""
                    engine = replace(settings, search_url=prefix + url)
                    results[name]["runs"].append(_measure(engine, dataset, with_plain=True))
    for found in results.values():
        if len(found["runs"]) > 1:
            found["growth"] = growth(found["runs"])
    kafka, postgres = os.environ.get("PARKLOOP_BENCH_KAFKA"), os.environ.get("PARKLOOP_BENCH_POSTGRES_URL")
    if kafka and postgres and "elasticsearch" in urls:
        results["burst"] = bursts(BURSTS, kafka, postgres, urls["elasticsearch"])
    results["offer_to_webhook"] = webhook_latency(20)
    return {"benchmark": "match", **results, **environment("elasticsearch", "opensearch-py")}
