"""Fixtures for the matching service's integration tests."""

from __future__ import annotations

import pytest

from services.common.db import migrate
from services.matching.bootstrap import MIGRATIONS


@pytest.fixture(scope="module")
def matching_template(tmp_path_factory):
    """A matching database at the newest migration, migrated once per module: copy it for each test."""
    path = tmp_path_factory.mktemp("matching") / "matching.db"
    migrate(f"sqlite:///{path}", MIGRATIONS)
    return path
