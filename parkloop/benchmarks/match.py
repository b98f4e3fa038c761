"""`parkloop bench match`: ranked matches through the matching service (its Flask app,
in-process, with a signed principal) beside the raw matcher or engine query with the same
plan, in the same run:
- embedded matcher at 10k listings (the default adapter);
- Elasticsearch at 100k listings when PARKLOOP_BENCH_ELASTICSEARCH_URL is set;
- offer published → signed webhook received, through the whole embedded system.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

from parkloop.synthetic import TODAY, generate, sample_cases
from services.common.config import Settings
from services.common.identity import Principal, Role, sign_principal
from services.matching.app import create_app
from services.matching.domain.criteria import criteria_for
from services.matching.domain.scoring import components_for

from .common import environment, percentiles
from .webhook_latency import webhook_latency

ROUNDS = 5  # each sampled source is asked this many times


def _load(app, docs) -> None:
    store = app.extensions["parkloop.matching"].store
    with store.transaction() as tx:
        for doc in docs:
            tx.upsert_doc(doc)


def _compare(settings: Settings, dataset, raw_search) -> dict:
    docs = dataset.docs
    app = create_app(settings)
    ctx = app.extensions["parkloop.matching"]
    ctx.today = lambda: TODAY
    _load(app, docs)
    ctx.search.rebuild(docs)
    client = app.test_client()
    cases = sample_cases(dataset, per_group=5)
    via_service, raw = [], []
    for _ in range(ROUNDS):
        for case in cases:  # interleaved so both paths see the same machine load
            headers = sign_principal(Principal(Role.ADMIN, "bench"), settings.internal_secret)
            started = time.perf_counter()
            response = client.get(f"/api/v1/{case.source.side}s/{case.source.id}/matches", headers=headers)
            via_service.append(time.perf_counter() - started)
            assert response.status_code == 200, response.text
            criteria = criteria_for(case.source, case.filters, TODAY, ctx.delta_t_min_k)
            started = time.perf_counter()
            raw_search(ctx, criteria, components_for(case.source, ctx.delta_t_min_k))
            raw.append(time.perf_counter() - started)
    s, r = percentiles(via_service), percentiles(raw)
    return {
        "listings": len(docs),
        "via_service": s,
        "raw": r,
        "p50_ratio_service_to_raw": round(s["p50_ms"] / r["p50_ms"], 2),
    }


def _embedded(data: Path, count: int) -> dict:
    settings = Settings(
        "matching", data, f"sqlite:///{data / 'matching.db'}", f"sqlite:///{data / 'events.db'}", "bench"
    )
    return _compare(settings, generate(count), lambda ctx, c, parts: ctx.search.search(c, parts, 0.0, 0, 20))


def _elasticsearch(data: Path, url: str, count: int) -> dict:
    from services.matching.adapters.engine_query import build_query

    settings = Settings(
        "matching",
        data,
        f"sqlite:///{data / 'matching-es.db'}",
        f"sqlite:///{data / 'events.db'}",
        "bench",
        search_url=url,
    )

    def raw(ctx, criteria, parts):  # the same DSL the adapter sends, straight to the engine
        ctx.search.client.search(index=ctx.search.alias, body=build_query(criteria, parts, 0.0, 20))

    return _compare(settings, generate(count), raw)


def run(scale: int | None) -> dict:
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        results["embedded"] = _embedded(data, scale or 10_000)
        url = os.environ.get("PARKLOOP_BENCH_ELASTICSEARCH_URL")
        if url:
            results["elasticsearch"] = _elasticsearch(data, url, 100_000 if scale is None else scale * 10)
    results["offer_to_webhook"] = webhook_latency(20)
    return {"benchmark": "match", **results, **environment("elasticsearch")}
