#!/usr/bin/env bash
# `make bench`: run every benchmark and keep its JSON result, with the command that made it.
# The real-engine variants (ledger on Kafka + PostgreSQL, match on Elasticsearch and OpenSearch at 10k and 100k) run
# on engines started here from infra/engines; PARKLOOP_BENCH_ENGINES= (empty) skips them.
set -euo pipefail
cd "$(dirname "$0")/.."
ENGINES="${PARKLOOP_BENCH_ENGINES-postgres,kafka,elasticsearch,opensearch}"
DIR="${PARKLOOP_ENGINES_DIR:-$PWD/.engines/bench}"
if [[ -n "$ENGINES" ]]; then
  trap 'bash infra/engines/down.sh "$DIR" >/dev/null 2>&1' EXIT
  ENGINES="$ENGINES" ENGINES_RESET=1 bash infra/engines/up.sh "$DIR"  # fresh engines: figures comparable run to run
  # shellcheck disable=SC1091
  source "$DIR/engines.env"
  .venv/bin/python -c "
import os, sqlalchemy as sa
engine = sa.create_engine(os.environ['PARKLOOP_TEST_POSTGRES_URL'] + 'postgres', isolation_level='AUTOCOMMIT')
with engine.connect() as conn:
    conn.exec_driver_sql('DROP DATABASE IF EXISTS bench WITH (FORCE)')
    conn.exec_driver_sql('CREATE DATABASE bench')"
  export PARKLOOP_BENCH_KAFKA="$PARKLOOP_TEST_KAFKA_BOOTSTRAP" PARKLOOP_BENCH_KAFKA_DIR="$DIR"  # the ledger benchmark restarts the broker
  export PARKLOOP_BENCH_POSTGRES_URL="${PARKLOOP_TEST_POSTGRES_URL}bench"
  export PARKLOOP_BENCH_ELASTICSEARCH_URL="$PARKLOOP_TEST_ELASTICSEARCH_URL"
  export PARKLOOP_BENCH_OPENSEARCH_URL="${PARKLOOP_TEST_OPENSEARCH_URL:-}"
fi
mkdir -p benchmarks/results
for name in $(.venv/bin/python -c "from parkloop.benchmarks import BENCHMARKS; print(' '.join(BENCHMARKS))"); do
  [[ "$name" != burst ]] || continue  # bench match runs the bursts too
  command=".venv/bin/parkloop bench $name"
  echo "bench: $command"
  $command | .venv/bin/python -c "
import json, sys, datetime
result = json.load(sys.stdin)
result['command'] = sys.argv[1]
result['measured_at'] = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec='seconds')
json.dump(result, open(f'benchmarks/results/{sys.argv[2]}.json', 'w'), indent=2)
print(json.dumps(result, indent=2))" "$command" "$name"
done
