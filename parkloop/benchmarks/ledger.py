"""`parkloop bench ledger`: completed exchanges per second from the bus into durable ledger
entries with signed checkpoints, beside the raw rate of consuming the same messages from the
same bus (committing each batch, no work) in the same run; the events are first put on the bus by
the listings service's outbox relay, from an outbox table, which is timed too. On the embedded SQLite
log (outbox in SQLite); on Kafka + PostgreSQL (outbox in PostgreSQL) too when PARKLOOP_BENCH_KAFKA and
PARKLOOP_BENCH_POSTGRES_URL are set. The default is 100,000 events: at a few thousand, consumer
start-up and the group join dominate the figures."""

from __future__ import annotations

import base64
import json
import logging
import math
import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import sqlalchemy as sa

from services.common.bus import connect_bus
from services.common.config import Settings
from services.common.events import EXCHANGES_TOPIC, Event
from services.common.outbox import OutboxRelay, add_to_outbox, outbox_table
from services.common.worker import RETRY_AFTER_S, consume_overlapped, settle_heap
from services.ledger.bootstrap import bootstrap
from services.ledger.domain import merkle
from services.ledger.domain.checkpoint import sign_checkpoint
from services.ledger.domain.compact_range import CompactRange
from services.ledger.domain.entries import exchange_entry
from services.ledger.domain.note_keys import SigningKey
from services.ledger.service_layer.recording import entry_facts, sign_latest
from services.ledger.worker import BATCH as LEDGER_BATCH  # a signed checkpoint after each
from services.ledger.worker import follow, record_polled

from .common import environment

log = logging.getLogger("parkloop.bench.ledger")
RAW_BATCH = 2000  # the Kafka consumer's max_poll_records


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


def drain(bus, topic: str, group: str, count: int, handle, batch: int) -> tuple[float, float, float]:
    """Consume `count` deliveries, committing each batch (of up to `batch`) after `handle`. Returns the
    seconds from the first delivery to the last commit, the CPU seconds this process spent in them (its
    threads included), and the seconds the consumer took to start and join its group until that first
    delivery, kept apart so the rates say what a running worker sustains. On a machine shared with other
    work the first says what the machine had to spare, the second what the work itself costs here."""
    started = time.perf_counter()
    seen = 0
    with bus.consumer(group, [topic]) as consumer:
        polled = []
        while not polled:
            polled = consumer.poll(max_records=batch, timeout_s=1.0)
        steady, cpu = time.perf_counter(), time.process_time()
        while True:
            handle(polled)
            consumer.commit_all(polled)
            seen += len(polled)
            if seen >= count:
                break
            polled = consumer.poll(max_records=batch, timeout_s=1.0)
    return time.perf_counter() - steady, time.process_time() - cpu, steady - started


class _Counting:
    """A consumer that counts what it has polled: the benchmark stops polling at `count`."""

    def __init__(self, consumer):
        self.consumer, self.polled = consumer, 0

    def poll(self, max_records: int, timeout_s: float) -> list:
        polled = self.consumer.poll(max_records, timeout_s)
        self.polled += len(polled)
        return polled

    def commit_all(self, batch: list) -> None:
        self.consumer.commit_all(batch)


def drain_as_the_worker(bus, topic: str, group: str, count: int, ctx) -> tuple[float, float, float]:
    """`drain` through the ledger worker's own loop (each poll recorded while the next is read): the
    same three figures, steady from the first poll handed to the recorder."""
    started = time.perf_counter()
    steady: list[float] = []  # wall and CPU clocks when the first poll reached the recorder

    def record(polled) -> None:
        if not steady:
            steady.extend((time.perf_counter(), time.process_time()))
        record_polled(ctx, polled)

    with bus.consumer(group, [topic]) as consumer:
        counting = _Counting(consumer)
        consume_overlapped(counting, record, lambda: counting.polled >= count, LEDGER_BATCH, 1.0)  # type: ignore[arg-type]
    return time.perf_counter() - steady[0], time.process_time() - steady[1], steady[0] - started


def relay(bus, outbox_url: str, topic: str, count: int) -> float:
    """Seconds for the listings service's outbox relay to publish `count` committed events to `topic`."""
    metadata = sa.MetaData()
    outbox = outbox_table(metadata)
    engine = sa.create_engine(outbox_url)
    metadata.drop_all(engine)
    metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(
            outbox.insert(),
            [
                {"event_id": e.id, "topic": topic, "event": e.to_json().decode()}
                for e in (exchange_completed(n) for n in range(count))
            ],
        )
    started = time.perf_counter()
    outbox_relay = OutboxRelay(engine, outbox, bus)
    while outbox_relay.relay_once():
        pass
    elapsed = time.perf_counter() - started
    assert outbox_relay.pending() == 0
    metadata.drop_all(engine)
    engine.dispose()
    return elapsed


