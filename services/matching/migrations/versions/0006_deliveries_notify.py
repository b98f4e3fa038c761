"""a delivery falling due notifies at commit: the webhook dispatcher on PostgreSQL waits for it instead of polling

A row trigger on `webhook_deliveries` notifies channel `webhook_deliveries` when a delivery is queued or
sent again (status pending); PostgreSQL delivers it as the transaction commits, once per transaction,
so the dispatcher sends at once instead of at its next 0.2 s poll. SQLite needs nothing: its writers
ring the file's doorbell (services/common/notify.py).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 05:40:00.000000
"""

from alembic import op

from services.common.notify import drop_statements, trigger_statements
from services.matching.adapters.tables import DELIVERY_DUE

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in trigger_statements("webhook_deliveries", DELIVERY_DUE):
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in drop_statements("webhook_deliveries"):
            op.execute(statement)
