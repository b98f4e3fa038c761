"""The body of every service's Alembic env.py: online migrations against the configured URL."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context


def run_migrations(metadata: sa.MetaData) -> None:
    url = context.config.get_main_option("sqlalchemy.url")
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        # SQLite cannot ALTER most things in place; batch mode copies the table instead.
        context.configure(
            connection=conn, target_metadata=metadata, render_as_batch=url.startswith("sqlite"), compare_type=True
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()
