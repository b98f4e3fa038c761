"""Contract tests run one test body against every adapter of a port.

Real engines come from `infra/engines/up.sh` (started by `make test`), which exports their
addresses. Without one, its adapter's tests skip locally with a line saying how to start it;
with CI=true they fail, because in CI a real engine must never be silently left out.
"""

from __future__ import annotations

import pytest
from real_engines import fresh_postgres_database


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request, tmp_path):
    """A fresh, empty database on each adapter: a SQLite file, or a new PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'contract.db'}"
        return
    with fresh_postgres_database() as url:
        yield url
