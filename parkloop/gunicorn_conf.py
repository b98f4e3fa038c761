"""Gunicorn settings shared by every ParkLoop web process: `gunicorn -c python:parkloop.gunicorn_conf APP`.

`parkloop run` and the container entrypoint both use this file, so a service behaves the same
on one machine and at scale. Command-line flags (the supervisor's `--workers 1`) override it.
"""

from __future__ import annotations

import logging
import os

from services.common.logs import configure_logging, json_formatter

workers = int(os.environ.get("WEB_WORKERS", "2"))
threads = int(os.environ.get("WEB_THREADS", "8"))
timeout = 60
graceful_timeout = 10
keepalive = 75
# Long filter URLs are the app's to judge: 0 lifts gunicorn's 4 KiB line limit to its 1 MiB cap.
limit_request_line = 0
accesslog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms'

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


def on_starting(server) -> None:
    use_json_logs(server.cfg.proc_name)


def post_fork(server, worker) -> None:
    # Before the app loads, so its loggers find the JSON handler on the root and add none of their own.
    use_json_logs(server.cfg.proc_name)


def use_json_logs(process_name: str) -> None:
    """Gunicorn's own error and access lines, and the app's, as JSON lines (services.common.logs)."""
    configure_logging(process_name)
    for name in ("gunicorn.error", "gunicorn.access"):
        for handler in logging.getLogger(name).handlers:
            handler.setFormatter(json_formatter(process_name))
