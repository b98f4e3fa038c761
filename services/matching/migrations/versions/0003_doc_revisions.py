"""listing documents carry a revision, the version search engines keep the highest of

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 22:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("listing_docs") as batch_op:
        batch_op.add_column(sa.Column("revision", sa.Integer(), server_default="0", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("listing_docs") as batch_op:
        batch_op.drop_column("revision")
