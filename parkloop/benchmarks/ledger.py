"""`parkloop bench ledger`: completed exchanges per second from the bus into durable ledger
entries with signed checkpoints, beside the raw rate of consuming the same messages from the
same bus (committing each batch, no work) in the same run. On the embedded SQLite log; on Kafka +
PostgreSQL too when PARKLOOP_BENCH_KAFKA and PARKLOOP_BENCH_POSTGRES_URL are set."""

from __future__ import annotations

import os
import tempfile
import time
import uuid
from pathlib import Path

from services.common.bus import connect_bus
from services.common.config import Settings
from services.common.events import EXCHANGES_TOPIC, Event
from services.ledger.bootstrap import bootstrap
from services.ledger.service_layer.recording import record_batch

from .common import environment


def exchange_completed(n: int) -> Event:
    exchange_id = str(uuid.uuid4())
    payload = {
        "exchange_id": exchange_id,
        "kind": "heat",
        "offer_id": str(uuid.uuid4()),
        "want_id": None,
        "supplier": {"enterprise_id": "e-supplier", "park_id": "p-bench"},
        "receiver": {"enterprise_id": "e-receiver", "park_id": "p-bench"},
        "waste_code": None,
        "hazardous": False,
        "agreed_amount": "1000",
        "agreed_unit": "GJ",
        "completed_at": "2026-06-30T08:00:00+00:00",
        "deliveries": [
            {
                "id": str(uuid.uuid4()),
                "delivered_on": "2026-06-30",
                "amount": f"{100 + n % 50}.5",
                "unit": "GJ",
                "evidence": {"meter_reading": f"M-{n}"},
                "substitution": {"substitutes": "boiler_heat", "fuel": "coal", "boiler_efficiency": "0.85"},
            }
        ],
    }
    return Event("ExchangeCompleted", exchange_id, payload)


def drain(bus, topic: str, group: str, count: int, handle) -> float:
    """Seconds to consume `count` deliveries, committing each after `handle` (batch by batch)."""
    started = time.perf_counter()
    seen = 0
    with bus.consumer(group, [topic]) as consumer:
        while seen < count:
            batch = consumer.poll(max_records=500, timeout_s=1.0)
            handle(batch)
            consumer.commit_all(batch)
            seen += len(batch)
    return time.perf_counter() - started


def measure(bus_url: str, database_url: str, data_dir: Path, count: int) -> dict:
    run_id = uuid.uuid4().hex[:8]
    topic = f"{EXCHANGES_TOPIC}.bench-{run_id}"  # only this run's events, even on a shared broker
    bus = connect_bus(bus_url)
    bus.ensure_topics([topic])
    for n in range(count):
        bus.publish(topic, exchange_completed(n))
    ctx = bootstrap(Settings("ledger", data_dir, database_url, bus_url, "bench"))

    raw_s = drain(bus, topic, f"bench-raw-{run_id}", count, lambda batch: None)
    ledger_s = drain(
        bus, topic, f"bench-ledger-{run_id}", count, lambda batch: record_batch(ctx, [d.event for d in batch])
    )  # as the ledger worker does
    assert ctx.store.size() == count, "every exchange must become exactly one entry"
    return {
        "events": count,
        "raw_consume_per_s": round(count / raw_s, 1),
        "ledger_entries_per_s": round(count / ledger_s, 1),
        "ratio_ledger_to_raw": round(raw_s / ledger_s, 4),
    }


def run(scale: int | None) -> dict:
    count = scale or 2000
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        results["embedded"] = measure(f"sqlite:///{data / 'events.db'}", f"sqlite:///{data / 'ledger.db'}", data, count)
        if os.environ.get("PARKLOOP_BENCH_KAFKA") and os.environ.get("PARKLOOP_BENCH_POSTGRES_URL"):
            results["kafka_postgres"] = measure(
                f"kafka://{os.environ['PARKLOOP_BENCH_KAFKA']}", os.environ["PARKLOOP_BENCH_POSTGRES_URL"], data, count
            )
    return {"benchmark": "ledger", "scale": {"exchanges": count}, **results, **environment("kafka-python")}
