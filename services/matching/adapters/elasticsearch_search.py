"""The search port on Elasticsearch 9 (official `elasticsearch` client); everything but the
client is shared with OpenSearch in engine_index.py."""

from __future__ import annotations

from elasticsearch import ApiError, ConnectionError, ConnectionTimeout, Elasticsearch

from .engine_index import DEFAULT_ALIAS, ENGINE_BUSY, EngineSearchIndex


def outage(error: Exception) -> bool:
    return isinstance(error, ConnectionError | ConnectionTimeout) or (
        isinstance(error, ApiError) and error.meta.status in ENGINE_BUSY
    )


class ElasticsearchSearch(EngineSearchIndex):
    def __init__(self, url: str, alias: str = DEFAULT_ALIAS, refresh: str | bool = True, timeout_s: float = 30.0):
        super().__init__(Elasticsearch(url, request_timeout=timeout_s), alias, refresh, outage)
