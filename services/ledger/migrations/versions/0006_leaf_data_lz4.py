"""leaf data compressed with lz4 on PostgreSQL

An entry's leaf data (about 2.3 KB) is over PostgreSQL's 2 KB threshold, so the server compresses
every one as it is appended; its default method, pglz, was about a third of the server's time per
appended entry, lz4 a small part of it at a similar size (rows appended before keep pglz and read as
before). A server built without lz4 keeps pglz. SQLite does not compress: nothing to do there.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 05:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def _compression(method: str) -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    try:
        with bind.begin_nested():
            bind.exec_driver_sql(f"ALTER TABLE entries ALTER COLUMN leaf_data SET COMPRESSION {method}")
    except sa.exc.DBAPIError:  # "compression method lz4 not supported": built without it
        pass


def upgrade() -> None:
    _compression("lz4")


def downgrade() -> None:
    _compression("pglz")
