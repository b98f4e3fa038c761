"""What an operator sees of a service: readiness that asks each part it depends on (its database,
the bus, the search engine), and gauges read at scrape time (backlogs, lag, ages) for Prometheus.

A service lists its parts and its gauges in `Operations`; `create_service_app` serves them at
`/readyz` and `/metrics`, and the gateway gathers every service's into its own.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

import sqlalchemy as sa
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

log = logging.getLogger(__name__)

Check = Callable[[], None]  # raises when its part is down
Samples = Iterable[tuple[tuple[str, ...], float]]  # (label values, value)


@dataclass(frozen=True)
class Gauge:
    name: str
    help: str
    read: Callable[[], Samples]
    labels: tuple[str, ...] = ()


@dataclass
class Operations:
    service: str
    checks: dict[str, Check] = field(default_factory=dict)
    gauges: list[Gauge] = field(default_factory=list)

    def readiness(self) -> dict:
        """`{"ready": bool, "checks": {part: "ok" | "down"}}`. Why a part is down goes to the log,
        not to this unauthenticated answer (it may name hosts)."""
        checks = {}
        for part, check in self.checks.items():
            try:
                check()
                checks[part] = "ok"
            except Exception:  # any failure of any client means the same thing here: not ready
                log.warning("%s: %s is down", self.service, part, exc_info=True)
                checks[part] = "down"
        return {"ready": all(state == "ok" for state in checks.values()), "checks": checks}

    def collector(self) -> Collector:
        return _GaugeCollector(self)


class _GaugeCollector(Collector):
    def __init__(self, operations: Operations):
        self.operations = operations

    def collect(self) -> Iterator[GaugeMetricFamily]:
        up = GaugeMetricFamily(
            "parkloop_gauge_read_ok", "1 when the gauge could be read at this scrape", labels=["service", "gauge"]
        )
        service = self.operations.service
        for gauge in self.operations.gauges:
            family = GaugeMetricFamily(gauge.name, gauge.help, labels=["service", *gauge.labels])
            try:
                for labels, value in gauge.read():
                    family.add_metric([service, *labels], value)
            except Exception:  # a part that is down must not take the other gauges with it
                log.warning("%s: gauge %s not read", service, gauge.name, exc_info=True)
                up.add_metric([service, gauge.name], 0)
                continue
            up.add_metric([service, gauge.name], 1)
            yield family
        yield up


def database_check(engine: sa.Engine) -> Check:
    def check() -> None:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))

    return check


def age_s(moment: datetime | None, now: datetime | None = None) -> float:
    """Seconds since `moment` (0 when there is none: nothing is waiting)."""
    if moment is None:
        return 0.0
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return max(0.0, ((now or datetime.now(UTC)) - moment).total_seconds())


def consumer_lag_gauge(bus, group: str, topics: list[str]) -> Gauge:
    return Gauge(
        "parkloop_consumer_lag_events",
        "Events published on a topic that the consumer group has not committed yet",
        lambda: [((group, topic), lag) for topic, lag in bus.lag(group, topics).items()],
        ("group", "topic"),
    )


def single(value_of: Callable[[], float]) -> Callable[[], Samples]:
    return lambda: [((), value_of())]
