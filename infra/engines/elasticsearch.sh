#!/usr/bin/env bash
# Elasticsearch 9.5.3 for the test suite: elasticsearch.sh start|stop|reset DIR
# The distribution is not on Maven Central, so elasticsearch/ holds a small launcher of our own
# (compiled here with javac into the engines cache, see lib.sh) that builds a node from the published jars: core + transport-netty4
# + a root-info plugin. No painless, no x-pack. Data, logs and PID file in DIR/elasticsearch/.
# `start` keeps the indices of an earlier start (on the same port while it is free); `reset` deletes them first.
set -euo pipefail
ENGINE=elasticsearch
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
usage_and_dir "$@"

if [[ "$ACTION" == stop ]]; then
  stop_from_pidfile
  exit 0
fi

require_java21
stop_from_pidfile
[[ "$ACTION" != reset ]] || rm -rf "$EDIR/data" "$EDIR/http.port" "$EDIR/transport.port"
rm -rf "$EDIR/home" "$EDIR/logs" "$EDIR/tmp" "$EDIR/nativelibs" "$EDIR/elasticsearch.log" "$EDIR/env" \
  "$EDIR/startup_seconds"
ensure_classpath elasticsearch

# Compile the launcher into a jar (class-data sharing takes jars only), cached by the hash of
# its sources and the pom, next to its class-data archive.
MODULE="$ENGINES_HOME/elasticsearch"
LIB_CP="$(classpath_of "$MODULE_CACHE/lib")"
SRC_HASH="$(cd "$MODULE" && find src pom.xml -type f | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -c1-12)"
BUILD="$CACHE_ROOT/elasticsearch-launcher-$SRC_HASH"
LAUNCHER="$BUILD/parkloop-es-launcher.jar"
if [[ ! -f "$LAUNCHER" ]]; then
  log "compiling the launcher into $BUILD"
  (
    flock 9
    [[ -f "$LAUNCHER" ]] && exit 0
    rm -rf "$BUILD"
    mkdir -p "$BUILD/classes"
    "$JAVA21_HOME/bin/javac" -nowarn -d "$BUILD/classes" -cp "$LIB_CP" \
      $(find "$MODULE/src/main/java" -name '*.java') >&2
    "$JAVA21_HOME/bin/jar" cf "$LAUNCHER.tmp" -C "$BUILD/classes" .
    mv "$LAUNCHER.tmp" "$LAUNCHER"
  ) 9>"$CACHE_ROOT/.lock" || die "the launcher does not compile against these Elasticsearch jars"
fi

mkdir -p "$EDIR/home/config" "$EDIR/data" "$EDIR/logs" "$EDIR/tmp" "$EDIR/nativelibs"
# Console-only logging: the launcher's stdout is the log file.
cat >"$EDIR/home/config/log4j2.properties" <<'PROPS'
status = error
appender.console.type = Console
appender.console.name = console
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = [%d{ISO8601}][%-5p][%-25c{1.}] [%node_name]%marker %m%n
rootLogger.level = info
rootLogger.appenderRef.console.ref = console
PROPS

# ES loads zstd by the name libzstd.so; Debian ships only libzstd.so.1 (without it,
# best_compression indices go red).
ZSTD="$(ls /usr/lib/x86_64-linux-gnu/libzstd.so.1 /usr/lib/aarch64-linux-gnu/libzstd.so.1 /usr/lib64/libzstd.so.1 2>/dev/null | head -n 1 || true)"
[[ -n "$ZSTD" ]] || die "libzstd.so.1 not found (apt-get install -y libzstd1)"
ln -sfn "$ZSTD" "$EDIR/nativelibs/libzstd.so"

HTTP_PORT="$(kept_port http)"
TRANSPORT_PORT="$(kept_port transport)"
[[ "$HTTP_PORT" != "$TRANSPORT_PORT" ]] || { rm -f "$EDIR/transport.port"; TRANSPORT_PORT="$(kept_port transport)"; }

JVM_OPTS=(-Xms512m -Xmx1g -XX:+UseG1GC -Djava.awt.headless=true -Dfile.encoding=UTF-8
  --enable-native-access=ALL-UNNAMED --add-modules=jdk.incubator.vector
  -Dorg.elasticsearch.nativeaccess.enableVectorLibrary=false
  "-Des.nativelibs.path=$EDIR/nativelibs" -Dlog4j.shutdownHookEnabled=false
  "-Djava.io.tmpdir=$EDIR/tmp")
SETTINGS=(cluster.name=parkloop node.name=parkloop-es discovery.type=single-node
  network.host=127.0.0.1 "http.port=$HTTP_PORT" "transport.port=$TRANSPORT_PORT"
  "path.data=$EDIR/data" "path.logs=$EDIR/logs"
  cluster.routing.allocation.disk.threshold_enabled=false)

read -r -a CDS <<<"$(cds_opts "$JAVA21_HOME/bin/java" "$BUILD/elasticsearch.jsa")"

T0="$(now)"
launch_detached "$EDIR/elasticsearch.log" "$JAVA21_HOME/bin/java" "${JVM_OPTS[@]}" "${CDS[@]}" -cp "$LAUNCHER:$LIB_CP" \
  org.elasticsearch.node.ParkLoopEsLauncher "$EDIR/home" "${SETTINGS[@]}"
wait_ready "$(cat "$PIDFILE")" python3 "$PROBE" search-health "http://127.0.0.1:$HTTP_PORT" \
  || fail_start "$EDIR/elasticsearch.log"
record_ready "$(seconds_since "$T0")" "export PARKLOOP_TEST_ELASTICSEARCH_URL=http://127.0.0.1:$HTTP_PORT"
