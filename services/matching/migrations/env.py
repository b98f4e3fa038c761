from services.common.migration_env import run_migrations
from services.matching.adapters.tables import metadata

run_migrations(metadata)
