"""The listings service's tables. Alembic migrations (../migrations) create them; this
module is what the repositories query."""

from __future__ import annotations

import sqlalchemy as sa

from services.common.outbox import outbox_table

metadata = sa.MetaData()

parks = sa.Table(
    "parks",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("province", sa.String(40), nullable=False),
    sa.Column("level", sa.String(20), nullable=False),
    sa.Column("park_type", sa.String(40), nullable=False),
    sa.Column("lat", sa.Float, nullable=False),
    sa.Column("lon", sa.Float, nullable=False),
    sa.Column("baselines", sa.JSON, nullable=False),
)

enterprises = sa.Table(
    "enterprises",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("park_id", sa.String(36), sa.ForeignKey("parks.id"), nullable=False, index=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("credit_code", sa.String(18), nullable=False, unique=True),
    sa.Column("industry_code", sa.String(8), nullable=False),
    sa.Column("lat", sa.Float, nullable=False),
    sa.Column("lon", sa.Float, nullable=False),
    sa.Column("licences", sa.JSON, nullable=False),
    sa.Column("contact", sa.JSON, nullable=False),
    # 点对点 directed-utilisation approvals (migration 0003; rows from before it hold [])
    sa.Column("approvals", sa.JSON, nullable=False, server_default="[]"),
)

listings = sa.Table(
    "listings",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("side", sa.String(8), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("enterprise_id", sa.String(36), sa.ForeignKey("enterprises.id"), nullable=False, index=True),
    sa.Column("park_id", sa.String(36), sa.ForeignKey("parks.id"), nullable=False, index=True),
    sa.Column("title", sa.String(200), nullable=False),
    sa.Column("lat", sa.Float, nullable=False),
    sa.Column("lon", sa.Float, nullable=False),
    sa.Column("max_distance_km", sa.Float, nullable=False),
    sa.Column("available_from", sa.Date, nullable=False),
    sa.Column("available_until", sa.Date, nullable=True),
    sa.Column("spec", sa.JSON, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Index("ix_listings_side_kind_status", "side", "kind", "status"),
)

# One row per waste code a listing names, so "who offers 900-249-08" is an index lookup.
listing_codes = sa.Table(
    "listing_codes",
    metadata,
    sa.Column("listing_id", sa.String(36), sa.ForeignKey("listings.id"), primary_key=True),
    sa.Column("code", sa.String(16), primary_key=True, index=True),
)

# Exchanges between two enterprises on a match. Amounts are decimal strings: exact on SQLite
# and PostgreSQL alike, and the ledger gets them digit for digit.
exchanges = sa.Table(
    "exchanges",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("offer_id", sa.String(36), sa.ForeignKey("listings.id"), nullable=False, index=True),
    sa.Column("want_id", sa.String(36), sa.ForeignKey("listings.id"), nullable=True),
    sa.Column("supplier_id", sa.String(36), sa.ForeignKey("enterprises.id"), nullable=False, index=True),
    sa.Column("supplier_park_id", sa.String(36), sa.ForeignKey("parks.id"), nullable=False, index=True),
    sa.Column("receiver_id", sa.String(36), sa.ForeignKey("enterprises.id"), nullable=False, index=True),
    sa.Column("receiver_park_id", sa.String(36), sa.ForeignKey("parks.id"), nullable=False, index=True),
    sa.Column("proposed_by", sa.String(36), nullable=False),
    sa.Column("waste_code", sa.String(16), nullable=True),
    sa.Column("hazardous", sa.Boolean, nullable=False),
    sa.Column("agreed_amount", sa.String(40), nullable=False),
    sa.Column("agreed_unit", sa.String(8), nullable=False),
    sa.Column("price_cny_per_unit", sa.String(40), nullable=True),
    sa.Column("note", sa.Text, nullable=True),
    sa.Column("proposed_on", sa.Date, nullable=False),
    sa.Column("accepted_on", sa.Date, nullable=True),
    sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
)

# Deliveries are appended, never changed; `seq` keeps the order they were recorded in.
exchange_deliveries = sa.Table(
    "exchange_deliveries",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("exchange_id", sa.String(36), sa.ForeignKey("exchanges.id"), nullable=False),
    sa.Column("seq", sa.Integer, nullable=False),
    sa.Column("delivered_on", sa.Date, nullable=False),
    sa.Column("amount", sa.String(40), nullable=False),
    sa.Column("unit", sa.String(8), nullable=False),
    sa.Column("evidence", sa.JSON, nullable=False),
    sa.Column("substitution", sa.JSON, nullable=False),
    sa.Column("recorded_by", sa.String(36), nullable=True),
    sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    sa.UniqueConstraint("exchange_id", "seq", name="uq_exchange_deliveries_exchange_id_seq"),
)

outbox = outbox_table(metadata)
