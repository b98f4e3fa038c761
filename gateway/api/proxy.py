"""Forwarding: the gateway passes /api/v1 calls to the owning service with a signed principal."""

from __future__ import annotations

import functools
import json
import time
from collections.abc import Iterator

import urllib3
from flask import Response, current_app, g, request

from gateway.service_layer.keys import bind_registered_enterprise
from services.common.errors import NotFound
from services.common.identity import Principal, sign_principal
from services.common.web import problem_response

from ..routing import service_for

HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "transfer-encoding",
    "te",
    "trailer",
    "upgrade",
    "proxy-authorization",
    "proxy-authenticate",
    "content-length",
    "content-encoding",
    "host",
    "authorization",
    "cookie",
}
TIMEOUT_S = 30
STREAM_CHUNK_BYTES = 64 * 1024


class _Retry(urllib3.Retry):
    """A service restarting refuses connections for a moment, and a kept-alive connection to a
    worker that has just died (several web workers, a restart) fails when reused. Both are sent
    again when the method is idempotent (a POST is not: the service may have acted on it). A read
    timeout is not: a slow service is not sent the same work twice."""

    def increment(self, method=None, url=None, response=None, error=None, _pool=None, _stacktrace=None):
        if isinstance(error, urllib3.exceptions.ReadTimeoutError):
            raise error
        return super().increment(method, url, response, error, _pool, _stacktrace)


# urllib3 itself rather than requests: requests' per-call session merging, proxy look-up in the
# environment and cookie handling were a third of the gateway's overhead (py-spy, issue 10). The
# pool keeps a kept-alive connection per gunicorn thread to each service.
upstream = urllib3.PoolManager(
    maxsize=16,
    timeout=urllib3.Timeout(connect=TIMEOUT_S, read=TIMEOUT_S),
    retries=_Retry(
        total=2,
        connect=2,
        read=1,
        status=0,
        other=0,
        redirect=False,
        allowed_methods=urllib3.Retry.DEFAULT_ALLOWED_METHODS,
    ),
)


def forward(path: str) -> Response:
    full_path = f"/api/v1/{path}"
    service = service_for(full_path)
    if service is None:
        raise NotFound(f"no endpoint {full_path}")
    gw = current_app.extensions["parkloop.gateway"]
    headers = {
        k: v
        for k, v in request.headers.items()
        if k.lower() not in HOP_BY_HOP and not k.lower().startswith("x-parkloop")
    }
    headers.update(_signed(g.principal, gw.settings.internal_secret))
    query = request.query_string.decode("latin-1")
    try:
        answer = _pool(gw.service_urls[service]).urlopen(
            request.method,
            full_path + (f"?{query}" if query else ""),
            body=request.get_data(),
            headers=headers,
            redirect=False,
            preload_content=False,
        )
    except urllib3.exceptions.HTTPError:
        return problem_response(503, f"the {service} service is not reachable; try again shortly")
    out_headers = [(k, v) for k, v in answer.headers.items() if k.lower() not in HOP_BY_HOP]
    if answer.headers.get("Transfer-Encoding", "").lower() == "chunked":  # a stream (the ledger export): pass it on
        return Response(_relayed(answer), status=answer.status, headers=out_headers)
    body = answer.data
    answer.release_conn()
    _bind_enrolment_key(full_path, body, answer.status)
    return Response(body, status=answer.status, headers=out_headers)


def _relayed(answer: urllib3.BaseHTTPResponse) -> Iterator[bytes]:
    """The body as it arrives, without holding it; the connection goes back to the pool at the end."""
    try:
        yield from answer.stream(STREAM_CHUNK_BYTES)
    finally:
        answer.release_conn()


_signatures: dict[Principal, tuple[int, dict[str, str]]] = {}


def _signed(principal: Principal, secret: str) -> dict[str, str]:
    """The principal's signed headers, made once per second per principal rather than per call
    (the signature carries the second it was made; services accept it for minutes)."""
    now = int(time.time())
    signed = _signatures.get(principal)
    if signed is None or signed[0] != now:
        if len(_signatures) >= 10_000:
            _signatures.clear()
        signed = _signatures[principal] = (now, sign_principal(principal, secret, now))
    return signed[1]


@functools.cache
def _pool(service_url: str) -> urllib3.HTTPConnectionPool:
    """The service's pool, looked up once rather than by parsing the URL on every call."""
    return upstream.connection_from_url(service_url)


def _bind_enrolment_key(path: str, body: bytes, status: int) -> None:
    """An enterprise key without an enterprise becomes that enterprise's key once it registers one."""
    p = g.principal
    if request.method == "POST" and path.rstrip("/") == "/api/v1/enterprises" and status == 201:
        bind_registered_enterprise(current_app.extensions["parkloop.gateway"], p, json.loads(body)["id"])
