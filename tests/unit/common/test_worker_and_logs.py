"""How every worker process runs and what its log lines look like."""

from __future__ import annotations

import json
import logging
import os
import signal
from datetime import timedelta
from types import SimpleNamespace

import pytest
from gunicorn.config import Config

from parkloop.gunicorn_conf import AccessLineLogger, may_leave_body_unread
from services.common.config import Settings
from services.common.logs import configure_logging, info_line, json_formatter, log_configuration
from services.common.worker import run_worker


@pytest.fixture
def restore_logging_and_signals():
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    previous = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGINT)}
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    for s, handler in previous.items():
        signal.signal(s, handler)


def test_a_worker_whose_loop_fails_starts_it_again_and_stops_on_sigterm(restore_logging_and_signals, capsys, tmp_path):
    runs = []

    def loop(stop):
        runs.append(stop())
        if len(runs) < 3:
            raise ConnectionError("the bus is down")
        os.kill(os.getpid(), signal.SIGTERM)  # the operator stops it during the third run
        assert stop()

    settings = Settings("ledger", tmp_path, "sqlite:///ledger.db", "kafka://k:9092", "s")
    run_worker("test-worker", settings, loop, retry_after_s=0.01)

    assert runs == [False, False, False]
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    failures = [line for line in lines if line["level"] == "ERROR"]
    assert len(failures) == 2 and "the bus is down" in failures[0]["exc_info"]
    assert lines[-1]["message"] == "test-worker stopped"
    assert lines[0]["message"] == "test-worker uses database sqlite:///ledger.db, event_bus kafka://k:9092"


def test_each_process_logs_what_it_connects_to_with_secrets_masked(restore_logging_and_signals, capsys, monkeypatch):
    monkeypatch.setenv("MATCHING_DATABASE_URL", "postgresql+psycopg://parkloop:hunter2@postgres/matching")
    monkeypatch.setenv("EVENT_BUS", "kafka://kafka:9092")
    monkeypatch.setenv("SEARCH_URL", "http://elastic:changeme@es:9200")
    monkeypatch.setenv("LISTNGS_DATABASE_URL", "postgresql+psycopg://parkloop:hunter2@postgres/listings")
    configure_logging("matching")

    log_configuration("matching", Settings.from_env("matching"))

    err = capsys.readouterr().err
    assert "hunter2" not in err and "changeme" not in err
    started, *warnings = [json.loads(line) for line in err.splitlines()]
    [misspelt] = [w for w in warnings if "LISTNGS" in w["message"]]
    assert started["database"] == "postgresql+psycopg://parkloop:***@postgres/matching"
    assert started["event_bus"] == "kafka://kafka:9092" and started["search"] == "http://elastic:***@es:9200"
    assert misspelt["level"] == "WARNING"
    assert "LISTINGS_DATABASE_URL" in misspelt["message"]


def test_an_unset_database_url_shows_as_the_sqlite_file_it_falls_back_to(monkeypatch, tmp_path):
    monkeypatch.setenv("PARKLOOP_DATA", str(tmp_path))
    monkeypatch.delenv("GATEWAY_DATABASE_URL", raising=False)
    assert Settings.from_env("gateway").connections() == {"database": f"sqlite:///{tmp_path / 'gateway.db'}"}


def test_log_lines_are_json_naming_the_process_with_extra_fields(restore_logging_and_signals, capsys):
    configure_logging("ledger-worker")
    logging.getLogger("ledger").warning("entry %d recorded", 7, extra={"event_id": "e-1"})
    [line] = [json.loads(text) for text in capsys.readouterr().err.splitlines()]
    assert line["message"] == "entry 7 recorded" and line["level"] == "WARNING"
    assert line["process_name"] == "ledger-worker" and line["logger"] == "ledger" and line["event_id"] == "e-1"
    assert line["time"].endswith("+00:00")


