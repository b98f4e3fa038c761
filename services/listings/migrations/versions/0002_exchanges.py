"""exchanges between enterprises and their deliveries

Amounts are decimal strings (exact on SQLite and PostgreSQL); deliveries are append-only,
ordered by `seq` within their exchange.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 19:41:55.533083
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "exchanges",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("offer_id", sa.String(length=36), nullable=False),
        sa.Column("want_id", sa.String(length=36), nullable=True),
        sa.Column("supplier_id", sa.String(length=36), nullable=False),
        sa.Column("supplier_park_id", sa.String(length=36), nullable=False),
        sa.Column("receiver_id", sa.String(length=36), nullable=False),
        sa.Column("receiver_park_id", sa.String(length=36), nullable=False),
        sa.Column("proposed_by", sa.String(length=36), nullable=False),
        sa.Column("waste_code", sa.String(length=16), nullable=True),
        sa.Column("hazardous", sa.Boolean(), nullable=False),
        sa.Column("agreed_amount", sa.String(length=40), nullable=False),
        sa.Column("agreed_unit", sa.String(length=8), nullable=False),
        sa.Column("price_cny_per_unit", sa.String(length=40), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("proposed_on", sa.Date(), nullable=False),
        sa.Column("accepted_on", sa.Date(), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["offer_id"],
            ["listings.id"],
        ),
        sa.ForeignKeyConstraint(
            ["receiver_id"],
            ["enterprises.id"],
        ),
        sa.ForeignKeyConstraint(
            ["receiver_park_id"],
            ["parks.id"],
        ),
        sa.ForeignKeyConstraint(
            ["supplier_id"],
            ["enterprises.id"],
        ),
        sa.ForeignKeyConstraint(
            ["supplier_park_id"],
            ["parks.id"],
        ),
        sa.ForeignKeyConstraint(
            ["want_id"],
            ["listings.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("exchanges", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_exchanges_offer_id"), ["offer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_exchanges_receiver_id"), ["receiver_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_exchanges_receiver_park_id"), ["receiver_park_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_exchanges_supplier_id"), ["supplier_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_exchanges_supplier_park_id"), ["supplier_park_id"], unique=False)

    op.create_table(
        "exchange_deliveries",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("exchange_id", sa.String(length=36), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("delivered_on", sa.Date(), nullable=False),
        sa.Column("amount", sa.String(length=40), nullable=False),
        sa.Column("unit", sa.String(length=8), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("substitution", sa.JSON(), nullable=False),
        sa.Column("recorded_by", sa.String(length=36), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["exchange_id"],
            ["exchanges.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("exchange_id", "seq", name="uq_exchange_deliveries_exchange_id_seq"),
    )


def downgrade() -> None:
    op.drop_table("exchange_deliveries")
    with op.batch_alter_table("exchanges", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_exchanges_supplier_park_id"))
        batch_op.drop_index(batch_op.f("ix_exchanges_supplier_id"))
        batch_op.drop_index(batch_op.f("ix_exchanges_receiver_park_id"))
        batch_op.drop_index(batch_op.f("ix_exchanges_receiver_id"))
        batch_op.drop_index(batch_op.f("ix_exchanges_offer_id"))

    op.drop_table("exchanges")