def measure(bus_url: str, database_url: str, outbox_url: str, data_dir: Path, count: int) -> dict:
    settle_heap()  # as the relay and the ledger worker do once started
    run_id = uuid.uuid4().hex[:8]
    topic = f"{EXCHANGES_TOPIC}.bench-{run_id}"  # only this run's events, even on a shared broker
    bus = connect_bus(bus_url)
    bus.ensure_topics([topic])
    relay_s = relay(bus, outbox_url, topic, count)
    ctx = bootstrap(Settings("ledger", data_dir, database_url, bus_url, "bench"))
    before = ctx.store.size()

    raw_s, raw_cpu_s, raw_start_s = drain(bus, topic, f"bench-raw-{run_id}", count, lambda polled: None, RAW_BATCH)
    ledger_s, ledger_cpu_s, ledger_start_s = drain_as_the_worker(bus, topic, f"bench-ledger-{run_id}", count, ctx)
    assert ctx.store.size() == before + count, "every exchange must become exactly one entry"
    bus.close()
    return {
        "events": count,
        "relay_publish_per_s": round(count / relay_s, 1),
        "raw_consume_per_s": round(count / raw_s, 1),
        "ledger_entries_per_s": round(count / ledger_s, 1),
        "ratio_ledger_to_raw": round(raw_s / ledger_s, 4),
        "raw_cpu_us_per_event": round(raw_cpu_s / count * 1e6, 1),
        "ledger_cpu_us_per_entry": round(ledger_cpu_s / count * 1e6, 1),  # the database's own CPU not included
        "consumer_start_s": {"raw": round(raw_start_s, 2), "ledger": round(ledger_start_s, 2)},  # not in the rates
    }


VERIFY_SIZES = (100_000, 1_000_000)
ORIGIN = "parkloop.bench/ledger"


def write_export(path: Path, count: int, every: int = LEDGER_BATCH, rewrite: int | None = None) -> None:
    """An export as `parkloop ledger export` writes it: `count` exchange entries, their recorded hashes,
    a checkpoint signed after every `every` entries and at the end. `rewrite`: that entry is replaced,
    with its recorded hash, after the checkpoints were signed (a forgery the checkpoints must locate)."""
    key = SigningKey.generate(ORIGIN)
    frontier, hashes, notes = CompactRange(), [], []
    contribution = {"co2_t": "1.234", "energy_tce": "0.456"}
    with path.open("w") as out:
        out.write('{"entries":[')
        for n in range(count):
            event = exchange_completed(n)
            data = exchange_entry(n, event.id, "2026-06-30T08:00:00+00:00", event.payload, contribution)
            frontier.append(merkle.leaf_hash(data))
            hashes.append(merkle.leaf_hash(data))
            if frontier.size % every == 0 or frontier.size == count:
                notes.append(sign_checkpoint(ORIGIN, frontier.size, frontier.root(), key))
            if n == rewrite:
                data = data.replace(b'"1.234"', b'"9.234"')
                hashes[n] = merkle.leaf_hash(data)
            out.write(("," if n else "") + json.dumps(base64.b64encode(data).decode()))
        out.write('],"leaf_hashes":' + json.dumps([base64.b64encode(h).decode() for h in hashes]))
        out.write(',"checkpoints":' + json.dumps(notes) + ',"checkpoint":' + json.dumps(notes[-1]))
        out.write(',"origin":' + json.dumps(ORIGIN) + ',"public_key":' + json.dumps(key.verifier_text()) + "}")


# `parkloop ledger verify`, then its own peak RSS (VmHWM: of this program, not of the process it was forked from)
_VERIFY_REPORTING_PEAK_RSS = (
    "import sys; from parkloop.cli import main; code = main(sys.argv[1:]); "
    "print(next(line for line in open('/proc/self/status') if line.startswith('VmHWM')), file=sys.stderr); "
    "sys.exit(code)"
)


