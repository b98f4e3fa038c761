"""What every service's web layer shares: RFC 9457 problems, the gateway's identity, health.

Errors from webargs/marshmallow and from the domain leave as `application/problem+json`
with an `errors` member mapping each bad field (dotted path) to its messages. Every API blueprint
(`Blueprint` here) refuses, before its own rules, what no endpoint can use: a body that is not
strict JSON, and control characters in the path or the query.
"""

from __future__ import annotations

import http
import logging

import flask_smorest
import marshmallow as ma
import sqlalchemy as sa
from flask import Flask, Response, current_app, g, json, request
from flask_smorest import Api
from flask_smorest.utils import prepare_response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from webargs import core
from webargs.flaskparser import FlaskParser, abort, is_json_request
from werkzeug.exceptions import HTTPException, InternalServerError
from werkzeug.routing import IntegerConverter

from . import json_body
from .db import database_unavailable
from .errors import DomainError, Forbidden, Unavailable
from .identity import Principal, verify_principal
from .logs import log_configuration
from .operations import Operations
from .schemas import COLUMN_INT_MAX, has_control_characters

PROBLEM_JSON = "application/problem+json"
MAX_BODY_BYTES = 1024 * 1024
BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# RFC 9110's names where Python's http module still has RFC 7231's.
TITLES = {413: "Content Too Large", 422: "Unprocessable Content"}
log = logging.getLogger(__name__)


def status_title(status: int) -> str:
    return TITLES.get(status) or http.HTTPStatus(status).phrase


class ProblemSchema(ma.Schema):
    """RFC 9457 problem details, as every error response carries them."""

    type = ma.fields.String(metadata={"description": "A URI naming the kind of problem"})
    title = ma.fields.String(required=True)
    status = ma.fields.Integer(required=True)
    detail = ma.fields.String()
    errors = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.List(ma.fields.String()),
        metadata={"description": "Each invalid field (dotted path) and the rules it breaks"},
    )


def flatten_messages(messages, prefix: str = "") -> dict[str, list[str]]:
    """webargs nests messages by location and field; users want `field.sub: [msg]`."""
    flat: dict[str, list[str]] = {}
    if isinstance(messages, dict):
        for key, value in messages.items():
            name = "" if key in ("json", "query", "_schema") and not prefix else str(key)
            path = f"{prefix}.{name}" if prefix and name else (name or prefix)
            for field, msgs in flatten_messages(value, path).items():
                flat.setdefault(field, []).extend(msgs)
    elif isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        flat[prefix or "body"] = list(messages)
    elif isinstance(messages, list):
        for item in messages:
            for field, msgs in flatten_messages(item, prefix).items():
                flat.setdefault(field, []).extend(msgs)
    else:
        flat[prefix or "body"] = [str(messages)]
    return flat


def problem_response(status: int, detail: str | None = None, errors: dict | None = None, headers=None) -> Response:
    body = {"type": "about:blank", "title": status_title(status), "status": status}
    if detail:
        body["detail"] = detail
    if errors:
        body["errors"] = errors
    return Response(json.dumps(body), status=status, mimetype=PROBLEM_JSON, headers=headers)


class ProblemApi(Api):
    """flask-smorest's Api, documenting and sending errors as problem+json."""

    ERROR_SCHEMA = ProblemSchema

    def _register_responses(self):
        for status in http.HTTPStatus:
            response = {"description": status_title(status)}
            if status >= 400:
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, PROBLEM_JSON)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "Default error response", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, PROBLEM_JSON)
        self.spec.components.response("DEFAULT_ERROR", response, lazy=True)

    def handle_http_exception(self, error: HTTPException):
        if isinstance(error, InternalServerError):
            log.error("unhandled error", exc_info=error.original_exception)
        data = getattr(error, "data", None) or {}
        messages = data.get("errors") or data.get("messages")
        errors = flatten_messages(messages) if messages else None
        detail = data.get("message") or (
            "; ".join(f"{f}: {' '.join(m)}" for f, m in errors.items()) if errors else error.description
        )
        return problem_response(error.code or 500, detail, errors, data.get("headers"))


def request_body():
    """The request's JSON body, read once with json_body's rules (raises json_body.BadBody)."""
    if "json_body" not in g:
        raw = request.get_data(cache=True)
        g.json_body = json_body.parse(raw) if raw.strip() else core.missing
    return g.json_body


class StrictJsonParser(FlaskParser):
    """webargs' parser, handing schemas the body as request_body read it."""

    def _raw_load_json(self, req):
        if not is_json_request(req):
            return core.missing
        try:
            return request_body()
        except json_body.BadBody as exc:
            abort(400, messages={"body": [str(exc)]})


def _reads_json_body() -> bool:
    view = current_app.view_functions.get(request.endpoint or "")
    handler = getattr(getattr(view, "view_class", None), request.method.lower(), view)
    return getattr(handler, "reads_json_body", False)


