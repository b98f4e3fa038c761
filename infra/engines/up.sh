#!/usr/bin/env bash
# Start the test engines in parallel: up.sh [DIR]
#   DIR defaults to ${PARKLOOP_ENGINES_DIR:-$PWD/.engines}; ENGINES=postgres,kafka limits the set.
#   Each engine keeps the data an earlier run left in DIR; ENGINES_RESET=1 deletes it first.
# Writes DIR/engines.env (sourceable `export` lines, only for engines that came up) and
# DIR/startup-times.txt. Exits non-zero if any engine failed; the others stay up, and the caller
# decides (CI fails the run; locally the tests of a missing engine skip).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
ALL=(postgres kafka elasticsearch opensearch)

DIR="${1:-${PARKLOOP_ENGINES_DIR:-$PWD/.engines}}"
mkdir -p "$DIR"
DIR="$(cd "$DIR" && pwd -P)"

IFS=',' read -r -a SELECTED <<<"${ENGINES:-$(IFS=,; echo "${ALL[*]}")}"
for e in "${SELECTED[@]}"; do
  [[ " ${ALL[*]} " == *" $e "* ]] || { echo "up.sh: unknown engine '$e' (known: ${ALL[*]})" >&2; exit 2; }
done

# A previous run in this DIR is stopped first, so up.sh can simply be run again.
"$HERE/down.sh" "$DIR"
rm -f "$DIR/engines.env" "$DIR/startup-times.txt"
declare -A PIDS
on_interrupt() {
  echo "up.sh: interrupted; stopping engines" >&2
  kill "${PIDS[@]}" 2>/dev/null || true
  wait
  "$HERE/down.sh" "$DIR"
  exit 130
}
trap on_interrupt INT TERM

START="$(date +%s.%N)"
ACTION=start
[[ "${ENGINES_RESET:-0}" != 1 ]] || ACTION=reset
echo "up.sh: starting ${SELECTED[*]} in $DIR ($ACTION)"
for e in "${SELECTED[@]}"; do
  mkdir -p "$DIR/$e"
  "$HERE/$e.sh" "$ACTION" "$DIR" >"$DIR/$e/start.log" 2>&1 &
  PIDS[$e]=$!
done

FAILED=()
{
  echo "# Written by infra/engines/up.sh at $(date -u +%Y-%m-%dT%H:%M:%SZ); engines that failed are absent."
} >"$DIR/engines.env"
for e in "${SELECTED[@]}"; do
  if wait "${PIDS[$e]}"; then
    cat "$DIR/$e/env" >>"$DIR/engines.env"
    secs="$(cat "$DIR/$e/startup_seconds")"
    echo "$e $secs" >>"$DIR/startup-times.txt"
    printf 'up.sh: %-14s ready in %5s s\n' "$e" "$secs"
  else
    FAILED+=("$e")
    echo "$e failed" >>"$DIR/startup-times.txt"
    printf 'up.sh: %-14s FAILED\n' "$e"
  fi
done

for e in "${FAILED[@]}"; do
  log="$DIR/$e/$e.log"
  [[ -s "$log" ]] || log="$DIR/$e/start.log"
  echo "----- $e: last 40 lines of $log -----"
  tail -n 40 "$log" || true
  # The start script's last line says why it gave up.
  [[ "$log" == */start.log ]] || echo "----- $e: $(tail -n 1 "$DIR/$e/start.log")"
done

WALL="$(awk -v a="$START" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')"
echo "up.sh: wall time $WALL s; environment in $DIR/engines.env"
if ((${#FAILED[@]})); then
  echo "up.sh: FAILED: ${FAILED[*]} (the others are running; stop them with infra/engines/down.sh $DIR)" >&2
  exit 1
fi
