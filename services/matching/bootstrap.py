"""Wires the matching service: its store, the search adapter SEARCH_URL picks, settings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from services.common.bus import connect_bus
from services.common.coefficients import default_coefficients
from services.common.config import MatchingSettings, Settings
from services.common.db import create_engine, migrate
from services.common.operations import Gauge, Operations, age_s, consumer_lag_gauge, database_check, single
from services.matching.adapters.embedded_search import EmbeddedSearch
from services.matching.adapters.highs_planner import HighsPlanner
from services.matching.adapters.plan_store import PlanStore
from services.matching.adapters.search import AbstractSearchIndex
from services.matching.adapters.secret_box import SecretBox
from services.matching.adapters.store import MatchingStore
from services.matching.adapters.webhook_store import WebhookStore
from services.matching.domain.webhooks.retry import RetryPolicy
from services.matching.service_layer.matches import MatchingContext
from services.matching.service_layer.plans import PlanningContext
from services.matching.service_layer.projection import TOPICS
from services.matching.service_layer.webhooks import WebhookContext

MIGRATIONS = Path(__file__).parent / "migrations"


def connect_search(url: str | None, engine, alias: str = MatchingSettings.index_alias) -> AbstractSearchIndex:
    """No URL: the embedded matcher. `http(s)://` or `elasticsearch+http(s)://`: Elasticsearch;
    `opensearch+http(s)://`: OpenSearch; `alias` is the index alias behind which reindexing swaps."""
    if not url:
        return EmbeddedSearch(engine)
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
    plans: PlanningContext


def retry_policy(settings: MatchingSettings) -> RetryPolicy:
    """WEBHOOK_RETRY_SCHEDULE: seconds between attempts, e.g. `5,300,1800,7200,18000,36000`."""
    schedule = settings.webhook_retry_schedule
    return RetryPolicy(schedule) if schedule else RetryPolicy()


def operations(settings: Settings) -> Operations:
    """Readiness: the database, the bus and (when one is configured) the search engine. Gauges: the
    consumer group's lag and the webhook queue."""
    engine = create_engine(settings.database_url)
    bus = connect_bus(settings.event_bus_url)
    webhooks = WebhookStore(engine, SecretBox.configured(settings.matching.webhook_secret_key, settings.data_dir))
    checks = {"database": database_check(engine), "bus": bus.ping}
    if settings.search_url:
        checks["search"] = connect_search(settings.search_url, engine, settings.matching.index_alias).ping
    return Operations(
        "matching",
        checks,
        [
            consumer_lag_gauge(bus, settings.group, list(TOPICS)),
            Gauge(
                "parkloop_webhook_queue_depth",
                "Webhook deliveries pending (due now or waiting for a retry)",
                single(lambda: webhooks.queue(datetime.now(UTC))[0]),
            ),
            Gauge(
                "parkloop_webhook_oldest_due_age_seconds",
                "How long the longest-overdue pending delivery has been due (0: none is due)",
                single(lambda: age_s(webhooks.queue(datetime.now(UTC))[1])),
            ),
        ],
    )


def bootstrap(settings: Settings) -> Matching:
    if settings.migrate_on_start:
        migrate(settings.database_url, MIGRATIONS)
    engine = create_engine(settings.database_url)
    own = settings.matching
    store = MatchingStore(engine)
    box = SecretBox.configured(own.webhook_secret_key, settings.data_dir)
    webhooks = WebhookContext(WebhookStore(engine, box), store, own.webhook_allow_private_targets)
    search = connect_search(settings.search_url, engine, own.index_alias)
    plans = PlanningContext(
        PlanStore(engine), webhooks.store, HighsPlanner(), default_coefficients(), own.delta_t_min_k
    )
    return Matching(MatchingContext(store, search, own.delta_t_min_k), webhooks, retry_policy(own), plans)
