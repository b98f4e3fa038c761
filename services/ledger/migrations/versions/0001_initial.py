"""entries, checkpoints, parks, processed events

Revision ID: 0001
Revises:
Create Date: 2026-11-28 19:39:27.417253
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "checkpoints",
        sa.Column("size", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("root_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("signed_note", sa.Text(), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False
        ),
        sa.PrimaryKeyConstraint("size"),
    )
    op.create_table(
        "entries",
        sa.Column("idx", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("exchange_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("supplier_park_id", sa.String(length=36), nullable=False),
        sa.Column("receiver_park_id", sa.String(length=36), nullable=False),
        sa.Column("supplier_id", sa.String(length=36), nullable=False),
        sa.Column("receiver_id", sa.String(length=36), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("leaf_data", sa.LargeBinary(), nullable=False),
        sa.Column("leaf_hash", sa.LargeBinary(length=32), nullable=False),
        sa.PrimaryKeyConstraint("idx"),
        sa.UniqueConstraint("event_id"),
    )
    with op.batch_alter_table("entries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_entries_exchange_id"), ["exchange_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_entries_receiver_park_id"), ["receiver_park_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_entries_supplier_park_id"), ["supplier_park_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_entries_year"), ["year"], unique=False)

    op.create_table(
        "ledger_head",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "parks",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("province", sa.String(length=40), nullable=False),
        sa.Column("baselines", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "processed_events",
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column(
            "processed_at", sa.DateTime(timezone=True), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False
        ),
        sa.PrimaryKeyConstraint("event_id"),
    )
    op.execute(sa.text("INSERT INTO ledger_head (id, size) VALUES (1, 0)"))


def downgrade() -> None:
    op.drop_table("processed_events")
    op.drop_table("parks")
    op.drop_table("ledger_head")
    with op.batch_alter_table("entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_entries_year"))
        batch_op.drop_index(batch_op.f("ix_entries_supplier_park_id"))
        batch_op.drop_index(batch_op.f("ix_entries_receiver_park_id"))
        batch_op.drop_index(batch_op.f("ix_entries_exchange_id"))

    op.drop_table("entries")
    op.drop_table("checkpoints")
