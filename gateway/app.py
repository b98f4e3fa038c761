"""The public entry: `gunicorn 'gateway.app:create_app()'`.

Authenticates every /api/v1 call by its bearer key, forwards it to the owning service with
a signed principal, and serves health, metrics, the merged OpenAPI document and its docs.
"""

from __future__ import annotations

import time
from functools import partial
from importlib import resources

from flask import Flask, Response, g, jsonify, request, send_from_directory
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from swagger_ui_bundle import swagger_ui_path

from gateway.adapters.key_store import KeyCache
from gateway.api import audit as audit_api
from gateway.api import keys as keys_api
from gateway.api.proxy import forward
from gateway.bootstrap import bootstrap
from gateway.console import init_console
from gateway.domain.keys import hash_key
from gateway.openapi import fetch_service_specs, merge_specs
from gateway.operations import ServiceMetrics, readiness
from gateway.routing import metric_route
from gateway.service_layer.audit import record_call
from gateway.throttling import init_throttling
from services.common.config import Settings
from services.common.errors import DomainError
from services.common.logs import log_configuration
from services.common.web import MAX_BODY_BYTES, ProblemApi, handle_domain_error, problem_response

API_VERSION = "v1"


def _authenticate(keys: KeyCache) -> Response | None:
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    key = keys.by_hash(hash_key(secret.strip())) if scheme.lower() == "bearer" and secret.strip() else None
    if key is None or not key.active:
        response = problem_response(401, "send a valid API key as `Authorization: Bearer <key>`")
        response.headers["WWW-Authenticate"] = 'Bearer realm="parkloop"'
        return response
    g.principal = key.principal()
    return None


def create_app(settings: Settings | None = None) -> Flask:
    settings = settings or Settings.from_env("gateway")
    log_configuration("gateway", settings)
    gw = bootstrap(settings)
    app = Flask(__name__)
    app.config.update(
        API_TITLE="ParkLoop gateway",
        API_VERSION=API_VERSION,
        OPENAPI_VERSION="3.0.3",
        MAX_CONTENT_LENGTH=MAX_BODY_BYTES,
    )
    app.extensions["parkloop.gateway"] = gw
    api = ProblemApi(app)
    api.register_blueprint(keys_api.blp)
    api.register_blueprint(audit_api.blp)
    app.register_error_handler(DomainError, handle_domain_error)
    init_console(app, gw, api.handle_http_exception)

    registry = CollectorRegistry()
    requests_total = Counter(
        "parkloop_gateway_requests", "Requests through the gateway", ["method", "route", "status"], registry=registry
    )
    latency = Histogram("parkloop_gateway_request_seconds", "Gateway request latency", ["route"], registry=registry)
    registry.register(ServiceMetrics(gw.service_urls))
    key_cache = KeyCache(gw.keys)

    @app.before_request
    def _clock():
        g.started = time.perf_counter()

    init_throttling(app, settings.gateway)  # its limits are tested between the clock and authentication

    @app.before_request
    def _authenticate_api_calls():
        if request.path.startswith("/api/"):
            return _authenticate(key_cache)
        return None

    @app.after_request
    def _count(response):
        if request.path.startswith("/api/"):
            route = metric_route(request.path)
            requests_total.labels(request.method, route, str(response.status_code)).inc()
            latency.labels(route).observe(time.perf_counter() - g.started)
            if "principal" in g:
                answer = partial(response.get_json, silent=True)
                record_call(gw, g.principal, request.method, request.path, response.status_code, "api", answer)
        return response

    app.add_url_rule("/api/v1/<path:path>", "forward", forward, methods=["GET", "POST", "PUT", "PATCH", "DELETE"])

    @app.get("/healthz")
    def healthz():
        return {"status": "ok", "service": "gateway"}

    @app.get("/readyz")
    def readyz():
        state = readiness(gw)
        return jsonify(state), 200 if state["ready"] else 503

    @app.get("/metrics")
    def metrics():
        return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)

    merged: dict = {}

    @app.get("/openapi.json")
    def openapi():
        if not merged:
            merged.update(merge_specs(api.spec.to_dict(), fetch_service_specs(gw.service_urls), API_VERSION))
        return jsonify(merged)

    @app.get("/docs")
    def docs():
        return Response(resources.files("gateway").joinpath("static/docs.html").read_text(), mimetype="text/html")

    @app.get("/docs/static/<path:filename>")
    def docs_static(filename):
        return send_from_directory(swagger_ui_path, filename)

    return app
