"""The engine scripts keep an engine's data across a stop and a start, and delete it only on reset.

Each case starts its own engine in a temporary directory (beside the suite's), so it runs only where
the suite's engines could start (CI, or after `make engines-up`)."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from kafka import KafkaConsumer, KafkaProducer
from real_engines import engine_address

REPO = Path(__file__).resolve().parents[2]


def engine(name: str, action: str, directory: Path) -> str:
    """Run `<name>.sh ACTION DIR`; return the address the engine wrote to its env file."""
    subprocess.run(["bash", str(REPO / f"infra/engines/{name}.sh"), action, str(directory)], check=True, timeout=300)
    if action == "stop":
        return ""
    return (directory / name / "env").read_text().strip().partition("=")[2]


def write_row(url: str) -> None:
    with sa.create_engine(f"{url}listings").begin() as conn:
        conn.exec_driver_sql("CREATE TABLE kept (x int)")
        conn.exec_driver_sql("INSERT INTO kept VALUES (42)")


def read_rows(url: str) -> list:
    with sa.create_engine(f"{url}listings").begin() as conn:
        if not conn.exec_driver_sql("SELECT 1 FROM pg_tables WHERE tablename = 'kept'").first():
            return []
        return [row.x for row in conn.exec_driver_sql("SELECT x FROM kept")]


def produce(bootstrap: str) -> None:
    producer = KafkaProducer(bootstrap_servers=bootstrap)
    producer.send("kept", b"42").get(timeout=60)
    producer.close()


def consume(bootstrap: str) -> list:
    consumer = KafkaConsumer(
        "kept", bootstrap_servers=bootstrap, auto_offset_reset="earliest", consumer_timeout_ms=10_000, group_id=None
    )
    try:
        return [message.value for message in consumer]
    finally:
        consumer.close()


CASES: dict[str, tuple[str, Callable[[str], None], Callable[[str], list], list]] = {
    "postgres": ("PARKLOOP_TEST_POSTGRES_URL", write_row, read_rows, [42]),
    "kafka": ("PARKLOOP_TEST_KAFKA_BOOTSTRAP", produce, consume, [b"42"]),
}


@pytest.mark.parametrize("name", list(CASES))
def test_starting_an_engine_again_keeps_its_data_on_the_same_port_and_reset_deletes_it(name, tmp_path):
    variable, write, read, written = CASES[name]
    engine_address(variable, name)  # where the suite's engines cannot start, neither can this one
    try:
        address = engine(name, "start", tmp_path)
        write(address)
        engine(name, "stop", tmp_path)

        assert engine(name, "start", tmp_path) == address
        assert read(address) == written

        assert read(engine(name, "reset", tmp_path)) == []
    finally:
        engine(name, "stop", tmp_path)
        outside = tmp_path / name / "pgroot"  # PostgreSQL's data, when its user cannot reach tmp_path
        if outside.exists():
            shutil.rmtree(outside.read_text().strip())
    assert not (tmp_path / name / f"{name}.pid").exists()
