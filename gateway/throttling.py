"""Throttling at the gateway, with Flask-Limiter.

- Failed authentication: once a client address has had AUTH_FAILURE_LIMIT failed authentications
  (401 from /api/v1 or from the console's sign-in form), every /api/v1 call and sign-in from that
  address gets 429 with Retry-After until the window has passed. Guessing keys is slow, and a
  client that keeps sending a revoked key stops costing a database query per call.
- Per key: KEY_RATE_LIMIT (unset by default) caps each API key's calls.

Counters live in RATELIMIT_STORAGE_URI: `memory://` counts in each process, so with several web
workers or replicas each has its own counters; share one store (e.g. `redis://host:6379`) there.
"""

from __future__ import annotations

import math
import time

from flask import Flask, render_template, request
from flask_limiter import ApplicationLimit, Limiter, RateLimitExceeded
from werkzeug.middleware.proxy_fix import ProxyFix

from gateway.console.security import is_console_path
from gateway.domain.keys import hash_key
from services.common.config import GatewaySettings
from services.common.web import problem_response

SIGN_IN = "/login"


def _client_address() -> str:
    return request.remote_addr or "unknown"


def _counts_authentication() -> bool:
    return request.path.startswith("/api/") or (request.path == SIGN_IN and request.method == "POST")


def _bearer_key_hash() -> str:
    """The calling key, identified without a database look-up (its hash is how the store knows it)."""
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    return hash_key(secret.strip()) if scheme.lower() == "bearer" and secret.strip() else ""


def _retry_after_s(limiter: Limiter) -> int:
    breached = limiter.current_limit
    return max(1, math.ceil(breached.reset_at - time.time())) if breached else 60


def init_throttling(app: Flask, settings: GatewaySettings) -> Limiter | None:
    """Call before the gateway's own request hooks: a limit is tested before the key is looked up."""
    if settings.proxy_hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.proxy_hops, x_proto=settings.proxy_hops)
    if not settings.throttling:
        return None
    limits = [
        ApplicationLimit(
            settings.auth_failure_limit,
            key_function=_client_address,
            scope="failed-authentication",
            exempt_when=lambda: not _counts_authentication(),
            deduct_when=lambda response: response.status_code == 401,
        )
    ]
    if settings.key_rate_limit:
        limits.append(
            ApplicationLimit(
                settings.key_rate_limit,
                key_function=_bearer_key_hash,
                scope="api-key",
                exempt_when=lambda: not request.path.startswith("/api/") or not _bearer_key_hash(),
            )
        )
    limiter = Limiter(
        _client_address,
        app=app,
        application_limits=limits,
        storage_uri=settings.rate_limit_storage,
        strategy="moving-window",
    )

    @app.errorhandler(RateLimitExceeded)
    def _too_many(error: RateLimitExceeded):
        headers = {"Retry-After": str(_retry_after_s(limiter))}
        detail = f"too many requests ({error.description}); try again later"
        if is_console_path(request.path):
            return render_template("console/error.html", status=429, detail=detail), 429, headers
        return problem_response(429, detail, headers=headers)

    return limiter
