"""Error pages for console paths; API paths keep their problem+json answers."""

from __future__ import annotations

from flask import render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from gateway.console.api_client import ApiProblem
from gateway.console.security import is_console_path


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
