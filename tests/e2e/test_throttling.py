"""Throttling, on a system of its own with it turned on (it is off in the other tests): failed
authentication from one client address gets 429 with Retry-After after AUTH_FAILURE_LIMIT failures,
from the API and from the console's sign-in form; a key over KEY_RATE_LIMIT gets 429 while other
keys carry on. The system trusts one proxy (PARKLOOP_PROXY_HOPS=1), so each test speaks from its own
client address through X-Forwarded-For."""

from __future__ import annotations

import re

import pytest
import requests

from .conftest import start_system, stop_system

FAILURES = 5
KEY_CALLS = 12


@pytest.fixture(scope="module")
def throttled(tmp_path_factory):
    env = {
        "PARKLOOP_RATE_LIMITS": "1",
        "AUTH_FAILURE_LIMIT": f"{FAILURES} per hour",
        "KEY_RATE_LIMIT": f"{KEY_CALLS} per hour",
        "PARKLOOP_PROXY_HOPS": "1",
    }
    running = start_system(tmp_path_factory.mktemp("throttled"), demo=False, extra_env=env)
    yield running
    stop_system(running.process)


def from_address(address: str) -> dict:
    return {"X-Forwarded-For": address}


class Caller:
    """A key calling from an address, with plain requests (the tests' Api client would retry a 429)."""

    def __init__(self, system, key: str):
        self.url, self.key = system.url, key

    def __call__(self, method: str, path: str, address: str, body=None) -> requests.Response:
        headers = {"Authorization": f"Bearer {self.key}", **from_address(address)}
        return requests.request(method, f"{self.url}/api/v1/{path}", json=body, headers=headers, timeout=30)


def sign_in(system, address: str, key: str) -> int:
    browser = requests.Session()
    browser.headers.update(from_address(address))
    form = browser.get(f"{system.url}/login", timeout=30).text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form).group(1)
    answer = browser.post(
        f"{system.url}/login", data={"api_key": key, "csrf_token": token}, allow_redirects=False, timeout=30
    )
    return answer.status_code


def test_repeated_failed_authentication_from_one_address_gets_429_with_retry_after(throttled):
    guesser, admin = Caller(throttled, "plk_guessed-key"), Caller(throttled, throttled.admin_key)
    answers = [guesser("GET", "keys/me", "203.0.113.7").status_code for _ in range(FAILURES)]
    assert answers == [401] * FAILURES
    blocked = guesser("GET", "keys/me", "203.0.113.7")
    assert blocked.status_code == 429
    assert blocked.headers["Content-Type"] == "application/problem+json"
    assert 3500 < int(blocked.headers["Retry-After"]) <= 3601  # the hour window (rounded up to whole seconds)
    # From that address even a valid key waits now, and so does the console's sign-in form.
    assert admin("GET", "keys/me", "203.0.113.7").status_code == 429
    assert sign_in(throttled, "203.0.113.7", throttled.admin_key) == 429
    # Other addresses are not affected.
    assert admin("GET", "keys/me", "203.0.113.8").status_code == 200


def test_failed_sign_ins_in_the_console_count_too(throttled):
    assert [sign_in(throttled, "203.0.113.20", "plk_wrong") for _ in range(FAILURES)] == [401] * FAILURES
    assert sign_in(throttled, "203.0.113.20", throttled.admin_key) == 429
    assert sign_in(throttled, "203.0.113.21", throttled.admin_key) == 302  # signed in


def test_a_key_over_its_rate_gets_429_and_other_keys_carry_on(throttled):
    admin = Caller(throttled, throttled.admin_key)
    other = admin("POST", "keys", "198.51.100.1", {"role": "admin", "label": "second admin"})
    assert other.status_code == 201
    answers = [admin("GET", "keys/me", "198.51.100.1").status_code for _ in range(KEY_CALLS)]
    assert 429 in answers and set(answers) == {200, 429}
    refused = admin("GET", "keys/me", "198.51.100.2")  # another address: still this key
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    second = Caller(throttled, other.json()["key"])
    assert second("GET", "keys/me", "198.51.100.1").status_code == 200
