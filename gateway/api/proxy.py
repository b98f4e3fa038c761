"""Forwarding: the gateway passes /api/v1 calls to the owning service with a signed principal."""

from __future__ import annotations

import requests
from flask import Response, current_app, g, request
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from gateway.service_layer.keys import bind_registered_enterprise
from services.common.errors import NotFound
from services.common.identity import sign_principal
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
upstream_session = requests.Session()
# A service restarting refuses connections for a moment: idempotent calls are sent again
# (a POST is not: the service may have acted on it). A read error is not retried, so a slow
# service is not sent the same work twice.
upstream_session.mount(
    "http://",
    HTTPAdapter(
        max_retries=Retry(total=2, connect=2, read=0, status=0, other=0, allowed_methods=Retry.DEFAULT_ALLOWED_METHODS)
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
    headers.update(sign_principal(g.principal, gw.settings.internal_secret))
    try:
        upstream = upstream_session.request(
            request.method,
            gw.service_urls[service] + full_path,
            params=request.query_string,
            data=request.get_data(),
            headers=headers,
            timeout=TIMEOUT_S,
            allow_redirects=False,
        )
    except requests.RequestException:
        return problem_response(503, f"the {service} service is not reachable; try again shortly")
    _bind_enrolment_key(full_path, upstream)
    out_headers = [(k, v) for k, v in upstream.headers.items() if k.lower() not in HOP_BY_HOP]
    return Response(upstream.content, status=upstream.status_code, headers=out_headers)


def _bind_enrolment_key(path: str, upstream: requests.Response) -> None:
    """An enterprise key without an enterprise becomes that enterprise's key once it registers one."""
    p = g.principal
    if request.method == "POST" and path.rstrip("/") == "/api/v1/enterprises" and upstream.status_code == 201:
        bind_registered_enterprise(current_app.extensions["parkloop.gateway"], p, upstream.json()["id"])
