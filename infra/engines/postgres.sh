#!/usr/bin/env bash
# PostgreSQL (Debian's packages) for the test suite: postgres.sh start|stop|reset DIR
# Data, socket, log and PID file in DIR/postgres/; listens on 127.0.0.1:<free port> (the same one
# again while it is free), trust auth; creates one database per service where missing. `start`
# keeps the data of an earlier start; `reset` deletes it first. Durability is off (fsync etc.):
# this is a test engine, and a crash may lose its last writes.
set -euo pipefail
ENGINE=postgres
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
usage_and_dir "$@"

DATABASES=(listings matching ledger gateway)

find_pgbin() {
  local initdb
  initdb="$(ls -d /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1 || true)"
  [[ -n "$initdb" ]] && dirname "$initdb"
}

as_pg() {
  # initdb refuses root, so as root run the server tools as the postgres user.
  if [[ $EUID -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# Where the data lives. Normally DIR/postgres/pg; if the postgres user cannot reach DIR (e.g. under a
# root-only home), a private directory under /tmp named after DIR (so that the next start of the same
# DIR finds it again), recorded in DIR/postgres/pgroot.
pg_root() {
  if [[ -f "$EDIR/pgroot" ]]; then cat "$EDIR/pgroot"; else echo "$EDIR/pg"; fi
}

stop_engine() {
  local root pid
  root="$(pg_root)"
  if [[ -f "$root/data/postmaster.pid" ]] && pid_matches "$(head -n 1 "$root/data/postmaster.pid")" "$root/data"; then
    # Graceful: fast shutdown rolls back open sessions and exits cleanly.
    as_pg "$PGBIN/pg_ctl" -D "$root/data" -m fast -w -t "$STOP_TIMEOUT" stop >&2 || true
  fi
  # Whatever is left (pg_ctl failed or timed out): TERM, then KILL, by our PID file only.
  if [[ -f "$PIDFILE" ]]; then
    stop_pid "$(cat "$PIDFILE")" "$root/data"
    rm -f "$PIDFILE" "$EDIR/env"
  fi
}

PGBIN="$(find_pgbin || true)"
if [[ "$ACTION" == stop ]]; then
  [[ -n "$PGBIN" ]] || exit 0
  stop_engine
  exit 0
fi

if [[ -z "$PGBIN" ]]; then
  [[ $EUID -eq 0 ]] || die "PostgreSQL is not installed; run: apt-get update && apt-get install -y postgresql"
  log "installing PostgreSQL from Debian"
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
  PGBIN="$(find_pgbin)" || die "initdb still missing after installing postgresql"
fi

stop_engine                      # a previous run in the same DIR
[[ "$ACTION" != reset ]] || rm -rf "$(pg_root)" "$EDIR/pgroot" "$EDIR/postgres.port"
rm -f "$EDIR/postgres.log" "$EDIR/env" "$EDIR/startup_seconds"

ROOT="$EDIR/pg"
if [[ $EUID -eq 0 ]]; then
  mkdir -p "$ROOT"
  chown postgres: "$ROOT"
  if ! runuser -u postgres -- test -w "$ROOT"; then
    rmdir "$ROOT" 2>/dev/null || true
    ROOT="/tmp/parkloop-postgres-$(printf '%s' "$DIR" | sha256sum | cut -c1-16)"
    mkdir -p -m 700 "$ROOT"
    [[ ! -L "$ROOT" && "$(stat -c %U "$ROOT")" =~ ^(root|postgres)$ ]] || die "$ROOT belongs to someone else"
    chown postgres: "$ROOT"
    echo "$ROOT" >"$EDIR/pgroot"
    log "postgres user cannot reach $DIR; its data lives in $ROOT (reset deletes it)"
  fi
else
  mkdir -p "$ROOT"
fi
as_pg mkdir -p "$ROOT/run"
LOGFILE="$ROOT/postgres.log"
[[ "$ROOT" == "$EDIR/pg" ]] || ln -sfn "$LOGFILE" "$EDIR/postgres.log"
[[ "$ROOT" != "$EDIR/pg" ]] || ln -sfn "pg/postgres.log" "$EDIR/postgres.log"

PORT="$(kept_port postgres)"
T0="$(now)"
if [[ ! -f "$ROOT/data/PG_VERSION" ]]; then
  as_pg "$PGBIN/initdb" -D "$ROOT/data" -A trust -U postgres -E UTF8 --locale=C >"$EDIR/initdb.log" 2>&1 \
    || fail_start "$EDIR/initdb.log"
fi
# -w makes pg_ctl wait for the server itself; the pg_isready loop below is the readiness check.
as_pg "$PGBIN/pg_ctl" -D "$ROOT/data" -l "$LOGFILE" -w -t "$START_TIMEOUT" start -o \
  "-p $PORT -k $ROOT/run -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
  >&2 || fail_start "$LOGFILE"
head -n 1 "$ROOT/data/postmaster.pid" >"$PIDFILE"
wait_ready "$(cat "$PIDFILE")" "$PGBIN/pg_isready" -q -h 127.0.0.1 -p "$PORT" -U postgres -d postgres \
  || fail_start "$LOGFILE"

psql_admin() { "$PGBIN/psql" -q -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 "$@"; }
for db in "${DATABASES[@]}"; do
  [[ "$(psql_admin -tAc "SELECT 1 FROM pg_database WHERE datname = '$db'")" == 1 ]] \
    || psql_admin -c "CREATE DATABASE \"$db\"" >&2 || fail_start "$LOGFILE"
done
record_ready "$(seconds_since "$T0")" "export PARKLOOP_TEST_POSTGRES_URL=postgresql+psycopg://postgres@127.0.0.1:$PORT/"
