"""Structured logs: every ParkLoop process writes one JSON object a line to stderr.

Each line names its process (`listings`, `ledger-worker`…) so logs collected from many
replicas can be told apart; `extra={...}` fields of a log call become keys of the line.
"""

from __future__ import annotations

import json
import logging
import os
from datetime import UTC, datetime

from pythonjsonlogger.json import JsonFormatter

from .config import DATABASE_URL_VARIABLES

FIELDS = "{levelname}{name}{message}"
log = logging.getLogger("parkloop.configuration")
# Libraries that narrate every connection, request or plugin at INFO: warnings only, unless DEBUG.
CHATTY = ("alembic", "kafka", "elastic_transport", "opensearch", "urllib3")
LEVEL, LOGGER, PROCESS, TIME = "level", "logger", "process_name", "time"  # a line's keys, besides "message"
RENAMED = {"levelname": LEVEL, "name": LOGGER}


def json_formatter(process_name: str) -> JsonFormatter:
    return JsonFormatter(
        FIELDS, style="{", rename_fields=RENAMED, timestamp=TIME, static_fields={PROCESS: process_name}
    )


def info_line(process_name: str, logger: str, message: str) -> str:
    """The line `json_formatter` writes for an INFO record of `logger`, made without `logging`
    (gunicorn's access line, written on every request)."""
    line = {
        LEVEL: "INFO",
        LOGGER: logger,
        "message": message,
        PROCESS: process_name,
        TIME: datetime.now(UTC).isoformat(),
    }
    return json.dumps(line) + "\n"


def configure_logging(process_name: str) -> None:
    """Send the root logger's records, as JSON lines, to stderr at LOG_LEVEL (default INFO)."""
    handler = logging.StreamHandler()
    handler.setFormatter(json_formatter(process_name))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(os.environ.get("LOG_LEVEL", "INFO").upper())
    chatty_level = root.level if root.level <= logging.DEBUG else max(root.level, logging.WARNING)
    for name in CHATTY:
        logging.getLogger(name).setLevel(chatty_level)


def log_configuration(process_name: str, settings) -> None:
    """At start: which database, bus and search engine the process uses (secrets masked), so an
    unset or misspelt *_DATABASE_URL shows as the SQLite file it fell back to, with a warning."""
    connections = settings.connections()
    log.info("%s uses %s", process_name, ", ".join(f"{k} {v}" for k, v in connections.items()), extra=connections)
    for name in settings.unread_variables:
        log.warning(
            "%s is set but no ParkLoop process reads it; the databases are named by %s",
            name,
            ", ".join(DATABASE_URL_VARIABLES),
        )
