# Shared helpers for the engine scripts; sourced, not run. Callers set ENGINE before sourcing.
# Conventions: every engine lives in DIR/<engine>/ (data, logs, <engine>.pid, env, startup_seconds),
# binds 127.0.0.1 only, and is stopped only through its own PID file.

ENGINES_HOME="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
PROBE="$ENGINES_HOME/probe.py"
# Elasticsearch 9 and OpenSearch 3 need Java 21+; Kafka is fine on the default Java 17.
JAVA21_HOME="${PARKLOOP_JAVA21_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
# Seconds to wait for readiness (2 cores, engines starting in parallel).
START_TIMEOUT="${PARKLOOP_ENGINE_START_TIMEOUT:-180}"
STOP_TIMEOUT="${PARKLOOP_ENGINE_STOP_TIMEOUT:-30}"
# Assembled classpaths, the compiled ES launcher and class-data archives: build output, reusable
# across checkouts on one machine. Safe to delete while no engine is running.
CACHE_ROOT="${PARKLOOP_ENGINES_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/parkloop-engines}"

log() { echo "[$ENGINE] $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

usage_and_dir() {
  # usage_and_dir "$@": checks "start|stop|restart|reset DIR", sets ACTION, DIR (absolute), EDIR=DIR/ENGINE.
  # start keeps the data an earlier start left in DIR; reset deletes it first (a fresh engine);
  # restart is start for an engine that must already have data (a crashed-and-recovered engine).
  if [[ $# -ne 2 || ( "$1" != start && "$1" != stop && "$1" != restart && "$1" != reset ) ]]; then
    echo "usage: $0 start|stop|restart|reset DIR" >&2
    exit 2
  fi
  ACTION="$1"
  if [[ "$ACTION" == stop && ! -d "$2/$ENGINE" ]]; then
    exit 0 # nothing was started there: stopping is a no-op
  fi
  mkdir -p "$2/$ENGINE"
  DIR="$(cd "$2" && pwd -P)"
  EDIR="$DIR/$ENGINE"
  PIDFILE="$EDIR/$ENGINE.pid"
}

now() { date +%s.%N; }
seconds_since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

free_port() { python3 "$PROBE" free-port; }

kept_port() {
  # kept_port NAME [PICKER...]: the port recorded in EDIR/NAME.port by an earlier start while it is
  # still free (clients that kept the address reconnect), else a new one from PICKER (free_port).
  local file="$EDIR/$1.port" port=""
  shift
  [[ -f "$file" ]] && port="$(cat "$file")"
  if [[ -z "$port" ]] || ! python3 "$PROBE" port-free "$port"; then
    port="$("${@:-free_port}")"
  fi
  echo "$port" >"$file"
  echo "$port"
}

require_java21() {
  [[ -x "$JAVA21_HOME/bin/java" ]] || die "Java 21+ not found at $JAVA21_HOME (set PARKLOOP_JAVA21_HOME)"
}

ensure_classpath() {
  # ensure_classpath MODULE: sets MODULE_CACHE to a directory holding lib/ (the jars that
  # MODULE/pom.xml resolves) and, later, the JVM's class-data archive. It lives in a cache outside
  # the checkout, keyed by the pom's hash, so a fresh clone on the same machine (CI) reuses it
  # instead of running Maven again. One Maven at a time (flock): parallel runs would race on ~/.m2.
  MODULE_CACHE="$CACHE_ROOT/$1-$(sha256sum "$ENGINES_HOME/$1/pom.xml" | cut -c1-12)"
  [[ -f "$MODULE_CACHE/.complete" ]] && return 0
  mkdir -p "$CACHE_ROOT"
  log "resolving $1 jars with Maven into $MODULE_CACHE (first run downloads them)"
  (
    flock 9
    [[ -f "$MODULE_CACHE/.complete" ]] && exit 0 # built meanwhile by a parallel run
    rm -rf "$MODULE_CACHE"
    mkdir -p "$MODULE_CACHE"
    mvn -B -q -f "$ENGINES_HOME/$1/pom.xml" "-Dengine.lib.dir=$MODULE_CACHE/lib" package \
      >"$MODULE_CACHE/mvn.log" 2>&1 || { cat "$MODULE_CACHE/mvn.log" >&2; exit 1; }
    touch "$MODULE_CACHE/.complete"
  ) 9>"$CACHE_ROOT/.lock" || die "Maven could not assemble $1 (see above)"
}

classpath_of() { printf '%s' "$(ls "$1"/*.jar | tr '\n' ':')"; } # classpath_of LIBDIR

cds_opts() {
  # cds_opts JAVA ARCHIVE: flags for an application class-data-sharing archive kept in the
  # cache. The JVM writes it when the engine exits and maps it on later starts, which roughly halves
  # start-up CPU (matters on 2 cores with three JVMs starting at once). Classpath must be jars only.
  # PARKLOOP_ENGINE_CDS=0 turns it off.
  local java="$1" archive="$2" major
  [[ "${PARKLOOP_ENGINE_CDS:-1}" == 1 ]] || return 0
  major="$("$java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')"
  if ((major >= 19)); then
    # Also silences CDS's complaints about flags that differ from the JDK's base archive.
    echo "-XX:+AutoCreateSharedArchive -XX:SharedArchiveFile=$archive -Xlog:cds=off -Xlog:aot=off"
  elif [[ -f "$archive" ]]; then
    echo "-XX:SharedArchiveFile=$archive -Xlog:cds=off"
  else
    echo "-XX:ArchiveClassesAtExit=$archive -Xlog:cds=off"
  fi
}

pid_matches() {
  # pid_matches PID MARKER: alive and its command line mentions MARKER (guards against PID reuse).
  local pid="$1" marker="$2"
  [[ -n "$pid" && -r "/proc/$pid/cmdline" ]] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$marker"
}

stop_pid() {
  # stop_pid PID MARKER: SIGTERM, wait STOP_TIMEOUT seconds, then SIGKILL. Only that one PID.
  local pid="$1" marker="$2" i
  pid_matches "$pid" "$marker" || return 0
  log "stopping PID $pid"
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < STOP_TIMEOUT * 4; i++)); do
    pid_matches "$pid" "$marker" || return 0
    sleep 0.25
  done
  log "PID $pid ignored SIGTERM for ${STOP_TIMEOUT}s; sending SIGKILL"
  kill -KILL "$pid" 2>/dev/null || true
  for ((i = 0; i < 40; i++)); do
    pid_matches "$pid" "$marker" || return 0
    sleep 0.25
  done
  die "PID $pid is still running"
}

stop_from_pidfile() {
  # The marker is the engine directory: every process we launch has it on its command line.
  [[ -f "$PIDFILE" ]] || return 0
  stop_pid "$(cat "$PIDFILE")" "$EDIR"
  rm -f "$PIDFILE" "$EDIR/env"
}

wait_ready() {
  # wait_ready PID CHECK...: polls CHECK until it succeeds; fails fast if PID exits.
  local pid="$1" deadline
  shift
  deadline=$(($(date +%s) + START_TIMEOUT))
  while ! "$@" >/dev/null 2>&1; do
    kill -0 "$pid" 2>/dev/null || { log "process $pid exited during start-up"; return 1; }
    (($(date +%s) < deadline)) || { log "not ready after ${START_TIMEOUT}s"; return 1; }
    sleep 0.5
  done
}

launch_detached() {
  # launch_detached LOGFILE CMD...: own session (no terminal signals), output to LOGFILE, PID file.
  local logfile="$1"
  shift
  setsid "$@" >"$logfile" 2>&1 </dev/null &
  echo $! >"$PIDFILE"
}

record_ready() {
  # record_ready SECONDS ENV_LINE: what up.sh collects.
  echo "$1" >"$EDIR/startup_seconds"
  echo "$2" >"$EDIR/env"
  log "ready in $1 s: $2"
}

fail_start() {
  # Leave nothing running after a failed start; show why.
  tail -n 40 "$1" >&2 2>/dev/null || true
  stop_from_pidfile || true
  log "start FAILED (last 40 lines of $1 above)"
  exit 1
}
