#!/usr/bin/env bash
# Apache Kafka 4.x, KRaft, one node acting as broker and controller: kafka.sh start|stop|restart|reset DIR
# Jars come from Maven Central through kafka/pom.xml. Data, config, log and PID file live in DIR/kafka/.
# `start` keeps the topics and offsets an earlier start left there, on the same port while it is free;
# storage is formatted only the first time, or after `reset` deletes it. `restart` stops the broker
# and starts it again on the same data and port, as a crashed and recovered broker looks to clients
# (the bus contract tests use it). Listens on 127.0.0.1:<free port>.
set -euo pipefail
ENGINE=kafka
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
usage_and_dir "$@"

if [[ "$ACTION" == stop ]]; then
  stop_from_pidfile
  exit 0
fi

# Kafka 4.1 runs on Java 17+, the machine default.
JAVA="${PARKLOOP_KAFKA_JAVA:-$(command -v java || true)}"
[[ -x "$JAVA" ]] || die "java not found (set PARKLOOP_KAFKA_JAVA)"

stop_from_pidfile
ensure_classpath kafka
CP="$(classpath_of "$MODULE_CACHE/lib")"
# log4j's own shutdown hook would cut the broker's shutdown log short.
JVM_OPTS=(-Xms256m -Xmx512m -XX:+UseG1GC -Djava.awt.headless=true -Dlog4j2.shutdownHookEnabled=false
  "-Dlog4j2.configurationFile=$EDIR/config/log4j2.properties" "-Dkafka.logs.dir=$EDIR/logs"
  "-Djava.io.tmpdir=$EDIR/tmp")
read -r -a CDS <<<"$(cds_opts "$JAVA" "$MODULE_CACHE/kafka.jsa")"

if [[ "$ACTION" == reset ]]; then
  rm -rf "$EDIR/data" "$EDIR/config" "$EDIR/broker.port" "$EDIR/controller.port"
fi
rm -rf "$EDIR/logs" "$EDIR/tmp" "$EDIR/kafka.log" "$EDIR/env" "$EDIR/startup_seconds"
mkdir -p "$EDIR/logs" "$EDIR/tmp"
FORMATTED=0
[[ -f "$EDIR/data/meta.properties" && -f "$EDIR/config/server.properties" ]] && FORMATTED=1
[[ "$ACTION" != restart || "$FORMATTED" == 1 ]] || die "no broker was started in $DIR"
if [[ "$FORMATTED" == 0 ]]; then
  rm -rf "$EDIR/data" "$EDIR/config"
  mkdir -p "$EDIR/data" "$EDIR/config"
fi

if [[ "$ACTION" == restart ]]; then
  # Clients hold this address: the broker must come back on it.
  PORT="$(sed -n 's#^listeners=PLAINTEXT://127.0.0.1:\([0-9]*\),.*#\1#p' "$EDIR/config/server.properties")"
  CONTROLLER_PORT="$(sed -n 's#^controller.quorum.voters=1@127.0.0.1:\([0-9]*\)$#\1#p' "$EDIR/config/server.properties")"
else
  PORT="$(kept_port broker)"
  CONTROLLER_PORT="$(kept_port controller)"
  [[ "$PORT" != "$CONTROLLER_PORT" ]] || { rm -f "$EDIR/controller.port"; CONTROLLER_PORT="$(kept_port controller)"; }
fi

# Single node: every internal topic must accept one replica, or producers/consumers hang.
cat >"$EDIR/config/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$PORT,CONTROLLER://127.0.0.1:$CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$EDIR/data
num.partitions=1
default.replication.factor=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=4
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=4
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
min.insync.replicas=1
group.initial.rebalance.delay.ms=0
PROPS

cat >"$EDIR/config/log4j2.properties" <<'PROPS'
status = warn
appender.console.type = Console
appender.console.name = console
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = info
rootLogger.appenderRef.console.ref = console
logger.kafka.name = kafka
logger.kafka.level = info
logger.state.name = state.change.logger
logger.state.level = warn
PROPS

T0="$(now)"
if [[ "$FORMATTED" == 0 ]]; then
  "$JAVA" "${JVM_OPTS[@]}" -cp "$CP" kafka.tools.StorageTool format \
    -t "$(python3 "$PROBE" kafka-uuid)" -c "$EDIR/config/server.properties" >"$EDIR/format.log" 2>&1 \
    || fail_start "$EDIR/format.log"
fi
launch_detached "$EDIR/kafka.log" "$JAVA" "${JVM_OPTS[@]}" "${CDS[@]}" -cp "$CP" kafka.Kafka "$EDIR/config/server.properties"
wait_ready "$(cat "$PIDFILE")" python3 "$PROBE" kafka 127.0.0.1 "$PORT" || fail_start "$EDIR/kafka.log"
record_ready "$(seconds_since "$T0")" "export PARKLOOP_TEST_KAFKA_BOOTSTRAP=127.0.0.1:$PORT"
