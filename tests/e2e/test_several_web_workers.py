"""`parkloop run --web-workers N` (here PARKLOOP_WEB_WORKERS=2): every web process serves with N gunicorn
workers sharing its SQLite database, a killed worker is replaced by its master while the others serve,
and a killed master takes its orphaned workers with it before the supervisor restarts it."""

from __future__ import annotations

import os
import signal
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from parkloop.harness import parties

from .conftest import eventually, start_system, steam_offer
from .test_outbox_crash import wait_for

WEB_PROCESSES = ("gateway", "listings", "matching", "ledger")


def children_of(pid: int) -> set[int]:
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != "Z":  # field 4 of stat: the parent
            found.add(int(stat.parent.name))
    return found


def alive(pid: int) -> bool:
    try:
        return (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.fixture(scope="module")
def two_workers(tmp_path_factory):
    running = start_system(tmp_path_factory.mktemp("workers"), demo=False, extra_env={"PARKLOOP_WEB_WORKERS": "2"})
    yield running
    running.stop()


def test_each_web_process_serves_with_the_workers_asked_for(two_workers):
    for name in WEB_PROCESSES:
        master = two_workers.pid_of(name)
        assert eventually(lambda m=master: children_of(m), lambda kids: len(kids) == 2, f"two {name} workers")


def test_writes_spread_over_several_workers_are_all_kept(two_workers):
    admin = parties.session(two_workers.admin_key)
    park = parties.create_park(two_workers.api, admin, "Workers Park")
    key = parties.register_enterprise(two_workers.api, admin, park, "Workers Steam").key
    supplier = two_workers.client(key)

    def post(n: int) -> str:
        answer = two_workers.client(key).post("offers", steam_offer(title=f"Concurrent steam {n}"))
        assert answer.status_code == 201, answer.text
        return answer.json()["id"]

    with ThreadPoolExecutor(8) as pool:
        posted = set(pool.map(post, range(40)))
    listed = supplier.get("offers", params={"page_size": 100}).json()["items"]
    assert {offer["id"] for offer in listed} >= posted and len(posted) == 40


def test_a_killed_worker_is_replaced_while_the_other_keeps_serving(two_workers):
    admin = two_workers.client(two_workers.admin_key)
    master = two_workers.pid_of("listings")
    victim, survivor = sorted(children_of(master))
    os.kill(victim, signal.SIGKILL)
    assert admin.get("parks").status_code == 200
    replaced = eventually(lambda: children_of(master), lambda kids: len(kids) == 2 and victim not in kids, "a worker")
    assert survivor in replaced and two_workers.pid_of("listings") == master  # the master did it, not a restart


def test_a_killed_master_takes_its_orphaned_workers_with_it_and_comes_back_with_as_many(two_workers):
    admin = two_workers.client(two_workers.admin_key)
    master = two_workers.pid_of("gateway")
    orphans = children_of(master)
    os.kill(master, signal.SIGKILL)
    assert wait_for(lambda: two_workers.pid_of("gateway") != master, 30), "the supervisor restarted no gateway"
    assert wait_for(lambda: not any(alive(pid) for pid in orphans), 30), "orphaned gateway workers kept running"
    eventually(lambda: _status(admin), lambda status: status == 200, "the restarted gateway to answer")
    new_master = two_workers.pid_of("gateway")
    eventually(lambda: children_of(new_master), lambda kids: len(kids) == 2, "two workers under the new gateway")


def _status(api) -> int:
    try:
        return api.get("parks").status_code
    except OSError:
        return 0
