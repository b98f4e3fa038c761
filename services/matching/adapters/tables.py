"""The matching service's own tables: what it knows of listings (built from events), the
events it has applied, webhook subscriptions, alerts and their delivery attempts."""
from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

listing_docs = sa.Table(
    "listing_docs", metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("side", sa.String(8), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("enterprise_id", sa.String(36), nullable=False, index=True),
    sa.Column("lat", sa.Float, nullable=False),
    sa.Column("lon", sa.Float, nullable=False),
    sa.Column("doc", sa.JSON, nullable=False),
    sa.Index("ix_listing_docs_side_kind_status", "side", "kind", "status"),
)

enterprise_licences = sa.Table(
    "enterprise_licences", metadata,
    sa.Column("enterprise_id", sa.String(36), primary_key=True),
    sa.Column("licences", sa.JSON, nullable=False),
)

# Every applied event id: a redelivered event changes nothing (at-least-once in, exactly-once effect).
processed_events = sa.Table(
    "processed_events", metadata,
    sa.Column("event_id", sa.String(36), primary_key=True),
    sa.Column("processed_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
)
