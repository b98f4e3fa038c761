"""api key change counter

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 23:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    changes = op.create_table("api_key_changes", sa.Column("version", sa.Integer(), nullable=False))
    op.bulk_insert(changes, [{"version": 0}])


def downgrade() -> None:
    op.drop_table("api_key_changes")
