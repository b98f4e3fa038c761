"""listing documents, licences, processed events

Revision ID: 0001
Revises:
Create Date: 2026-11-28 19:37:50.148720
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "enterprise_licences",
        sa.Column("enterprise_id", sa.String(length=36), nullable=False),
        sa.Column("licences", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("enterprise_id"),
    )
    op.create_table(
        "listing_docs",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("side", sa.String(length=8), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("enterprise_id", sa.String(length=36), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("doc", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("listing_docs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_listing_docs_enterprise_id"), ["enterprise_id"], unique=False)
        batch_op.create_index("ix_listing_docs_side_kind_status", ["side", "kind", "status"], unique=False)

    op.create_table(
        "processed_events",
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column(
            "processed_at", sa.DateTime(timezone=True), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False
        ),
        sa.PrimaryKeyConstraint("event_id"),
    )


def downgrade() -> None:
    op.drop_table("processed_events")
    with op.batch_alter_table("listing_docs", schema=None) as batch_op:
        batch_op.drop_index("ix_listing_docs_side_kind_status")
        batch_op.drop_index(batch_op.f("ix_listing_docs_enterprise_id"))

    op.drop_table("listing_docs")
    op.drop_table("enterprise_licences")
