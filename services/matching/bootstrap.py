"""Wires the matching service: its store, the search adapter SEARCH_URL picks, settings."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from services.common.config import Settings
from services.common.db import create_engine, migrate
from services.matching.adapters.embedded_search import EmbeddedSearch
from services.matching.adapters.search import AbstractSearchIndex
from services.matching.adapters.secret_box import SecretBox
from services.matching.adapters.store import MatchingStore
from services.matching.adapters.webhook_store import WebhookStore
from services.matching.domain.webhooks.retry import RetryPolicy
from services.matching.service_layer.webhooks import WebhookContext
from services.matching.service_layer.matches import DEFAULT_DELTA_T_MIN_K, MatchingContext

MIGRATIONS = Path(__file__).parent / "migrations"


def connect_search(url: str | None, engine) -> AbstractSearchIndex:
    """No URL: the embedded matcher. `http(s)://` or `elasticsearch+http(s)://`: Elasticsearch;
    `opensearch+http(s)://`: OpenSearch."""
    if not url:
        return EmbeddedSearch(engine)
    alias = os.environ.get("MATCHING_INDEX_ALIAS", "parkloop-listings")
    if url.startswith("opensearch+"):
        from services.matching.adapters.opensearch_search import OpenSearchSearch

        return OpenSearchSearch(url.removeprefix("opensearch+"), alias)
    from services.matching.adapters.elasticsearch_search import ElasticsearchSearch

    return ElasticsearchSearch(url.removeprefix("elasticsearch+"), alias)


@dataclass
class Matching:
    matches: MatchingContext
    webhooks: WebhookContext
    retry_policy: RetryPolicy


def retry_policy_from_env() -> RetryPolicy:
    """WEBHOOK_RETRY_SCHEDULE: seconds between attempts, e.g. `5,300,1800,7200,18000,36000`."""
    schedule = os.environ.get("WEBHOOK_RETRY_SCHEDULE")
    return RetryPolicy(tuple(float(s) for s in schedule.split(","))) if schedule else RetryPolicy()


def bootstrap(settings: Settings) -> Matching:
    if settings.migrate_on_start:
        migrate(settings.database_url, MIGRATIONS)
    engine = create_engine(settings.database_url)
    delta_t = float(os.environ.get("MATCHING_DELTA_T_MIN_K", DEFAULT_DELTA_T_MIN_K))
    store = MatchingStore(engine)
    allow_private = os.environ.get("WEBHOOK_ALLOW_PRIVATE_TARGETS", "0") == "1"
    webhooks = WebhookContext(WebhookStore(engine, SecretBox.from_env(settings.data_dir)), store, allow_private)
    return Matching(MatchingContext(store, connect_search(settings.search_url, engine), delta_t), webhooks,
                    retry_policy_from_env())
