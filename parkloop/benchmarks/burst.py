"""A burst of 1,000 offers through the gateway on PostgreSQL + Kafka + Elasticsearch (`parkloop
run`'s processes): for each offer, the time from its POST until the engine finds it (it is
matchable) and until the `match.found` alert it causes reaches a local webhook receiver. A
buyer's heat want, with a webhook, matches every offer: one alert per offer, no more, no less.
The time until the matching worker queued the alert (its delivery's `occurred_at`) splits the
alert's wait between raising it and delivering it.

`parkloop bench burst [--scale N]` runs bursts of N/10 and N offers (default 100 and 1,000) on the
engines of PARKLOOP_BENCH_KAFKA, PARKLOOP_BENCH_POSTGRES_URL and PARKLOOP_BENCH_ELASTICSEARCH_URL;
`growth` says how the p95 waits grow with the burst.
"""

from __future__ import annotations

import json
import math
import os
import secrets
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager

import sqlalchemy as sa

from parkloop.harness.bodies import heat_want, steam_offer
from parkloop.harness.receiver import Receiver

from .common import environment, free_port_block, percentiles
from .webhook_latency import bench_enterprises

POSTERS = 4  # clients posting at once
BURSTS = (100, 1_000)  # offers posted at once, for growth
WAITS = ("matchable_after_post", "alert_queued_after_post", "alert_after_post")
ENGINES = ("PARKLOOP_BENCH_KAFKA", "PARKLOOP_BENCH_POSTGRES_URL", "PARKLOOP_BENCH_ELASTICSEARCH_URL")
DEADLINE_S = 180  # after the last post, for everything to arrive


@contextmanager
def _databases(server_url: str, names: list[str]):
    """Fresh PostgreSQL databases on the bench server, dropped afterwards: name -> URL."""
    base = server_url.rsplit("/", 1)[0] + "/"
    admin = sa.create_engine(base + "postgres", isolation_level="AUTOCOMMIT")
    made = {name: f"bench_burst_{name}_{uuid.uuid4().hex[:8]}" for name in names}
    with admin.connect() as conn:
        for db in made.values():
            conn.exec_driver_sql(f"CREATE DATABASE {db}")
    try:
        yield {name: base + db for name, db in made.items()}
    finally:
        with admin.connect() as conn:
            for db in made.values():
                conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")
        admin.dispose()


def _start_at_the_end(kafka: str, group: str) -> None:
    """The run's matching group starts after every listing event already on the topic (earlier
    runs'), so that the burst is all the worker has to do."""
    from kafka import KafkaConsumer, TopicPartition
    from kafka.structs import OffsetAndMetadata

    from services.common.events import LISTINGS_TOPIC

    consumer = KafkaConsumer(bootstrap_servers=kafka, group_id=group, enable_auto_commit=False)
    try:
        partitions = [TopicPartition(LISTINGS_TOPIC, p) for p in consumer.partitions_for_topic(LISTINGS_TOPIC) or ()]
        if partitions:
            consumer.assign(partitions)
            consumer.seek_to_end(*partitions)
            consumer.commit({tp: OffsetAndMetadata(consumer.position(tp), "", -1) for tp in partitions})
    finally:
        consumer.close()


def _watch_index(search_url: str, alias: str, posted: dict[str, float], seen: dict[str, float], stop) -> None:
    """Ask the engine every 50 ms which posted offers a search finds (visible after a refresh)."""
    from elasticsearch import ApiError, Elasticsearch

    client = Elasticsearch(search_url)
    while not stop.is_set():
        pending = [i for i in list(posted) if i not in seen]
        try:
            if pending and client.indices.exists_alias(name=alias):
                found = client.search(
                    index=alias, body={"query": {"ids": {"values": pending}}, "_source": False, "size": len(pending)}
                )
                now = time.perf_counter()
                for hit in found["hits"]["hits"]:
                    seen.setdefault(hit["_id"], now)
        except ApiError:  # the index is still being created: its shard not yet allocated
            pass
        time.sleep(0.05)


