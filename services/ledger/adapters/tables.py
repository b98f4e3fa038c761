"""The ledger's tables: the append-only entries (leaf bytes and hashes), signed checkpoints,
the parks it reports on (projected from listings events) and the events it has applied."""

from __future__ import annotations

import sqlalchemy as sa

from services.common.idempotency import processed_events_table

metadata = sa.MetaData()

# One row; updating it serialises appends so indexes stay dense under concurrent consumers.
ledger_head = sa.Table(
    "ledger_head",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("size", sa.Integer, nullable=False),
)

entries = sa.Table(
    "entries",
    metadata,
    sa.Column("idx", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("event_id", sa.String(36), nullable=False, unique=True),
    sa.Column("exchange_id", sa.String(36), nullable=False, index=True),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("supplier_park_id", sa.String(36), nullable=False, index=True),
    sa.Column("receiver_park_id", sa.String(36), nullable=False, index=True),
    sa.Column("supplier_id", sa.String(36), nullable=False),
    sa.Column("receiver_id", sa.String(36), nullable=False),
    sa.Column("year", sa.Integer, nullable=False, index=True),
    sa.Column("waste_code", sa.String(16), nullable=True, index=True),  # materials only
    sa.Column("leaf_data", sa.LargeBinary, nullable=False),  # RFC 8785 canonical JSON, exactly as hashed
    sa.Column("leaf_hash", sa.LargeBinary(32), nullable=False),  # as recorded when appended
)

checkpoints = sa.Table(
    "checkpoints",
    metadata,
    sa.Column("size", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("root_hash", sa.LargeBinary(32), nullable=False),
    sa.Column("signed_note", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
)

# Perfect subtrees of the signed tree at every TILE_HEIGHT-th height (leaves are height 0, in entries):
# a proof reads O(log n) of them instead of every leaf hash; about n/15 rows for n entries.
TILE_HEIGHT = 4
tree_nodes = sa.Table(
    "tree_nodes",
    metadata,
    sa.Column("height", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column(
        "idx", sa.Integer, primary_key=True, autoincrement=False
    ),  # leaves [idx * 2^height, (idx + 1) * 2^height)
    sa.Column("hash", sa.LargeBinary(32), nullable=False),
)

parks = sa.Table(
    "parks",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("province", sa.String(40), nullable=False),
    sa.Column("baselines", sa.JSON, nullable=False),
)

processed_events = processed_events_table(metadata)

# Events that break the contract: kept for operators, never blocking the events behind them.
rejected_events = sa.Table(
    "rejected_events",
    metadata,
    sa.Column("event_id", sa.String(36), primary_key=True),
    sa.Column("type", sa.String(64), nullable=False),
    sa.Column("reason", sa.String(2000), nullable=False),
    sa.Column("event", sa.Text, nullable=False),
    sa.Column("rejected_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
)

# A park's implementation plans (one per period), as Plan.to_dict with decimals as strings.
plans = sa.Table(
    "plans",
    metadata,
    sa.Column("park_id", sa.String(36), primary_key=True),
    sa.Column("start_year", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("end_year", sa.Integer, nullable=False),
    sa.Column("document", sa.JSON, nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
)

# Annual submissions, every version kept; a submitted one is never updated except to mark it superseded.
submissions = sa.Table(
    "submissions",
    metadata,
    sa.Column("park_id", sa.String(36), primary_key=True),
    sa.Column("year", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("sections", sa.JSON, nullable=False),
    sa.Column("attached_figures", sa.JSON, nullable=False),
    sa.Column("figures", sa.JSON, nullable=False),
    sa.Column("checkpoint_size", sa.Integer, nullable=True),
    sa.Column("checkpoint_root", sa.String(64), nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
)
