"""Error pages for console paths; API paths keep their problem+json answers."""

from __future__ import annotations

import sqlalchemy as sa
from flask import render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from gateway.console.api_client import ApiProblem
from gateway.console.security import is_console_path
from services.common.web import handle_database_error


def register_error_pages(app, api_error_handler) -> None:
    """`api_error_handler` answers API paths (problem+json), as it would without the console."""

    @app.errorhandler(ApiProblem)
    def _api_problem(error: ApiProblem):
        return render_template("console/error.html", status=error.status, detail=error.detail), error.status

    @app.errorhandler(CSRFError)
    def _csrf(error: CSRFError):
        return render_template("console/error.html", status=400, detail=error.description), 400

    def _console_or_api(error: HTTPException):
        if not is_console_path(request.path):
            return api_error_handler(error)
        return render_template("console/error.html", status=error.code, detail=error.description), error.code

    for status in (400, 403, 404, 405):
        app.register_error_handler(status, _console_or_api)

    def _database(error: Exception):
        """The gateway's own database (keys, sessions, audit trail) lost for a moment: 503 with
        Retry-After, as the services answer; a statement it refuses is raised again (a 500)."""
        answer = handle_database_error(error)
        if not is_console_path(request.path):
            return answer
        page = render_template("console/error.html", status=503, detail=None)
        return page, 503, {"Retry-After": answer.headers["Retry-After"]}

    app.register_error_handler(sa.exc.DBAPIError, _database)
    app.register_error_handler(sa.exc.TimeoutError, _database)