def burst(count: int, kafka: str, postgres_url: str, search_url: str) -> dict:
    from parkloop.supervisor import Supervisor

    run = uuid.uuid4().hex[:8]
    alias = f"parkloop-burst-{run}"
    receiver = Receiver()
    posted: dict[str, float] = {}
    seen: dict[str, float] = {}
    stop = threading.Event()
    saved = dict(os.environ)
    with ExitStack() as stack, tempfile.TemporaryDirectory() as data:
        urls = stack.enter_context(_databases(postgres_url, ["gateway", "listings", "matching", "ledger"]))
        admin_key = "plk_" + secrets.token_urlsafe(24)
        os.environ.update(
            {f"{name.upper()}_DATABASE_URL": url for name, url in urls.items()},
            PARKLOOP_DATA=data,
            PARKLOOP_ADMIN_KEY=admin_key,
            PARKLOOP_DEMO="0",
            PARKLOOP_RATE_LIMITS="0",
            WEBHOOK_ALLOW_PRIVATE_TARGETS="1",
            EVENT_BUS=f"kafka://{kafka}",
            SEARCH_URL=search_url,
            MATCHING_INDEX_ALIAS=alias,
            MATCHING_CONSUMER_GROUP=f"matching-burst-{run}",
            LEDGER_CONSUMER_GROUP=f"ledger-burst-{run}",
        )
        _start_at_the_end(kafka, os.environ["MATCHING_CONSUMER_GROUP"])
        supervisor = Supervisor(free_port_block())
        watcher = threading.Thread(target=_watch_index, args=(search_url, alias, posted, seen, stop), daemon=True)
        try:
            supervisor.start()
            supervisor.wait_ready(timeout_s=120)
            url = f"http://127.0.0.1:{supervisor.port}/api/v1"
            buyer, seller = bench_enterprises(url, admin_key)
            buyer.post(f"{url}/wants", json=heat_want()).raise_for_status()
            buyer.post(f"{url}/webhooks", json={"url": receiver.url, "min_score": 0}).raise_for_status()
            watcher.start()

            def post(n: int) -> None:
                started = time.perf_counter()
                answer = seller.post(f"{url}/offers", json=steam_offer(title=f"Steam {n}"))
                answer.raise_for_status()
                posted[answer.json()["id"]] = started

            began = time.perf_counter()
            with ThreadPoolExecutor(POSTERS) as pool:
                list(pool.map(post, range(count)))
            posting_s = time.perf_counter() - began
            deadline = time.monotonic() + DEADLINE_S
            while time.monotonic() < deadline and (len(seen) < count or len(receiver.received) < count):
                time.sleep(0.2)
            queued = _queued(urls["matching"])
        finally:
            stop.set()
            supervisor.stop()
            receiver.close()
            os.environ.clear()
            os.environ.update(saved)
            _drop_alias(search_url, alias)
    deliveries_per_offer = []
    alerted: dict[str, float] = {}
    for _, body, at in receiver.deliveries:
        deliveries_per_offer.append(json.loads(body)["data"]["match"]["id"])
        alerted.setdefault(deliveries_per_offer[-1], at)
    return {
        "listings": count,
        "posting_s": round(posting_s, 2),
        "matchable_after_post": _percentiles([seen[i] - t for i, t in posted.items() if i in seen]),
        "alert_queued_after_post": _percentiles([queued[i] - t for i, t in posted.items() if i in queued]),
        "alert_after_post": _percentiles([alerted[i] - t for i, t in posted.items() if i in alerted]),
        "never_matchable": sum(i not in seen for i in posted),
        "never_alerted": sum(i not in alerted for i in posted),
        "alerted_more_than_once": len(deliveries_per_offer) - len(set(deliveries_per_offer)),
        "load_average": [round(load, 1) for load in os.getloadavg()],  # the machine is shared: read figures with it
    }


def _queued(matching_url: str) -> dict[str, float]:
    """Offer id -> when the matching worker queued its alert, on the perf_counter clock."""
    from services.common.db import as_utc
    from services.matching.adapters.tables import webhook_deliveries

    perf_minus_wall = time.perf_counter() - time.time()
    engine = sa.create_engine(matching_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(sa.select(webhook_deliveries.c.payload, webhook_deliveries.c.occurred_at)).all()
    finally:
        engine.dispose()
    return {row.payload["match"]["id"]: as_utc(row.occurred_at).timestamp() + perf_minus_wall for row in rows}


def run(scale: int | None) -> dict:
    sizes = BURSTS if scale is None else (max(1, scale // 10), scale)
    missing = [var for var in ENGINES if not os.environ.get(var)]
    if missing:
        raise SystemExit(f"bench burst needs {', '.join(missing)} (see infra/run-benchmarks.sh)")
    engines = (os.environ[var] for var in ENGINES)
    return {"benchmark": "burst", **bursts(sizes, *engines), **environment("elasticsearch")}


def bursts(sizes: tuple[int, ...], kafka: str, postgres_url: str, search_url: str) -> dict:
    """A burst of each size, and how the p95 waits grow: k in p95 ∝ offers^k."""
    runs = [burst(size, kafka, postgres_url, search_url) for size in sizes]
    small, large = runs[0], runs[-1]
    growth: dict = {"offers": [small["listings"], large["listings"]]}
    for wait in WAITS:
        if small[wait] and large[wait] and large is not small:
            ratio = large[wait]["p95_ms"] / small[wait]["p95_ms"]
            k = math.log(ratio) / math.log(large["listings"] / small["listings"])
            growth[wait] = {"p95_ratio": round(ratio, 2), "exponent": round(k, 2)}
    return {"runs": runs, "growth": growth}


def _percentiles(samples: list[float]) -> dict | None:
    return percentiles(samples) if samples else None


def _drop_alias(search_url: str, alias: str) -> None:
    from elasticsearch import Elasticsearch

    client = Elasticsearch(search_url)
    if client.indices.exists_alias(name=alias):
        for index in client.indices.get_alias(name=alias):
            client.indices.delete(index=index)
