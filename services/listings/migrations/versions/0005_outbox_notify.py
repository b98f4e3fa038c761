"""the outbox notifies at commit: the relay on PostgreSQL waits for it instead of polling

A statement trigger on `outbox` notifies channel `outbox` when rows are inserted; PostgreSQL
delivers it as the transaction commits, so the relay publishes a new event at once instead of at its
next 0.2 s poll. SQLite needs nothing: its writers ring the file's doorbell (services/common/notify.py).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 05:40:00.000000
"""

from alembic import op

from services.common.notify import drop_statements, trigger_statements

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in trigger_statements("outbox"):
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in drop_statements("outbox"):
            op.execute(statement)
