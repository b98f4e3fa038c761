"""entries are found by waste code

A nullable `waste_code` column (materials carry one; heat and water do not), indexed, and
filled for the entries already recorded from their own leaf data, which stays unchanged.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 21:30:00.000000
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("entries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("waste_code", sa.String(length=16), nullable=True))
        batch_op.create_index(batch_op.f("ix_entries_waste_code"), ["waste_code"], unique=False)
    entries = sa.table(
        "entries",
        sa.column("idx", sa.Integer),
        sa.column("leaf_data", sa.LargeBinary),
        sa.column("waste_code", sa.String),
    )
    conn = op.get_bind()
    for idx, leaf_data in conn.execute(sa.select(entries.c.idx, entries.c.leaf_data)).all():
        code = json.loads(bytes(leaf_data))["exchange"].get("waste_code")
        if code:
            conn.execute(entries.update().where(entries.c.idx == idx).values(waste_code=code))


def downgrade() -> None:
    with op.batch_alter_table("entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_entries_waste_code"))
        batch_op.drop_column("waste_code")
