"""Contract tests run one test body against every adapter of a port.

Real engines come from `infra/engines/up.sh` (started by `make test`), which exports their
addresses. Without one, its adapter's tests skip locally with a line saying how to start it;
with CI=true they fail, because in CI a real engine must never be silently left out.
"""
from __future__ import annotations

import os
import uuid

import pytest
import sqlalchemy as sa


def engine_address(variable: str, engine: str) -> str:
    value = os.environ.get(variable)
    if value:
        return value
    message = f"{engine} is not running: start it with `make engines-up` (sets {variable})"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request, tmp_path):
    """A fresh, empty database on each adapter: a SQLite file, or a new PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'contract.db'}"
        return
    base = engine_address("PARKLOOP_TEST_POSTGRES_URL", "PostgreSQL").rstrip("/")
    name = f"contract_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(f"{base}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield f"{base}/{name}"
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()
