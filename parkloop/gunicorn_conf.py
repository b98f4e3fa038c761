"""Gunicorn settings shared by every ParkLoop web process: `gunicorn -c python:parkloop.gunicorn_conf APP`.

`parkloop run` and the container entrypoint both use this file, so a service behaves the same
on one machine and at scale. Command-line flags (the supervisor's `--workers 1`) override it.
"""
from __future__ import annotations

import os

workers = int(os.environ.get("WEB_WORKERS", "2"))
threads = int(os.environ.get("WEB_THREADS", "8"))
timeout = 60
graceful_timeout = 10
keepalive = 75
# Long filter URLs are the app's to judge: 0 lifts gunicorn's 4 KiB line limit to its 1 MiB cap.
limit_request_line = 0
accesslog = "-"

# Gunicorn drains at most this much of a body the app left unread (a 401, 404 or 413 answered
# before reading it) and then drops the connection it had announced as kept alive, so the
# client's next call on it fails. Such a request is answered with `Connection: close` instead.
UNREAD_BODY_DRAIN_LIMIT = 64 * 1024


def pre_request(worker, req) -> None:
    if may_leave_body_unread(req.headers):
        req.must_close = True


def may_leave_body_unread(headers: list[tuple[str, str]]) -> bool:
    """Whether a request's body could exceed what gunicorn drains before reusing the connection."""
    for name, value in headers:
        name = name.upper()
        if name == "TRANSFER-ENCODING":
            return True
        if name == "CONTENT-LENGTH":
            try:
                return int(value) > UNREAD_BODY_DRAIN_LIMIT
            except ValueError:
                return True
    return False
