"""enterprises keep their 点对点 directed-utilisation approvals

A JSON list beside `licences`. Existing rows get `[]` (no approvals) from the server
default: the literal '[]' is valid JSON text on SQLite and a json value on PostgreSQL.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 10:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("enterprises", schema=None) as batch_op:
        batch_op.add_column(sa.Column("approvals", sa.JSON(), server_default="[]", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("enterprises", schema=None) as batch_op:
        batch_op.drop_column("approvals")
