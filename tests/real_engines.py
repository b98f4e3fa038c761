"""Addresses of the real engines that `make test` starts (infra/engines/up.sh exports them).

Without one, its tests skip locally with a line saying how to start it; with CI=true they
fail, because in CI a real engine must never be silently left out.
"""

from __future__ import annotations

import os
import uuid
from contextlib import contextmanager

import pytest
import sqlalchemy as sa


def engine_address(variable: str, engine: str) -> str:
    value = os.environ.get(variable)
    if value:
        return value
    message = f"{engine} is not running: start it with `make engines-up` and `source .engines/engines.env` ({variable})"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


@contextmanager
def fresh_postgres_database():
    """A new, empty PostgreSQL database, dropped afterwards; yields its SQLAlchemy URL."""
    base = engine_address("PARKLOOP_TEST_POSTGRES_URL", "PostgreSQL").rstrip("/")
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(f"{base}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield f"{base}/{name}"
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()
