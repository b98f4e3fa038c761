"""A database or search engine that cannot answer for a moment (restarting, connection lost, busy) gets the
caller a 503 with Retry-After, saying nothing was changed; a statement or query the engine refuses is still
a bug (500), never disguised as an outage."""

from __future__ import annotations

import sqlite3

import elastic_transport
import psycopg
import pytest
import sqlalchemy as sa
from elasticsearch import ApiError, ConnectionError
from flask import Flask

from services.common.db import database_unavailable
from services.common.errors import DomainError, Unavailable
from services.common.web import handle_database_error, handle_domain_error
from services.matching.adapters import elasticsearch_search, opensearch_search
from services.matching.adapters.engine_index import EngineSearchIndex
from services.matching.domain.criteria import Criteria


def db_error(kind, orig: Exception, invalidated: bool = False) -> sa.exc.DBAPIError:
    return kind("SELECT 1", {}, orig, connection_invalidated=invalidated)


POSTGRES_DOWN = db_error(sa.exc.OperationalError, psycopg.OperationalError("connection refused"))
SQLITE_BUSY = db_error(sa.exc.OperationalError, sqlite3.OperationalError("database is locked"))
NO_TABLE = db_error(sa.exc.OperationalError, sqlite3.OperationalError("no such table: listings"))
BAD_SQL = db_error(sa.exc.ProgrammingError, psycopg.ProgrammingError('relation "listings" does not exist'))


def test_which_database_errors_are_outages():
    assert database_unavailable(POSTGRES_DOWN) and database_unavailable(SQLITE_BUSY)
    assert database_unavailable(db_error(sa.exc.DBAPIError, psycopg.Error("server closed"), invalidated=True))
    assert database_unavailable(sa.exc.TimeoutError("QueuePool limit reached"))
    assert not database_unavailable(NO_TABLE) and not database_unavailable(BAD_SQL)
    assert not database_unavailable(ValueError("not a database error"))


@pytest.fixture
def client():
    app = Flask(__name__)
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(sa.exc.DBAPIError, handle_database_error)
    errors = {"down": POSTGRES_DOWN, "bug": NO_TABLE}

    @app.post("/<name>")
    def fail(name):
        raise errors[name]

    return app.test_client()


def test_a_database_outage_is_503_with_retry_after_and_a_bug_stays_500(client):
    down = client.post("/down")
    assert down.status_code == 503 and down.headers["Retry-After"] == "5"
    assert down.mimetype == "application/problem+json"
    assert "nothing was changed" in down.json["detail"]
    assert client.post("/bug").status_code == 500


class Unreachable:
    """A client whose every call fails as the engine's client does while the engine restarts."""

    def __init__(self, error: Exception):
        self.error = error

    def __getattr__(self, name):
        raise self.error


def meta(status: int) -> elastic_transport.ApiResponseMeta:
    node = elastic_transport.NodeConfig("http", "127.0.0.1", 9200)
    return elastic_transport.ApiResponseMeta(status, "1.1", elastic_transport.HttpHeaders(), 0.0, node)


CRITERIA = Criteria("heat", "want", "e-1", (31.3, 120.6), 10.0, "2026-01-01", "2026-12-31", "2026-05-20")


@pytest.mark.parametrize(
    ("outage", "error", "is_outage"),
    [
        (elasticsearch_search.outage, ConnectionError("connection refused"), True),
        (elasticsearch_search.outage, ApiError("no shard available", meta(503), {}), True),
        (elasticsearch_search.outage, ApiError("parsing_exception", meta(400), {}), False),
        (opensearch_search.outage, opensearch_search.ConnectionError("N/A", "refused", None), True),
        (opensearch_search.outage, opensearch_search.TransportError(400, "parsing_exception"), False),
    ],
)
def test_a_search_engine_that_cannot_answer_is_unavailable_and_a_refused_query_is_not(outage, error, is_outage):
    index = EngineSearchIndex(Unreachable(error), outage=outage)
    with pytest.raises(Unavailable if is_outage else type(error)):
        index.search(CRITERIA, (), 0.0, 0, 20)
