"""The ledger worker on the real engines, the way it runs in production: PostgreSQL for its
database, Kafka as the bus. A stream of ~2,000 completed exchanges, some of them delivered twice
(at-least-once), survives a `kill -9` of the worker and a restart of the broker: at the end there
is exactly one entry per exchange, the indexes are dense and the store verifies against its
signed checkpoint."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from kafka import KafkaConsumer, TopicPartition
from real_engines import engine_address, fresh_postgres_database

from services.common.bus.kafka_bus import KafkaEventBus
from services.common.config import Settings
from services.common.events import EXCHANGES_TOPIC, LISTINGS_TOPIC, Event
from services.common.identity import Principal, Role
from services.ledger.adapters.tables import entries, ledger_head
from services.ledger.bootstrap import bootstrap
from services.ledger.service_layer import queries

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]

REPO = Path(__file__).resolve().parents[2]
EXCHANGES = 2000
EVERY_NTH_TWICE = 10  # every 10th event is published a second time, as a redelivery would
PARK = "real-engines-park"


def completed(n: int) -> Event:
    """A valid ExchangeCompleted (services/common/contracts.py): reclaimed water replacing municipal water."""
    exchange_id = str(uuid.uuid4())
    amount = f"{100 + n}.5"
    payload = {
        "exchange_id": exchange_id,
        "kind": "water",
        "offer_id": str(uuid.uuid4()),
        "want_id": None,
        "supplier": {"enterprise_id": f"wwtp-{n % 7}", "park_id": PARK},
        "receiver": {"enterprise_id": f"plant-{n % 11}", "park_id": PARK},
        "waste_code": None,
        "hazardous": False,
        "agreed_amount": amount,
        "agreed_unit": "m3",
        "completed_at": "2026-06-30T02:00:00+00:00",
        "deliveries": [
            {
                "id": str(uuid.uuid4()),
                "delivered_on": "2026-06-15",
                "amount": amount,
                "unit": "m3",
                "evidence": {"meter_reading": f"RW-{n:05d}"},
                "substitution": {"substitutes": "municipal_water"},
            }
        ],
    }
    return Event("ExchangeCompleted", exchange_id, payload)


def with_redeliveries(events: list[Event]) -> list[Event]:
    stream = []
    for n, event in enumerate(events):
        stream.append(event)
        if n % EVERY_NTH_TWICE == 0:
            stream.append(event)  # the same event, same id: a redelivery
    return stream


class Worker:
    """`python -m services.ledger.worker` as its own process, as the supervisor starts it."""

    def __init__(self, env: dict, log: Path):
        self.env, self.log, self.process = env, log, None

    def start(self) -> None:
        with open(self.log, "ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "services.ledger.worker"],
                cwd=REPO,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def kill_hard(self) -> None:
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(30)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.kill_hard()

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:] if self.log.exists() else ""


def wait_until(condition, timeout_s: float, what: str, worker: Worker) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if worker.process.poll() is not None:
            pytest.fail(f"the ledger worker exited while waiting for {what}:\n{worker.tail()}")
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting for {what} after {timeout_s:.0f} s:\n{worker.tail()}")
        time.sleep(0.5)


def entry_count(db: sa.Engine) -> int:
    """Entries recorded so far; 0 until the worker has migrated its fresh database."""
    with db.connect() as conn:
        if not sa.inspect(conn).has_table(entries.name):
            return 0
        return conn.scalar(sa.select(sa.func.count()).select_from(entries))


def group_lag(bootstrap_servers: str, group: str) -> int:
    """Events on exchanges.v1 the group has not committed yet (read without joining the group)."""
    consumer = KafkaConsumer(
        bootstrap_servers=bootstrap_servers, group_id=group, enable_auto_commit=False, client_id="ledger-test-lag"
    )
    try:
        partitions = [TopicPartition(EXCHANGES_TOPIC, p) for p in consumer.partitions_for_topic(EXCHANGES_TOPIC) or ()]
        ends = consumer.end_offsets(partitions)
        return sum(end - (consumer.committed(tp) or 0) for tp, end in ends.items())
    finally:
        consumer.close(autocommit=False)


def restart_broker(engines_dir: str) -> None:
    run = subprocess.run(
        ["bash", str(REPO / "infra/engines/kafka.sh"), "restart", engines_dir],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, f"kafka.sh restart failed:\n{run.stdout}\n{run.stderr}"


def test_a_stream_with_redeliveries_a_killed_worker_and_a_broker_restart_makes_one_entry_per_exchange(tmp_path):
    kafka = engine_address("PARKLOOP_TEST_KAFKA_BOOTSTRAP", "Kafka")
    engines_dir = engine_address("PARKLOOP_TEST_ENGINES_DIR", "The engines directory (infra/engines/up.sh DIR)")
    group = f"ledger-test-{uuid.uuid4().hex[:8]}"  # a fresh group: offsets of other runs do not apply
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    events = [completed(n) for n in range(EXCHANGES)]
    stream = with_redeliveries(events)
    first, second = len(stream) * 2 // 5, len(stream) * 7 // 10

    with fresh_postgres_database() as database_url:
        env = {k: v for k, v in os.environ.items() if k not in ("LEDGER_SIGNING_KEY", "LEDGER_ORIGIN")}
        env.update(
            LEDGER_DATABASE_URL=database_url,
            EVENT_BUS=f"kafka://{kafka}",
            PARKLOOP_DATA=str(data_dir),
            LEDGER_CONSUMER_GROUP=group,
            PARKLOOP_INTERNAL_SECRET="real-engines-secret",
        )
        worker = Worker(env, tmp_path / "ledger-worker.log")
        bus = KafkaEventBus(kafka)
        db = sa.create_engine(database_url)
        try:
            bus.ensure_topics([LISTINGS_TOPIC, EXCHANGES_TOPIC])
            worker.start()
            for event in stream[:first]:
                bus.publish(EXCHANGES_TOPIC, event)

            # kill -9 the worker once it is recording, then keep publishing while it is down
            wait_until(lambda: entry_count(db) >= 50, 120, "the first entries", worker)
            worker.kill_hard()
            for event in stream[first:second]:
                bus.publish(EXCHANGES_TOPIC, event)
            recorded_before_restart = entry_count(db)
            worker.start()

            # restart the broker once the new worker is recording again, then publish the rest
            wait_until(lambda: entry_count(db) > recorded_before_restart, 120, "the restarted worker", worker)
            restart_broker(engines_dir)
            for event in stream[second:]:
                bus.publish(EXCHANGES_TOPIC, event)

            mine = {e.payload["exchange_id"] for e in events}
            wait_until(
                lambda: group_lag(kafka, group) == 0 and entry_count(db) >= len(mine),
                300,
                "the worker to catch up with the stream",
                worker,
            )
        finally:
            worker.stop()
            bus.close()

        with db.connect() as conn:
            per_exchange = dict(
                conn.execute(sa.select(entries.c.exchange_id, sa.func.count()).group_by(entries.c.exchange_id)).all()
            )
            indexes = list(conn.scalars(sa.select(entries.c.idx).order_by(entries.c.idx)))
            head = conn.scalar(sa.select(ledger_head.c.size))
        db.dispose()

        assert {exchange_id: per_exchange.get(exchange_id) for exchange_id in mine} == dict.fromkeys(mine, 1)
        assert indexes == list(range(len(indexes))) and head == len(indexes)
        assert set(per_exchange) >= mine and all(count == 1 for count in per_exchange.values())

        settings = Settings(
            service="ledger",
            data_dir=data_dir,
            database_url=database_url,
            event_bus_url=f"kafka://{kafka}",
            internal_secret="real-engines-secret",
        )
        ctx = bootstrap(settings)
        try:
            result = queries.verify_store(ctx, Principal(Role.ADMIN, "auditor"))
        finally:
            ctx.store.engine.dispose()
        assert result["ok"] is True, result
        assert result["size"] == len(indexes)