def verify_at(data_dir: Path, count: int) -> dict:
    """`parkloop ledger verify` of an export of `count` entries, in its own process: seconds and peak RSS."""
    path = data_dir / f"export-{count}.json"
    write_export(path, count)
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", _VERIFY_REPORTING_PEAK_RSS, "ledger", "verify", str(path)],
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - started
    assert done.returncode == 0 and done.stdout.startswith(f"OK: {count} entries"), done.stdout + done.stderr
    peak_kib = int(done.stderr.split("VmHWM:")[1].split()[0])
    size_mb = path.stat().st_size / 2**20
    path.unlink()
    return {
        "events": count,
        "export_mib": round(size_mb, 1),
        "seconds": round(elapsed, 2),
        "entries_per_s": round(count / elapsed, 1),
        "peak_rss_mib": round(peak_kib / 1024, 1),
    }


def build_store(data_dir: Path, count: int) -> str:
    """A ledger database of `count` exchange entries, written straight into the store (as the worker
    would, without the bus), with one signed checkpoint; returns its URL."""
    url = f"sqlite:///{data_dir / f'server-{count}.db'}"
    ctx = bootstrap(Settings("ledger", data_dir, url, "sqlite:///" + str(data_dir / "unused-events.db"), "bench"))
    contribution = {"co2_t": "1.234", "energy_tce": "0.456"}
    for start in range(0, count, 10_000):
        with ctx.store.transaction() as tx:
            for n in range(start, min(start + 10_000, count)):
                event, index = exchange_completed(n), tx.next_index()
                data = exchange_entry(index, event.id, "2026-06-30T08:00:00+00:00", event.payload, contribution)
                tx.append(index, event.id, data, entry_facts(event.payload))
    assert sign_latest(ctx) and ctx.store.size() == count
    ctx.store.engine.dispose()
    return url


# The service's own verify and export code on a store of the given size (without HTTP), then the peak RSS of
# the process that ran it: what `POST /ledger/verify` and `GET /ledger/export` hold, whatever the size.
_SERVER_AUDIT = """
import sys, time
from pathlib import Path
from services.common.config import Settings
from services.common.identity import Principal, Role
from services.ledger.api.json_stream import json_stream
from services.ledger.bootstrap import bootstrap
from services.ledger.service_layer import queries
what, data_dir, url = sys.argv[1:]
ctx = bootstrap(Settings("ledger", Path(data_dir), url, "sqlite:///" + data_dir + "/unused-events.db", "bench"))
admin = Principal(Role.ADMIN, "bench")
started = time.perf_counter()
if what == "verify":
    assert queries.verify_store(ctx, admin)["ok"]
else:
    with open("/dev/null", "wb") as out:
        for chunk in json_stream(queries.export(ctx, admin)):
            out.write(chunk)
print(time.perf_counter() - started, next(l for l in open("/proc/self/status") if l.startswith("VmHWM")).split()[1])
"""


