"""listing documents carry the columns the embedded matcher filters and scores on, and their codes

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 23:30:00
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

COLUMNS = ("park_id", "max_distance_km", "quantity", "temperature_c", "reuse_rank")
SEARCH_INDEX = ("side", "kind", "status", "lat", "lon", "id", "enterprise_id", *COLUMNS)


def upgrade() -> None:
    with op.batch_alter_table("listing_docs") as batch_op:
        batch_op.add_column(sa.Column("park_id", sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column("max_distance_km", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("quantity", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("temperature_c", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("reuse_rank", sa.Integer(), nullable=True))
        batch_op.create_index("ix_listing_docs_search", list(SEARCH_INDEX), unique=False)
        batch_op.drop_index("ix_listing_docs_side_kind_status")  # a prefix of the search index
    op.create_table(
        "listing_codes",
        sa.Column("listing_id", sa.String(length=36), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("listing_id", "code"),
    )
    # Fill both from the stored documents (their JSON holds every field).
    conn = op.get_bind()
    docs = sa.table("listing_docs", sa.column("id"), sa.column("doc"), *(sa.column(c) for c in COLUMNS))
    codes = sa.table("listing_codes", sa.column("listing_id"), sa.column("code"))
    for row in conn.execute(sa.select(docs.c.id, docs.c.doc)).all():
        doc = json.loads(row.doc) if isinstance(row.doc, str) else row.doc
        conn.execute(docs.update().where(docs.c.id == row.id).values(**{c: doc.get(c) for c in COLUMNS}))
        if doc["codes"]:
            conn.execute(codes.insert(), [{"listing_id": row.id, "code": c} for c in dict.fromkeys(doc["codes"])])


def downgrade() -> None:
    op.drop_table("listing_codes")
    with op.batch_alter_table("listing_docs") as batch_op:
        batch_op.create_index("ix_listing_docs_side_kind_status", ["side", "kind", "status"], unique=False)
        batch_op.drop_index("ix_listing_docs_search")
        for column in reversed(COLUMNS):
            batch_op.drop_column(column)
