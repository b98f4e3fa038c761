"""The search port on OpenSearch 3 (`opensearch-py`, which also speaks to Elasticsearch
7.10-compatible clouds); everything but the client is shared in engine_index.py."""

from __future__ import annotations

from opensearchpy import OpenSearch
from opensearchpy.exceptions import ConnectionError, TransportError

from .engine_index import DEFAULT_ALIAS, ENGINE_BUSY, EngineSearchIndex


def outage(error: Exception) -> bool:
    return isinstance(error, ConnectionError) or (
        isinstance(error, TransportError) and error.status_code in ENGINE_BUSY
    )


class OpenSearchSearch(EngineSearchIndex):
    def __init__(self, url: str, alias: str = DEFAULT_ALIAS, refresh: str | bool = True, timeout_s: float = 30.0):
        super().__init__(OpenSearch(hosts=[url], timeout=timeout_s), alias, refresh, outage)
