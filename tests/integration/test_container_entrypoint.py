"""The container entrypoint, run on this machine as the image runs it: wait, migrate, serve."""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from parkloop.benchmarks.common import free_port_block

ROOT = Path(__file__).resolve().parents[2]


def test_the_entrypoint_waits_for_its_dependency_migrates_then_serves_with_json_logs(tmp_path):
    port = free_port_block(1)
    dependency = socket.create_server(("127.0.0.1", 0))  # stands for postgres:5432 in WAIT_FOR
    env = dict(
        os.environ,
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        PORT=str(port),
        PARKLOOP_DATA=str(tmp_path),
        PARKLOOP_INTERNAL_SECRET="entrypoint-test",
        WAIT_FOR=f"127.0.0.1:{dependency.getsockname()[1]}",
        WEB_WORKERS="1",
        WEB_THREADS="2",
        LISTINGS_DATABASE_URL=f"sqlite:///{tmp_path / 'listings.db'}",  # a container is told, never assumes
    )
    env.pop("EVENT_BUS", None)
    log = tmp_path / "container.log"
    with open(log, "wb") as out:
        container = subprocess.Popen(
            ["sh", str(ROOT / "infra/docker/entrypoint.sh"), "listings"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=tmp_path,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 90
        while True:
            assert container.poll() is None, log.read_text()[-3000:]
            try:
                if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            assert time.monotonic() < deadline, log.read_text()[-3000:]
            time.sleep(0.3)

        # Services trust only the gateway: a direct call without its signature is refused.
        assert requests.get(f"http://127.0.0.1:{port}/api/v1/parks", timeout=5).status_code == 403
        with sqlite3.connect(tmp_path / "listings.db") as db:
            assert db.execute("SELECT version_num FROM alembic_version").fetchone()
    finally:
        container.send_signal(signal.SIGTERM)  # what `docker stop` sends
        returncode = container.wait(30)
        dependency.close()

    assert returncode == 0
    records = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    assert any(
        r["process_name"] == "parkloop-listings" and r["logger"] == "gunicorn.access" and "/healthz" in r["message"]
        for r in records
    )
    assert any(r.get("database") == env["LISTINGS_DATABASE_URL"] and "event_bus" in r for r in records)


@pytest.mark.parametrize(
    ("role", "variable"),
    [
        ("listings", "LISTINGS_DATABASE_URL"),
        ("ledger-worker", "LEDGER_DATABASE_URL"),
        ("gateway", "GATEWAY_DATABASE_URL"),
    ],
)
def test_the_entrypoint_refuses_a_role_whose_database_url_is_missing_instead_of_creating_sqlite(
    tmp_path, role, variable
):
    env = dict(
        os.environ,
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        PARKLOOP_DATA=str(tmp_path),
        PARKLOOP_INTERNAL_SECRET="entrypoint-test",
        LISTNGS_DATABASE_URL="postgresql+psycopg://parkloop:x@postgres/listings",  # misspelt
    )
    for name in [n for n in env if n.endswith("_DATABASE_URL") and n != "LISTNGS_DATABASE_URL"]:
        env.pop(name)

    result = subprocess.run(
        ["sh", str(ROOT / "infra/docker/entrypoint.sh"), role],
        env=env,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
    )

    assert result.returncode == 78, result.stderr
    assert f"{role} needs {variable}" in result.stderr and "LISTNGS_DATABASE_URL" in result.stderr
    assert list(tmp_path.iterdir()) == []  # no SQLite file, nothing at all
