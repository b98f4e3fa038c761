#!/usr/bin/env bash
# Stop every engine that up.sh (or an engine script) started in DIR: down.sh [DIR]
# Each engine stops only the process recorded in its own PID file (graceful first, SIGKILL after a
# timeout). Safe to run any number of times.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
ALL=(postgres kafka elasticsearch opensearch)

DIR="${1:-${PARKLOOP_ENGINES_DIR:-$PWD/.engines}}"
[[ -d "$DIR" ]] || exit 0
DIR="$(cd "$DIR" && pwd -P)"

PIDS=()
for e in "${ALL[@]}"; do
  if [[ -d "$DIR/$e" ]]; then
    "$HERE/$e.sh" stop "$DIR" &
    PIDS+=($!)
  fi
done
RC=0
for pid in "${PIDS[@]}"; do
  wait "$pid" || RC=1
done
rm -f "$DIR/engines.env"
exit "$RC"
