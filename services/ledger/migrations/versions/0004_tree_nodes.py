"""tree nodes: proofs in O(log n) reads

Perfect subtrees of the signed tree at every fourth height, written when a checkpoint is signed
(the first signing after this upgrade writes those of the entries already recorded).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 23:30:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tree_nodes",
        sa.Column("height", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("idx", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("hash", sa.LargeBinary(length=32), nullable=False),
        sa.PrimaryKeyConstraint("height", "idx"),
    )


def downgrade() -> None:
    op.drop_table("tree_nodes")
