#!/bin/sh
# parkloop-entrypoint ROLE: wait for the dependencies named in WAIT_FOR (host:port,…), then
#   gateway | listings | matching | ledger  -> migrate (unless PARKLOOP_MIGRATE_ON_START=0), exec gunicorn
#   listings-relay | matching-worker | webhook-dispatcher | ledger-worker -> exec that worker
#   any other command                        -> exec it (e.g. `parkloop keys issue …`)
# A service or worker whose database URL is not set refuses to start: outside a container the
# default is a SQLite file in the data directory, which inside one would be lost with it.
set -eu
role="${1:-gateway}"

case "$role" in
  gateway) database_variable=GATEWAY_DATABASE_URL ;;
  listings|listings-relay) database_variable=LISTINGS_DATABASE_URL ;;
  matching|matching-worker|webhook-dispatcher) database_variable=MATCHING_DATABASE_URL ;;
  ledger|ledger-worker) database_variable=LEDGER_DATABASE_URL ;;
  *) database_variable="" ;;
esac
if [ -n "$database_variable" ] && [ -z "$(printenv "$database_variable" || true)" ]; then
  database="$(echo "${database_variable%%_*}" | tr 'A-Z' 'a-z')"
  echo "parkloop-entrypoint: $role needs $database_variable (a SQLAlchemy URL such as postgresql+psycopg://user:password@postgres/$database); refusing to start on a SQLite file inside the container" >&2
  set_names="$(env | sed -n 's/^\([A-Za-z0-9_]*_DATABASE_URL\)=.*/\1/p' | tr '\n' ' ')"
  [ -z "$set_names" ] || echo "parkloop-entrypoint: set instead: $set_names" >&2
  exit 78  # EX_CONFIG
fi

for target in $(echo "${WAIT_FOR:-}" | tr ',' ' '); do
  host="${target%:*}"; port="${target##*:}"
  echo "waiting for $host:$port"
  until python -c "import socket,sys; socket.create_connection((sys.argv[1], int(sys.argv[2])), 2)" "$host" "$port" 2>/dev/null; do
    sleep 1
  done
done

case "$role" in
  gateway|listings|matching|ledger)
    if [ "${PARKLOOP_MIGRATE_ON_START:-1}" != 0 ]; then
      parkloop migrate "$role"
    fi
    export PARKLOOP_MIGRATE_ON_START=0  # done once above; replicas must not race on it
    case "$role" in
      gateway) app="gateway.app:create_app()" ;;
      *) app="services.$role.app:create_app()" ;;
    esac
    # Workers and threads come from WEB_WORKERS / WEB_THREADS (see parkloop/gunicorn_conf.py).
    exec gunicorn --config python:parkloop.gunicorn_conf --bind "0.0.0.0:${PORT:-8000}" --name "parkloop-$role" "$app"
    ;;
  listings-relay|matching-worker|webhook-dispatcher|ledger-worker)
    exec parkloop worker "$role"
    ;;
  *)
    exec "$@"
    ;;
esac
