"""Throttling at the gateway, with the `limits` library (moving windows).

- Failed authentication: once a client address has had AUTH_FAILURE_LIMIT failed authentications
  (401 from /api/v1 or from the console's sign-in form), every /api/v1 call and sign-in from that
  address gets 429 with Retry-After until the window has passed. Guessing keys is slow, and a
  client that keeps sending a revoked key stops costing a database query per call.
- Per key: KEY_RATE_LIMIT (unset by default) caps each API key's calls.

Counters live in RATELIMIT_STORAGE_URI: `memory://` counts in each process, so with several web
workers or replicas each has its own counters; share one store (e.g. `redis://host:6379`) there.

`limits` is used directly rather than through Flask-Limiter: its per-request resolution of which
limits apply cost every call through the gateway about 80 µs of CPU (issue 10), for two fixed limits.
"""

from __future__ import annotations

import math
import time

from flask import Flask, render_template, request
from limits import RateLimitItem, parse, parse_many
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter
from werkzeug.middleware.proxy_fix import ProxyFix

from gateway.console.security import is_console_path
from gateway.domain.keys import hash_key
from services.common.config import GatewaySettings
from services.common.web import problem_response

SIGN_IN = "/login"
FAILED_AUTHENTICATION, API_KEY = "failed-authentication", "api-key"


def _client_address() -> str:
    return request.remote_addr or "unknown"


def _counts_authentication() -> bool:
    return request.path.startswith("/api/") or (request.path == SIGN_IN and request.method == "POST")


def _bearer_key_hash() -> str:
    """The calling key, identified without a database look-up (its hash is how the store knows it)."""
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    return hash_key(secret.strip()) if scheme.lower() == "bearer" and secret.strip() else ""


def init_throttling(app: Flask, settings: GatewaySettings) -> None:
    """Call before the gateway's own request hooks: a limit is tested before the key is looked up."""
    if settings.proxy_hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.proxy_hops, x_proto=settings.proxy_hops)
    if not settings.throttling:
        return
    window = MovingWindowRateLimiter(storage_from_string(settings.rate_limit_storage))
    failures = parse(settings.auth_failure_limit)
    per_key = parse_many(settings.key_rate_limit) if settings.key_rate_limit else []

    def refuse(limit: RateLimitItem, *identifiers: str):
        reset_at = window.get_window_stats(limit, *identifiers).reset_time
        headers = {"Retry-After": str(max(1, math.ceil(reset_at - time.time())))}
        detail = f"too many requests ({limit}); try again later"
        if is_console_path(request.path):
            return render_template("console/error.html", status=429, detail=detail), 429, headers
        return problem_response(429, detail, headers=headers)

    @app.before_request
    def _within_limits():
        # Tested, not counted: only a failure (after the request) counts against the address.
        if _counts_authentication() and not window.test(failures, FAILED_AUTHENTICATION, _client_address()):
            return refuse(failures, FAILED_AUTHENTICATION, _client_address())
        key = _bearer_key_hash() if per_key and request.path.startswith("/api/") else ""
        for limit in per_key if key else ():
            if not window.hit(limit, API_KEY, key):
                return refuse(limit, API_KEY, key)
        return None

    @app.after_request
    def _count_failures(response):
        if response.status_code == 401 and _counts_authentication():
            window.hit(failures, FAILED_AUTHENTICATION, _client_address())
        return response
