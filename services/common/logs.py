"""Structured logs: every ParkLoop process writes one JSON object a line to stderr.

Each line names its process (`listings`, `ledger-worker`…) so logs collected from many
replicas can be told apart; `extra={...}` fields of a log call become keys of the line.
"""

from __future__ import annotations

import logging
import os

from pythonjsonlogger.json import JsonFormatter

FIELDS = "{levelname}{name}{message}"
# Libraries that narrate every connection, request or plugin at INFO: warnings only, unless DEBUG.
CHATTY = ("alembic", "kafka", "elastic_transport", "opensearch", "urllib3")
RENAMED = {"levelname": "level", "name": "logger"}


def json_formatter(process_name: str) -> JsonFormatter:
    return JsonFormatter(
        FIELDS, style="{", rename_fields=RENAMED, timestamp="time", static_fields={"process_name": process_name}
    )


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
