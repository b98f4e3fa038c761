"""ParkLoop on the real engines (PostgreSQL, Kafka, Elasticsearch), started, stopped and restarted by
the project's own scripts in infra/engines (see its README): a restart keeps the engine's data and
port, as a crashed and recovered engine looks to its clients.

Engines may be shared with other runs (the test suite's): each deployment gets its own databases,
index alias and consumer groups, and removes them afterwards."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

SCRIPTS = Path(__file__).resolve().parents[2] / "infra" / "engines"
ENGINES = ("postgres", "kafka", "elasticsearch")
DATABASES = ("gateway", "listings", "matching", "ledger")
VARIABLES = {
    "postgres": "PARKLOOP_TEST_POSTGRES_URL",
    "kafka": "PARKLOOP_TEST_KAFKA_BOOTSTRAP",
    "elasticsearch": "PARKLOOP_TEST_ELASTICSEARCH_URL",
}
SCRIPT_TIMEOUT_S = 600  # bounds a hung script only; the scripts have their own start timeout


@dataclass(frozen=True)
class Engines:
    dir: Path  # what infra/engines keeps there: data, logs, PID files, engines.env
    addresses: dict[str, str]  # engine -> its PARKLOOP_TEST_* value

    def restart(self, engine: str) -> None:
        """Stop the engine and start it again on its data and port (infra/engines/ENGINE.sh restart)."""
        _script(f"{engine}.sh", "restart", str(self.dir))


def _script(name: str, *args: str, env: dict | None = None) -> None:
    done = subprocess.run(
        ["bash", str(SCRIPTS / name), *args],
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=SCRIPT_TIMEOUT_S,
    )
    if done.returncode != 0:
        raise RuntimeError(f"infra/engines/{name} {' '.join(args)} failed:\n{done.stdout[-3000:]}{done.stderr[-3000:]}")


def _read_env(path: Path) -> dict[str, str]:
    values = {}
    for line in path.read_text().splitlines():
        if line.startswith("export "):
            name, _, value = line.removeprefix("export ").partition("=")
            values[name] = value
    return values


def running(directory: Path) -> Engines | None:
    """The engines up.sh started in `directory`, if every one of ENGINES is there."""
    env_file = directory / "engines.env"
    if not env_file.exists():
        return None
    found = _read_env(env_file)
    if not all(VARIABLES[e] in found for e in ENGINES):
        return None
    return Engines(directory.resolve(), {e: found[VARIABLES[e]] for e in ENGINES})


@contextmanager
def started(directory: Path, discard: bool = False) -> Iterator[Engines]:
    """Start PostgreSQL, Kafka and Elasticsearch in `directory` (infra/engines/up.sh) and stop them
    at the end (down.sh). An engine that does not start is an error, never a silent fallback.
    `discard`: also delete PostgreSQL's data where it lives outside `directory` (postgres.sh keeps it
    under /tmp when the postgres user cannot reach `directory`, and stop leaves it there)."""
    directory.mkdir(parents=True, exist_ok=True)
    try:
        _script("up.sh", str(directory), env={"ENGINES": ",".join(ENGINES)})
        engines = running(directory)
        if engines is None:
            raise RuntimeError(f"infra/engines/up.sh left no complete engines.env in {directory}")
        yield engines
    finally:
        _script("down.sh", str(directory))
        outside = directory / "postgres" / "pgroot"
        if discard and outside.exists():
            shutil.rmtree(outside.read_text().strip(), ignore_errors=True)


@contextmanager
def deployment_env(engines: Engines, name: str) -> Iterator[dict[str, str]]:
    """The environment of a `parkloop run` on these engines with databases, an index alias and
    consumer groups of its own (`name` plus a random suffix), all removed afterwards."""
    run = f"{name}_{uuid.uuid4().hex[:8]}"
    with ExitStack() as stack:
        urls = stack.enter_context(_databases(engines.addresses["postgres"], run))
        alias = f"parkloop-{run}".lower().replace("_", "-")
        stack.callback(_drop_alias, engines.addresses["elasticsearch"], alias)
        yield {
            **{f"{db.upper()}_DATABASE_URL": url for db, url in urls.items()},
            "EVENT_BUS": f"kafka://{engines.addresses['kafka']}",
            "SEARCH_URL": engines.addresses["elasticsearch"],
            "MATCHING_INDEX_ALIAS": alias,
            "MATCHING_CONSUMER_GROUP": f"matching-{run}",
            "LEDGER_CONSUMER_GROUP": f"ledger-{run}",
        }


@contextmanager
def _databases(server_url: str, run: str) -> Iterator[dict[str, str]]:
    import sqlalchemy as sa

    base = server_url.rstrip("/")
    made = {db: f"{run}_{db}" for db in DATABASES}
    admin = sa.create_engine(f"{base}/postgres", isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            for database in made.values():
                conn.exec_driver_sql(f'CREATE DATABASE "{database}"')
        yield {db: f"{base}/{database}" for db, database in made.items()}
    finally:
        _retrying(lambda: _drop_databases(admin, made.values()))
        admin.dispose()


def _drop_databases(admin, names) -> None:
    with admin.connect() as conn:
        for database in names:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def _drop_alias(search_url: str, alias: str) -> None:
    from services.matching.adapters.elasticsearch_search import ElasticsearchSearch

    _retrying(lambda: ElasticsearchSearch(search_url, alias).drop())


def _retrying(action, attempts: int = 5) -> None:
    """Clean-up right after an engine restart may meet it still starting: a few tries, a second apart."""
    for attempt in range(attempts):
        try:
            action()
            return
        except Exception:
            if attempt == attempts - 1:
                raise
            time.sleep(1)
