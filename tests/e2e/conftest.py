"""Starts the embedded system the way a user does (`parkloop run`) and drives it over HTTP."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from datetime import date
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from parkloop.benchmarks.common import free_port_block


class Receiver:
    """A local webhook endpoint that records what it receives."""

    def __init__(self):
        self.received: list[tuple[dict, bytes]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                outer.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/parkloop"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@dataclass
class System:
    url: str
    admin_key: str
    data_dir: Path
    process: subprocess.Popen

    def client(self, key: str | None) -> Api:
        return Api(self.url, key)

    def pid_of(self, name: str) -> int:
        return int((self.data_dir / "run" / f"{name}.pid").read_text())


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
    port = free_port_block()
    admin_key = "plk_" + secrets.token_urlsafe(24)
    # Webhook receivers in tests listen on 127.0.0.1, which only this operator setting allows.
    env = dict(
        os.environ,
        PARKLOOP_DATA=str(data_dir),
        PORT=str(port),
        PARKLOOP_ADMIN_KEY=admin_key,
        PARKLOOP_DEMO="1" if demo else "0",
        WEBHOOK_ALLOW_PRIVATE_TARGETS="1",
        WEBHOOK_RETRY_SCHEDULE="0.5,1,2",
    )
    for name in ("LISTINGS_URL", "MATCHING_URL", "LEDGER_URL", "EVENT_BUS"):
        env.pop(name, None)
    env.update(extra_env or {})
    log = open(data_dir / "parkloop.log", "wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "parkloop.cli", "run"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    marker = data_dir / "demo-loaded.json"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError((data_dir / "parkloop.log").read_text()[-3000:])
        try:
            ready = requests.get(f"{url}/readyz", timeout=2).status_code == 200
        except requests.RequestException:
            ready = False
        if ready and (not demo or marker.exists()):
            return System(url, admin_key, data_dir, process)
        time.sleep(0.3)
    stop_system(process)
    raise RuntimeError("ParkLoop did not start:\n" + (data_dir / "parkloop.log").read_text()[-3000:])


def stop_system(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGINT)
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)


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


def credit_code(seed: int) -> str:
    from services.listings.domain.reference.credit_code import company_credit_code

    body = f"MA{seed:06d}"
    return company_credit_code("320703", body)


def steam_offer(**overrides) -> dict:
    body = {
        "kind": "heat",
        "title": "Extraction steam",
        "max_distance_km": 15,
        "heat": {
            "medium": "steam",
            "temperature_c": 250,
            "pressure_mpa": 1.6,
            "thermal_power_mw": 20,
            "hours_per_day": 24,
            "days_per_year": 330,
        },
    }
    return {**body, **overrides}


@dataclass
class Tenant:
    key: str
    api: Api
    enterprise_id: str | None = None


def complete_steam_exchange(supplier: Tenant, receiver: Tenant, amount_gj: str, **proposal) -> str:
    """The supplier proposes on `proposal` (an offer_id with a want_id or a receiver_enterprise_id),
    the receiver accepts, the supplier delivers `amount_gj` GJ of steam by meter, replacing a
    natural-gas boiler (η = 0.9), and the receiver completes. Returns the exchange's id."""
    proposed = supplier.api.post("exchanges", {**proposal, "agreed_amount": amount_gj, "agreed_unit": "GJ"})
    assert proposed.status_code == 201, proposed.text
    exchange_id = proposed.json()["id"]
    accepted = receiver.api.post(f"exchanges/{exchange_id}/accept", {})
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted", accepted.text
    delivered = supplier.api.post(
        f"exchanges/{exchange_id}/deliveries",
        {
            "delivered_on": date.today().isoformat(),
            "amount": amount_gj,
            "unit": "GJ",
            "evidence": {"meter_reading": "FT-301 0001000 GJ"},
            "substitution": {"substitutes": "boiler_heat", "fuel": "natural_gas", "boiler_efficiency": "0.9"},
        },
    )
    assert delivered.status_code == 201, delivered.text
    done = receiver.api.post(f"exchanges/{exchange_id}/complete", {})
    assert done.status_code == 200 and done.json()["status"] == "completed", done.text
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


# A random start: test modules that import this file by another name than pytest gave it get a
# second copy of this counter, and two copies must not hand out the same credit codes.
_seed = iter(range(100000 + secrets.randbelow(800000), 999999))


def new_enterprise(system: System, admin: Api, park_id: str, name: str) -> Tenant:
    key = admin.post("keys", {"role": "enterprise", "label": name, "park_id": park_id}).json()["key"]
    api = system.client(key)
    response = api.post(
        "enterprises",
        {
            "name": name,
            "credit_code": credit_code(next(_seed)),
            "industry_code": "C2614",
            "location": {"lat": 34.6, "lon": 119.6},
            "contact": {"name": "EHS office", "phone": "0518-0000000"},
        },
    )
    assert response.status_code == 201, response.text
    return Tenant(key, api, response.json()["id"])


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
