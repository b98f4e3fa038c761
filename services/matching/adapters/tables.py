"""The matching service's own tables: what it knows of listings (built from events), the
events it has applied, webhook subscriptions, alerts and their delivery attempts."""

from __future__ import annotations

import sqlalchemy as sa

from services.common.idempotency import processed_events_table
from services.common.notify import notify_on_commit

metadata = sa.MetaData()

# listing_docs' search index: side, kind, status, then a latitude band, then what a search reads
SEARCH_INDEX = (
    "side",
    "kind",
    "status",
    "lat",
    "lon",
    "id",
    "enterprise_id",
    "park_id",
    "max_distance_km",
    "quantity",
    "temperature_c",
    "reuse_rank",
)

listing_docs = sa.Table(
    "listing_docs",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("side", sa.String(8), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("enterprise_id", sa.String(36), nullable=False, index=True),
    sa.Column("lat", sa.Float, nullable=False),
    sa.Column("lon", sa.Float, nullable=False),
    sa.Column("doc", sa.JSON, nullable=False),
    sa.Column("revision", sa.Integer, nullable=False, server_default="0"),
    # Copies of what the embedded matcher filters and scores on, so that it decodes a document
    # only once it ranks among the best (see embedded_search.py); `doc` stays the whole truth.
    sa.Column("park_id", sa.String(36), nullable=True),
    sa.Column("max_distance_km", sa.Float, nullable=True),
    sa.Column("quantity", sa.Float, nullable=True),
    sa.Column("temperature_c", sa.Float, nullable=True),
    sa.Column("reuse_rank", sa.Integer, nullable=True),
    # The spatial prefilter: a latitude band of one side and kind; covering, so the rest of the
    # filter and the score read the index, never the rows with their large documents.
    sa.Index("ix_listing_docs_search", *SEARCH_INDEX),
)

# A listing's waste codes, one row each: the embedded matcher's code filter.
listing_codes = sa.Table(
    "listing_codes",
    metadata,
    sa.Column("listing_id", sa.String(36), primary_key=True),
    sa.Column("code", sa.String(32), primary_key=True),
)

enterprise_licences = sa.Table(
    "enterprise_licences",
    metadata,
    sa.Column("enterprise_id", sa.String(36), primary_key=True),
    sa.Column("licences", sa.JSON, nullable=False),
)

# Every applied event id: a redelivered event changes nothing (at-least-once in, exactly-once effect).
processed_events = processed_events_table(metadata)

webhook_subscriptions = sa.Table(
    "webhook_subscriptions",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("enterprise_id", sa.String(36), nullable=False, index=True),
    sa.Column("park_id", sa.String(36), nullable=False, index=True),
    sa.Column("url", sa.String(2000), nullable=False),
    sa.Column("secrets", sa.Text, nullable=False),  # encrypted (Fernet) JSON: current first, then rotating-out
    sa.Column("listing_ids", sa.JSON, nullable=True),  # None: every listing of the enterprise
    sa.Column("min_score", sa.Float, nullable=False),
    sa.Column("active", sa.Boolean, nullable=False),
    sa.Column("disabled_reason", sa.String(500), nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

# One row per (subscription, subscriber's listing, counterpart): a match is alerted once.
match_alerts = sa.Table(
    "match_alerts",
    metadata,
    sa.Column("subscription_id", sa.String(36), primary_key=True),
    sa.Column("listing_id", sa.String(36), primary_key=True),
    sa.Column("match_id", sa.String(36), primary_key=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
)

# A delivery becomes due when it is queued or sent again (pending): what wakes the dispatcher on PostgreSQL.
DELIVERY_DUE = "NEW.status = 'pending'"
webhook_deliveries = sa.Table(
    "webhook_deliveries",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),  # the webhook-id header
    sa.Column("subscription_id", sa.String(36), nullable=False, index=True),
    sa.Column("event_type", sa.String(64), nullable=False),
    sa.Column("payload", sa.JSON, nullable=False),
    sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),  # pending | delivered | failed
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True, index=True),
    sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True),
)
notify_on_commit(webhook_deliveries, DELIVERY_DUE)  # the dispatcher waits for them

webhook_attempts = sa.Table(
    "webhook_attempts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("delivery_id", sa.String(64), nullable=False, index=True),
    sa.Column("attempted_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("status_code", sa.Integer, nullable=True),
    sa.Column("latency_ms", sa.Integer, nullable=False),
    sa.Column("error", sa.String(500), nullable=True),
    sa.Column("response_excerpt", sa.String(4096), nullable=True),
)

# The park planner's plans: what was asked and the whole answer, as served (JSON), never recomputed.
plans = sa.Table(
    "plans",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("park_id", sa.String(36), nullable=False, index=True),  # the park it was asked for
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("body", sa.JSON, nullable=False),
)

# A pairing of a plan sent to its two enterprises: once per (plan, offer, want).
plan_suggestions = sa.Table(
    "plan_suggestions",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("plan_id", sa.String(36), nullable=False),
    sa.Column("offer_id", sa.String(36), nullable=False),
    sa.Column("want_id", sa.String(36), nullable=False),
    sa.Column("park_id", sa.String(36), nullable=False, index=True),
    sa.Column("supplier_enterprise_id", sa.String(36), nullable=False, index=True),
    sa.Column("receiver_enterprise_id", sa.String(36), nullable=False, index=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("body", sa.JSON, nullable=False),
    sa.UniqueConstraint("plan_id", "offer_id", "want_id", name="uq_plan_suggestions_pairing"),
)
