"""the park planner's plans and the pairings suggested to enterprises

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 23:55:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "plans",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("park_id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_plans_park_id", "plans", ["park_id"])
    op.create_table(
        "plan_suggestions",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("plan_id", sa.String(length=36), nullable=False),
        sa.Column("offer_id", sa.String(length=36), nullable=False),
        sa.Column("want_id", sa.String(length=36), nullable=False),
        sa.Column("park_id", sa.String(length=36), nullable=False),
        sa.Column("supplier_enterprise_id", sa.String(length=36), nullable=False),
        sa.Column("receiver_enterprise_id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("plan_id", "offer_id", "want_id", name="uq_plan_suggestions_pairing"),
    )
    op.create_index("ix_plan_suggestions_park_id", "plan_suggestions", ["park_id"])
    op.create_index("ix_plan_suggestions_supplier_enterprise_id", "plan_suggestions", ["supplier_enterprise_id"])
    op.create_index("ix_plan_suggestions_receiver_enterprise_id", "plan_suggestions", ["receiver_enterprise_id"])


def downgrade() -> None:
    op.drop_table("plan_suggestions")
    op.drop_table("plans")
