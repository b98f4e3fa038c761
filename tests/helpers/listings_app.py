"""The listings app on a real SQLite file, called as the gateway calls it, for integration tests."""

from __future__ import annotations

from pathlib import Path

from services.common.config import Settings
from services.common.web import PROBLEM_JSON


def listings_settings(data_dir: Path, internal_secret: str) -> Settings:
    return Settings(
        service="listings",
        data_dir=data_dir,
        database_url=f"sqlite:///{data_dir / 'listings.db'}",
        event_bus_url=f"sqlite:///{data_dir / 'events.db'}",
        internal_secret=internal_secret,
    )


def ok(response, status: int = 200) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    return response.get_json()


def problem(response, status: int) -> dict:
    """The problem+json body of a refused call, which names its status, title and detail."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == PROBLEM_JSON
    body = response.get_json(force=True)
    assert body["status"] == status and body["title"] and body["detail"]
    return body
