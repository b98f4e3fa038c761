"""implementation plans and annual submissions

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 23:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "plans",
        sa.Column("park_id", sa.String(length=36), nullable=False),
        sa.Column("start_year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("end_year", sa.Integer(), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("park_id", "start_year"),
    )
    op.create_table(
        "submissions",
        sa.Column("park_id", sa.String(length=36), nullable=False),
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("sections", sa.JSON(), nullable=False),
        sa.Column("attached_figures", sa.JSON(), nullable=False),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.Column("checkpoint_size", sa.Integer(), nullable=True),
        sa.Column("checkpoint_root", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("park_id", "year", "version"),
    )


def downgrade() -> None:
    op.drop_table("submissions")
    op.drop_table("plans")
