"""Gunicorn settings shared by every ParkLoop web process: `gunicorn -c python:parkloop.gunicorn_conf APP`.

`parkloop run` and the container entrypoint both use this file, so a service behaves the same
on one machine and at scale. Command-line flags (the supervisor's `--workers 1`) override it.
"""

from __future__ import annotations

import logging
import os

from gunicorn.glogging import Logger

from services.common.logs import configure_logging, info_line, json_formatter

workers = int(os.environ.get("WEB_WORKERS", "2"))
threads = int(os.environ.get("WEB_THREADS", "8"))
timeout = 60
graceful_timeout = 10
keepalive = 75
# Long filter URLs are the app's to judge: 0 lifts gunicorn's 4 KiB line limit to its 1 MiB cap.
limit_request_line = 0
accesslog = "-"
logger_class = "parkloop.gunicorn_conf.AccessLineLogger"

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


class AccessLineLogger(Logger):
    """Gunicorn's logger, but the access line is written straight to its handlers, in the JSON
    shape every other line has: `remote "METHOD /uri HTTP/1.1" status bytes Nms`.

    Gunicorn builds a dict of every header and environ entry for each line and then goes
    through `logging` and the JSON formatter: a fifth of the gateway's CPU per forwarded call
    (py-spy, issue 10), spent while the kept-alive connection waits for its next request."""

    def access(self, resp, req, environ, request_time) -> None:
        if not self.access_log_enabled:
            return
        sent = getattr(resp, "sent", None)
        status = resp.status.split(None, 1)[0] if isinstance(resp.status, str) else resp.status
        ms = request_time.seconds * 1000 + request_time.microseconds // 1000
        request_line = f"{environ['REQUEST_METHOD']} {environ['RAW_URI']} {environ['SERVER_PROTOCOL']}"
        line = info_line(
            self.cfg.proc_name,
            "gunicorn.access",
            f'{environ.get("REMOTE_ADDR", "-")} "{request_line}" {status} {"-" if sent is None else sent} {ms}ms',
        )
        for handler in self.access_log.handlers:
            try:
                with handler.lock:  # type: ignore[union-attr]
                    handler.stream.write(line)  # type: ignore[attr-defined]
                    handler.stream.flush()  # type: ignore[attr-defined]
            except Exception:  # as `logging` does: a full disk must not fail the request
                handler.handleError(logging.makeLogRecord({"msg": line}))