def test_log_level_comes_from_the_environment(restore_logging_and_signals, capsys, monkeypatch):
    monkeypatch.setenv("LOG_LEVEL", "warning")
    configure_logging("listings-relay")
    logging.getLogger("x").info("quiet")
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize(
    "headers, closes",
    [
        ([("CONTENT-LENGTH", "2097152")], True),
        ([("CONTENT-LENGTH", "65537")], True),
        ([("CONTENT-LENGTH", "65536")], False),
        ([("CONTENT-LENGTH", "12")], False),
        ([("TRANSFER-ENCODING", "chunked")], True),
        ([("CONTENT-LENGTH", "many")], True),
        ([("HOST", "x")], False),
    ],
)
def test_a_request_whose_body_may_stay_unread_is_answered_with_connection_close(headers, closes):
    assert may_leave_body_unread(headers) is closes


def test_libraries_that_narrate_every_request_log_only_warnings_unless_debugging(
    restore_logging_and_signals, capsys, monkeypatch
):
    configure_logging("matching-worker")
    logging.getLogger("elastic_transport.transport").info("POST http://es:9200/_bulk [status:200]")
    logging.getLogger("kafka.conn").warning("broker unreachable")
    assert [json.loads(line)["message"] for line in capsys.readouterr().err.splitlines()] == ["broker unreachable"]

    monkeypatch.setenv("LOG_LEVEL", "DEBUG")
    configure_logging("matching-worker")
    logging.getLogger("elastic_transport.transport").info("POST http://es:9200/_bulk [status:200]")
    assert "_bulk" in capsys.readouterr().err


def test_a_line_made_without_logging_is_the_line_the_json_formatter_writes():
    record = logging.LogRecord("gunicorn.access", logging.INFO, __file__, 1, '- "GET / HTTP/1.1" 200 2 0ms', None, None)
    formatted = json.loads(json_formatter("parkloop-gateway").format(record))
    made = json.loads(info_line("parkloop-gateway", "gunicorn.access", '- "GET / HTTP/1.1" 200 2 0ms'))
    assert list(made) == list(formatted)  # the same keys, in the same order
    assert {**made, "time": None} == {**formatted, "time": None}


def _access_logger(access_log) -> AccessLineLogger:
    config = Config()
    config.set("accesslog", access_log)
    config.set("proc_name", "parkloop-gateway")
    return AccessLineLogger(config)


def test_each_request_writes_one_json_access_line_like_every_other_line(tmp_path, restore_logging_and_signals):
    path = tmp_path / "gateway-access.log"
    logger = _access_logger(str(path))
    environ = {"REQUEST_METHOD": "GET", "RAW_URI": "/api/v1/offers?page=2", "SERVER_PROTOCOL": "HTTP/1.1"}
    answer = SimpleNamespace(status="404 NOT FOUND", sent=112)
    logger.access(answer, None, {**environ, "REMOTE_ADDR": "10.0.0.7"}, timedelta(seconds=1, microseconds=23_999))
    logger.access(SimpleNamespace(status=200, sent=None), None, environ, timedelta(microseconds=900))

    first, second = (json.loads(line) for line in path.read_text().splitlines())
    assert first.pop("time").endswith("+00:00")
    assert first == {
        "level": "INFO",
        "logger": "gunicorn.access",
        "message": '10.0.0.7 "GET /api/v1/offers?page=2 HTTP/1.1" 404 112 1023ms',
        "process_name": "parkloop-gateway",
    }
    assert second["message"] == '- "GET /api/v1/offers?page=2 HTTP/1.1" 200 - 0ms'


def test_without_an_access_log_no_line_is_written(tmp_path, capsys, restore_logging_and_signals):
    logger = _access_logger(None)
    environ = {"REQUEST_METHOD": "GET", "RAW_URI": "/healthz", "SERVER_PROTOCOL": "HTTP/1.1"}
    logger.access(SimpleNamespace(status="200 OK", sent=2), None, environ, timedelta(0))
    assert capsys.readouterr() == ("", "")
