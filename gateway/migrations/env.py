from gateway.adapters.key_store import metadata
from services.common.migration_env import run_migrations

run_migrations(metadata)
