"""What every service's web layer shares: RFC 9457 problems, the gateway's identity, health.

Errors from webargs/marshmallow and from the domain leave as `application/problem+json`
with an `errors` member mapping each bad field (dotted path) to its messages.
"""

from __future__ import annotations

import http
import logging

import marshmallow as ma
from flask import Flask, Response, current_app, g, json, request
from flask_smorest import Api
from flask_smorest.utils import prepare_response
from werkzeug.exceptions import HTTPException, InternalServerError

from .errors import DomainError, Forbidden
from .identity import Principal, verify_principal

PROBLEM_JSON = "application/problem+json"
MAX_BODY_BYTES = 1024 * 1024
log = logging.getLogger(__name__)


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
    body = {"type": "about:blank", "title": http.HTTPStatus(status).phrase, "status": status}
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
            response = {"description": status.phrase}
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


def handle_domain_error(error: DomainError):
    return problem_response(error.status, error.detail, getattr(error, "errors", None))


def create_service_app(name: str, settings, blueprints, title: str) -> Flask:
    """The Flask app every service builds the same way: config, API docs, errors, identity, health."""
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
    api = ProblemApi(app)
    app.register_error_handler(DomainError, handle_domain_error)
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

    return app


def current_principal() -> Principal:
    """The caller the gateway vouched for; a request without one is refused."""
    principal = g.get("principal")
    if principal is None:
        raise Forbidden("this service only accepts requests forwarded by the gateway")
    return principal


def settings():
    return current_app.extensions["parkloop.settings"]