def server_audit_at(data_dir: Path, count: int) -> dict:
    """Seconds and peak RSS of the service verifying and exporting a ledger of `count` entries."""
    url = build_store(data_dir, count)
    found: dict = {"events": count}
    for what in ("verify", "export"):
        done = subprocess.run(
            [sys.executable, "-c", _SERVER_AUDIT, what, str(data_dir), url], capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
        seconds, peak_kib = done.stdout.split()
        found[what] = {"seconds": round(float(seconds), 2), "peak_rss_mib": round(int(peak_kib) / 1024, 1)}
    Path(url.removeprefix("sqlite:///")).unlink()
    return found


OUTAGE_S = 15  # how long the broker stays down while an exchange completes


def _keep_running(loop, stop: threading.Event) -> threading.Thread:
    """`loop(stop)` in a thread, started again after a failure as services/common/worker.py does."""

    def run() -> None:
        while not stop.is_set():
            try:
                loop(stop.is_set)
            except Exception:
                log.exception("%s failed; starting again in %.0f s", getattr(loop, "__name__", "loop"), RETRY_AFTER_S)
                stop.wait(RETRY_AFTER_S)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def _seconds_until(done, limit_s: float = 120.0) -> float | None:
    started = time.perf_counter()
    while time.perf_counter() - started < limit_s:
        if done():
            return round(time.perf_counter() - started, 2)
        time.sleep(0.05)
    return None


def broker_outage(bus_url: str, database_url: str, outbox_url: str, data_dir: Path, kafka_dir: str) -> dict:
    """The relay and the ledger worker run; the broker stops; an exchange completes (its event waits in
    the outbox); the broker comes back (infra/engines/kafka.sh restart: same data, same port). Seconds
    from the broker answering again until the relay has published the event and until its ledger entry
    exists."""
    run_id = uuid.uuid4().hex[:8]
    topic = f"{EXCHANGES_TOPIC}.outage-{run_id}"
    metadata = sa.MetaData()
    outbox = outbox_table(metadata)
    engine = sa.create_engine(outbox_url)
    metadata.drop_all(engine)
    metadata.create_all(engine)
    ctx = bootstrap(Settings("ledger", data_dir, database_url, bus_url, "bench"))
    before = ctx.store.size()
    stop = threading.Event()
    relay_bus, ledger_bus = connect_bus(bus_url), connect_bus(bus_url)
    relay = OutboxRelay(engine, outbox, relay_bus, (topic,))
    threads = [
        _keep_running(relay.run, stop),
        _keep_running(lambda stopped: follow(ctx, ledger_bus, stopped, group=f"outage-{run_id}", topics=[topic]), stop),
    ]
    engine_script = Path(__file__).resolve().parents[2] / "infra" / "engines" / "kafka.sh"
    try:
        with engine.begin() as conn:  # one exchange with the broker up: both are running
            add_to_outbox(conn, outbox, topic, exchange_completed(0))
        warm = _seconds_until(lambda: ctx.store.size() == before + 1)
        subprocess.run(["bash", str(engine_script), "stop", kafka_dir], check=True, capture_output=True)
        with engine.begin() as conn:
            add_to_outbox(conn, outbox, topic, exchange_completed(1))
        time.sleep(OUTAGE_S)
        subprocess.run(["bash", str(engine_script), "restart", kafka_dir], check=True, capture_output=True)
        returned = time.perf_counter()
        published = _seconds_until(lambda: relay.pending() == 0)
        entry = _seconds_until(lambda: ctx.store.size() == before + 2)
        recorded = round(time.perf_counter() - returned, 2) if entry is not None else None
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=10)
        relay_bus.close()
        ledger_bus.close()
        metadata.drop_all(engine)
        engine.dispose()
    return {
        "outage_s": OUTAGE_S,
        "first_entry_with_broker_up_s": warm,
        "relay_published_after_return_s": published,
        "ledger_entry_after_return_s": recorded,
        "goal_s": 5,
    }


def _growth(small: dict, large: dict, rate: str) -> float:
    """k in time ∝ events^k between two sizes, from a rate at each (1: linear, each event costs the same)."""
    size_ratio = large["events"] / small["events"]
    return round(math.log(size_ratio * small[rate] / large[rate]) / math.log(size_ratio), 2)


def at_two_sizes(measure_at, count: int) -> dict:
    """The figures at `count` events, with those at a tenth of it and how each rate's time grows."""
    small, large = measure_at(count // 10), measure_at(count)
    rates = ("relay_publish_per_s", "raw_consume_per_s", "ledger_entries_per_s")
    return {
        **large,
        "at_a_tenth": small,
        "growth_exponent": {rate: _growth(small, large, rate) for rate in rates},  # time ∝ events^k
    }


def run(scale: int | None) -> dict:
    count = scale or 100_000
    results: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        sqlite = {name: f"sqlite:///{data / name}.db" for name in ("events", "ledger", "outbox")}
        results["embedded"] = at_two_sizes(
            lambda n: measure(sqlite["events"], sqlite["ledger"], sqlite["outbox"], data, n), count
        )
        if os.environ.get("PARKLOOP_BENCH_KAFKA") and os.environ.get("PARKLOOP_BENCH_POSTGRES_URL"):
            kafka, postgres = f"kafka://{os.environ['PARKLOOP_BENCH_KAFKA']}", os.environ["PARKLOOP_BENCH_POSTGRES_URL"]
            results["kafka_postgres"] = at_two_sizes(lambda n: measure(kafka, postgres, postgres, data, n), count)
            if os.environ.get("PARKLOOP_BENCH_KAFKA_DIR"):  # where infra/engines started the broker
                results["kafka_postgres"]["broker_outage"] = broker_outage(
                    kafka, postgres, postgres, data, os.environ["PARKLOOP_BENCH_KAFKA_DIR"]
                )
        small, large = (verify_at(data, size) for size in VERIFY_SIZES)
        results["verify"] = {"at": [small, large], "growth_exponent": _growth(small, large, "entries_per_s")}
        results["server_verify_export"] = [server_audit_at(data, size) for size in VERIFY_SIZES]
    return {"benchmark": "ledger", "scale": {"exchanges": count}, **results, **environment("kafka-python")}
