from services.common.migration_env import run_migrations
from services.ledger.adapters.tables import metadata

run_migrations(metadata)
