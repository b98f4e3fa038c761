"""`parkloop backup` under load and `parkloop restore` into a fresh data directory: the restored
system starts, verifies, holds what the backup saw, and its consumers, replaying from the restored
positions, add no second ledger entry for an exchange and no second alert for a match."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests

from parkloop.harness.bodies import heat_want

from .conftest import (
    PARK,
    Receiver,
    complete_steam_exchange,
    eventually,
    new_enterprise,
    start_system,
    steam_offer,
    stop_system,
)


def parkloop(*args: str, data_dir: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, PARKLOOP_DATA=str(data_dir))
    return subprocess.run(
        [sys.executable, "-m", "parkloop.cli", *args], env=env, capture_output=True, text=True, timeout=300
    )


def all_items(api, path: str, **params) -> list[dict]:
    items, page = [], 1
    while True:
        answer = api.get(path, params={**params, "page": page, "page_size": 200}).json()
        items += answer["items"]
        if len(items) >= answer["total"]:
            return items
        page += 1


def caught_up(system) -> bool:
    """Every outbox published, every consumer group at the end of its topics, no webhook pending."""
    gauges = {}
    for line in requests.get(f"{system.url}/metrics", timeout=60).text.splitlines():
        if line.startswith(("parkloop_outbox_backlog", "parkloop_consumer_lag", "parkloop_webhook_queue_depth")):
            gauges[line.rsplit(" ", 1)[0]] = float(line.rsplit(" ", 1)[1])
    return len(gauges) >= 5 and not any(gauges.values())


class Load(threading.Thread):
    """A supplier keeps publishing steam offers (each one alerted to the receiver's heat want) and
    carrying an exchange on each to completion, until stopped."""

    def __init__(self, supplier, receiver):
        super().__init__(daemon=True)
        self.supplier, self.receiver = supplier, receiver
        self.stopping = threading.Event()
        self.completed: list[str] = []
        self.error: BaseException | None = None

    def run(self):
        try:
            while not self.stopping.is_set():
                offer = self.supplier.api.post("offers", steam_offer(title=f"Steam {len(self.completed)}")).json()
                self.completed.append(
                    complete_steam_exchange(
                        self.supplier,
                        self.receiver,
                        "12",
                        offer_id=offer["id"],
                        receiver_enterprise_id=self.receiver.enterprise_id,
                    )
                )
        except BaseException as error:  # reported by the test
            self.error = error


@pytest.fixture
def receiver():
    running = Receiver()
    yield running
    running.close()


def test_a_backup_under_load_restores_into_a_fresh_directory_that_verifies_and_adds_nothing_twice(tmp_path, receiver):
    live_dir, backup_dir, restored_dir = tmp_path / "live", tmp_path / "backup", tmp_path / "restored"
    live_dir.mkdir()
    live = start_system(live_dir, demo=False)
    try:
        admin = live.client(live.admin_key)
        park = admin.post("parks", {**PARK, "name": "Backup Park"}).json()["id"]
        supplier = new_enterprise(live, admin, park, "Backup Steam Co")
        buyer = new_enterprise(live, admin, park, "Backup Dye Works")
        want = buyer.api.post("wants", heat_want())
        assert want.status_code == 201, want.text
        subscription = buyer.api.post("webhooks", {"url": receiver.url, "min_score": 0.1})
        assert subscription.status_code == 201, subscription.text
        load = Load(supplier, buyer)
        load.start()
        eventually(lambda: len(load.completed), lambda n: n >= 5, "some exchanges completed under load")
        taken = parkloop("backup", str(backup_dir), data_dir=live_dir)
        assert taken.returncode == 0, taken.stderr
        time.sleep(2)  # the load carries on after the backup: the restored system must not see it
        load.stopping.set()
        load.join(60)
        assert load.error is None, load.error
    finally:
        stop_system(live.process)

    manifest = json.loads((backup_dir / "manifest.json").read_text())
    saw = {name: db["rows"] for name, db in manifest["databases"].items()}
    secrets = {"internal.secret", "console.secret", "ledger-signing.key", "webhook-secrets.key"}
    assert secrets <= manifest["files"].keys()
    assert manifest["not_in_data_dir"] == ["admin.key"]  # PARKLOOP_ADMIN_KEY: configured, not a file
    assert 0 < saw["listings"]["exchanges"] < 2 * len(load.completed)

    restored = parkloop("restore", str(backup_dir), str(restored_dir), data_dir=tmp_path / "unused")
    assert restored.returncode == 0, restored.stderr
    again = parkloop("restore", str(backup_dir), str(restored_dir), data_dir=tmp_path / "unused")
    assert again.returncode == 2 and "not empty" in again.stderr  # never over a data directory

    system = start_system(restored_dir, demo=False)
    try:
        admin = system.client(live.admin_key)  # the keys came back with the gateway's database
        eventually(lambda: caught_up(system), bool, "the restored system to catch up", timeout_s=120)
        exchanges = all_items(admin, "exchanges")
        assert len(exchanges) == saw["listings"]["exchanges"]
        completed = sorted(x["id"] for x in exchanges if x["status"] == "completed")
        entries = [e["entry"]["exchange"]["exchange_id"] for e in all_items(admin, "ledger/entries")]
        assert sorted(entries) == completed  # exactly one entry per completed exchange, none missing
        assert set(load.completed) > set(completed)  # what was completed after the backup is not there
        assert admin.post("ledger/verify").json()["ok"] is True
        deliveries = all_items(buyer_as(system, buyer), f"webhooks/{subscription.json()['id']}/deliveries")
        matches = [(d["payload"]["listing_id"], d["payload"]["match"]["id"]) for d in deliveries]
        assert len(matches) == len(set(matches)) >= saw["matching"]["match_alerts"]
        assert saw["events"]["group_offsets"] >= 2
    finally:
        stop_system(system.process)


def buyer_as(system, tenant):
    return system.client(tenant.key)
