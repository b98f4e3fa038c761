"""The audit trail over HTTP: every write through the gateway is recorded with its answer, whoever
made it and however it ended; admins read all of it, park managers their park's; reading it is not a
write; records outlive the key that made them."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

from .conftest import new_enterprise, steam_offer


def trail(api, **filters) -> dict:
    response = api.get("audit", params={"page_size": 200, **filters})
    assert response.status_code == 200, response.text
    return response.json()


def test_a_write_is_recorded_with_who_made_it_and_what_it_created(world):
    since = datetime.now(UTC).isoformat()
    offer = world.a1.api.post("offers", steam_offer(title="Audited steam")).json()
    records = trail(world.manager_a.api, resource_id=offer["id"], since=since)["items"]
    assert len(records) == 1
    record = records[0]
    assert record["method"] == "POST" and record["path"] == "/api/v1/offers" and record["status"] == 201
    assert record["enterprise_id"] == world.a1.enterprise_id and record["park_id"] == world.park_a
    assert record["role"] == "enterprise" and record["channel"] == "api"
    me = world.a1.api.get("keys/me").json()
    assert record["key_id"] == me["id"]


def test_a_refused_or_failed_write_is_recorded_with_its_status(world):
    offer = world.a2.api.post("offers", steam_offer(title="Not yours")).json()
    assert world.a1.api.patch(f"offers/{offer['id']}", {"title": "Mine now"}).status_code == 403
    assert world.a1.api.post("offers", {"kind": "heat"}).status_code == 422
    a1_key = world.a1.api.get("keys/me").json()["id"]
    failed = trail(world.manager_a.api, key_id=a1_key, failed="true")["items"]
    assert {(r["method"], r["status"], r["resource_id"]) for r in failed} >= {
        ("PATCH", 403, offer["id"]),
        ("POST", 422, None),
    }


def test_reading_the_trail_or_anything_else_is_not_recorded(admin, world):
    before = trail(admin)["total"]
    assert world.a1.api.get("offers", params={"page_size": 5}).status_code == 200
    trail(admin)
    assert world.manager_a.api.get("audit.csv").status_code == 200
    assert trail(admin)["total"] == before


def test_a_park_manager_reads_only_their_parks_records(world):
    world.b1.api.post("offers", steam_offer(title="Park B audited"))
    own = trail(world.manager_a.api)["items"]
    assert own and {r["park_id"] for r in own} == {world.park_a}
    assert world.manager_a.api.get("audit", params={"park_id": world.park_b}).status_code == 403
    assert world.a1.api.get("audit").status_code == 403


def test_records_outlive_a_revoked_key(system, admin, world):
    tenant = new_enterprise(system, admin, world.park_a, "Soon Revoked Co.")
    key_id = tenant.api.get("keys/me").json()["id"]
    assert tenant.api.post("offers", steam_offer(title="Before revocation")).status_code == 201
    assert admin.delete(f"keys/{key_id}").status_code == 204
    assert tenant.api.post("offers", steam_offer(title="After revocation")).status_code == 401
    records = trail(admin, key_id=key_id)["items"]
    assert [(r["method"], r["path"], r["status"]) for r in reversed(records)] == [
        ("POST", "/api/v1/enterprises", 201),
        ("POST", "/api/v1/offers", 201),
    ]
    revocation = trail(admin, path_prefix=f"/api/v1/keys/{key_id}")["items"]
    assert [(r["method"], r["status"], r["resource_id"]) for r in revocation] == [("DELETE", 204, key_id)]


def test_the_trail_exports_as_csv_with_the_same_filters(admin, world):
    since = datetime.now(UTC) - timedelta(minutes=30)
    response = admin.get("audit.csv", params={"park_id": world.park_a, "since": since.isoformat()})
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    listed = trail(admin, park_id=world.park_a, since=since.isoformat())
    assert len(rows) == listed["total"] > 0
    assert {row["park_id"] for row in rows} == {world.park_a}
    assert rows[-1]["id"] == str(listed["items"][0]["id"])  # oldest first, the page newest first


def test_bad_filters_are_refused_naming_the_field(admin):
    response = admin.get("audit", params={"since": "2026-05-01T08:00:00", "status": "700"})
    assert response.status_code == 422
    assert {"since", "status"} <= response.json()["errors"].keys()
