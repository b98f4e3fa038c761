"""Starts the embedded system the way a user does (`parkloop run`) and drives it over HTTP."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from parkloop.harness import flows, parties
from parkloop.harness import system as harness_system
from parkloop.harness.bodies import steam_offer
from parkloop.harness.parties import credit_code
from parkloop.harness.receiver import Receiver

__all__ = ["Receiver", "credit_code", "steam_offer"]  # the tests import these from here


class System(harness_system.System):
    def client(self, key: str | None) -> Api:
        return Api(self.url, key)


class Api:
    """A tiny client for tests: `api.post("offers", {...})` returns the requests.Response."""

    def __init__(self, url: str, key: str | None):
        self.url = url
        self.session = requests.Session()
        # Resend only when a connection cannot be opened; a kept-alive connection the server drops
        # mid-call is a failure the tests must see, not hide.
        self.session.mount(
            "http://",
            HTTPAdapter(
                max_retries=Retry(total=2, connect=2, read=0, status=0, allowed_methods=Retry.DEFAULT_ALLOWED_METHODS)
            ),
        )
        if key:
            self.session.headers["Authorization"] = f"Bearer {key}"

    def __getattr__(self, method):
        def call(path, body=None, **kwargs):
            if body is not None:
                kwargs["json"] = body
            return self.session.request(method.upper(), f"{self.url}/api/v1/{path}", timeout=30, **kwargs)

        return call


def start_system(data_dir: Path, demo: bool, extra_env: dict | None = None) -> System:
    return System(**vars(harness_system.start(data_dir, demo=demo, env=extra_env)))


stop_system = harness_system.stop


def eventually(fetch, done, what: str, timeout_s: float = 60):
    """Poll `fetch()` until `done(value)` and return that value; fail naming `what` at the deadline.

    The deadline only bounds a hung system: these machines are shared and noisy, and how fast
    things arrive is the benchmarks' business, not a test's.
    """
    deadline = time.monotonic() + timeout_s
    while True:
        value = fetch()
        if done(value):
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"gave up after {timeout_s:.0f} s waiting for {what}; last seen: {str(value)[:1500]}")
        time.sleep(0.3)


@pytest.fixture(scope="session")
def system(tmp_path_factory):
    running = start_system(tmp_path_factory.mktemp("parkloop"), demo=True)
    yield running
    stop_system(running.process)


@pytest.fixture(scope="session")
def admin(system) -> Api:
    return system.client(system.admin_key)


PARK = {
    "name": "Test Chemical Park",
    "province": "Jiangsu",
    "level": "provincial",
    "park_type": "chemical_park",
    "centroid": {"lat": 34.59, "lon": 119.59},
    "baselines": [{"year": 2025, "gdp_10k_cny": 100, "energy_tce": 50, "water_m3": 900, "solid_waste_generated_t": 40}],
}


@dataclass
class Tenant:
    key: str
    api: Api
    enterprise_id: str | None = None


def complete_steam_exchange(supplier: Tenant, receiver: Tenant, amount_gj: str, **proposal) -> str:
    """The supplier proposes on `proposal` (an offer_id with a want_id or a receiver_enterprise_id),
    the receiver accepts, the supplier delivers `amount_gj` GJ of steam by meter, replacing a
    natural-gas boiler (η = 0.9), and the receiver completes. Returns the exchange's id."""
    tenants = {"supplier": supplier, "receiver": receiver}

    def post(party: str, path: str, body: dict, name: str):
        answer = tenants[party].api.post(path, body)
        assert answer.ok, f"POST {name}: {answer.status_code} {answer.text}"
        return answer

    exchange_id = flows.complete_steam_exchange(post, proposal, amount_gj)
    assert exchange_id is not None
    return exchange_id


@dataclass
class World:
    """Two parks; enterprises A1, A2 in park A and B1 in park B; a manager for each park."""

    park_a: str
    park_b: str
    a1: Tenant
    a2: Tenant
    b1: Tenant
    manager_a: Tenant
    manager_b: Tenant


def new_enterprise(system: System, admin: Api, park_id: str, name: str) -> Tenant:
    registered = parties.register_enterprise(system.api, admin.session, park_id, name)
    return Tenant(registered.key, system.client(registered.key), registered.id)


@pytest.fixture(scope="session")
def world(system, admin) -> World:
    park_a = admin.post("parks", {**PARK, "name": "Park A"}).json()["id"]
    park_b = admin.post("parks", {**PARK, "name": "Park B", "province": "Shandong"}).json()["id"]

    def manager(park_id):
        key = admin.post("keys", {"role": "park_manager", "label": "manager", "park_id": park_id}).json()["key"]
        return Tenant(key, system.client(key))

    return World(
        park_a,
        park_b,
        new_enterprise(system, admin, park_a, "A1 Chemicals"),
        new_enterprise(system, admin, park_a, "A2 Materials"),
        new_enterprise(system, admin, park_b, "B1 Energy"),
        manager(park_a),
        manager(park_b),
    )