def check_request() -> Response | None:
    """What every API endpoint refuses before its own rules: control characters in the path or the
    query (PostgreSQL cannot even compare text holding NUL), and bodies that are not JSON read strictly."""
    bad = {
        name: ["must not contain control characters"]
        for name, value in [*(request.view_args or {}).items(), *request.args.items(multi=True)]
        if isinstance(value, str) and has_control_characters(value)
    }
    if bad:
        return problem_response(422, "; ".join(f"{name}: must not contain control characters" for name in bad), bad)
    return check_body() if request.method in BODY_METHODS else None


def check_body() -> Response | None:
    """Every body the API accepts is JSON, read strictly, and read: another type is 415 (not a 422
    naming every field missing), a hostile one 400, and fields sent to an endpoint that takes none
    are unknown (422), as they are to any schema, rather than silently ignored."""
    if not request.is_json:
        chunked = "chunked" in request.headers.get("Transfer-Encoding", "").lower()
        if not (request.content_length or chunked or request.mimetype):
            return None  # no body at all: the endpoint's own rules decide
        detail = f"send the body as application/json, not {request.mimetype or 'untyped'}"
        return problem_response(415, detail, {"body": ["must be JSON"]})
    try:
        body = request_body()
    except json_body.BadBody as exc:
        return problem_response(400, f"body: {exc}", {"body": [str(exc)]})
    if body in (core.missing, None, {}) or _reads_json_body():
        return None
    unknown = {str(key): ["Unknown field."] for key in body} if isinstance(body, dict) else None
    return problem_response(422, "this endpoint takes no body", unknown or {"body": ["must be empty or {}"]})


class Blueprint(flask_smorest.Blueprint):
    """flask-smorest's Blueprint for every API: bodies are JSON, read strictly, and never ignored."""

    ARGUMENTS_PARSER = StrictJsonParser()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A blueprint's hooks run after the app's: the caller is identified before its body is read.
        self.before_request(check_request)

    def arguments(self, schema, *, location="json", **kwargs):
        decorator = super().arguments(schema, location=location, **kwargs)
        if location != "json":
            return decorator

        def marked(func):
            view = decorator(func)
            view.reads_json_body = True  # for check_body; the decorators above copy it up (functools.wraps)
            return view

        return marked


class ColumnIntConverter(IntegerConverter):
    """`<int:…>` in every service's paths: a number a 32-bit INTEGER column can be compared with."""

    def __init__(self, map, fixed_digits=0, min=None, max=COLUMN_INT_MAX, signed=False):  # noqa: A002
        super().__init__(map, fixed_digits, min, max, signed)


def handle_domain_error(error: DomainError):
    headers = {"Retry-After": str(error.retry_after_s)} if isinstance(error, Unavailable) else None
    return problem_response(error.status, error.detail, getattr(error, "errors", None), headers)


def handle_database_error(error: Exception):
    """A database outage is 503 with Retry-After, as the search engine's is; anything else stays a 500."""
    if not database_unavailable(error):
        raise error
    log.warning("database unavailable: %s", error.__class__.__name__)
    return handle_domain_error(Unavailable("the database does not answer; nothing was changed, try again shortly"))


def create_service_app(name: str, settings, blueprints, title: str, operations: Operations) -> Flask:
    """The Flask app every service builds the same way: config, API docs, errors, identity, health,
    readiness of each part it depends on, and its gauges for Prometheus."""
    app = Flask(f"services.{name}")  # the real package: a bare name can collide with other paths
    app.config.update(
        API_TITLE=title,
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/",
        OPENAPI_JSON_PATH="openapi.json",
        MAX_CONTENT_LENGTH=MAX_BODY_BYTES,
        JSON_SORT_KEYS=False,
    )
    app.extensions["parkloop.settings"] = settings
    log_configuration(name, settings)
    app.url_map.converters["int"] = ColumnIntConverter  # before any route is added
    api = ProblemApi(app)
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(sa.exc.DBAPIError, handle_database_error)
    app.register_error_handler(sa.exc.TimeoutError, handle_database_error)
    for blp in blueprints:
        api.register_blueprint(blp)

    @app.before_request
    def _identify_caller():
        # Checked before any body is parsed: an unsigned call learns nothing, not even validation.
        g.principal = verify_principal(request.headers, settings.internal_secret)
        if g.principal is None and request.path.startswith("/api/"):
            return problem_response(403, "this service only accepts requests forwarded by the gateway")
        return None

    @app.get("/healthz")
    def healthz():
        return {"status": "ok", "service": name}

    @app.get("/readyz")
    def readyz():
        state = operations.readiness()
        return state, 200 if state["ready"] else 503

    registry = CollectorRegistry()
    registry.register(operations.collector())

    @app.get("/metrics")
    def metrics():
        return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)

    return app


def current_principal() -> Principal:
    """The caller the gateway vouched for; a request without one is refused."""
    principal = g.get("principal")
    if principal is None:
        raise Forbidden("this service only accepts requests forwarded by the gateway")
    return principal


def settings():
    return current_app.extensions["parkloop.settings"]
