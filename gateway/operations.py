"""The gateway's view of the whole deployment for operators: `/readyz` gathers every service's
readiness (each part it depends on) with its own database's, and `/metrics` re-exposes every
service's gauges beside the gateway's own, so one scrape target covers a deployment."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import requests
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.registry import Collector

from services.common.operations import Operations, database_check

PROBE_TIMEOUT_S = 10.0  # above a service's own probes of its parts (3 s for Kafka)


def _service_readiness(url: str) -> dict:
    try:
        return requests.get(f"{url}/readyz", timeout=PROBE_TIMEOUT_S).json()
    except (requests.RequestException, ValueError):
        return {"ready": False, "checks": {"service": "down"}}


def readiness(gw) -> dict:
    """`{"ready", "down": ["matching.search", …], "parts": {"gateway": {…}, "listings": {…}, …}}`."""
    parts = {"gateway": Operations("gateway", {"database": database_check(gw.keys.engine)}).readiness()}
    with ThreadPoolExecutor(len(gw.service_urls)) as pool:
        answers = pool.map(_service_readiness, gw.service_urls.values())
        parts.update(zip(gw.service_urls, answers, strict=True))
    down = [f"{name}.{part}" for name, state in parts.items() for part, ok in state["checks"].items() if ok != "ok"]
    return {"ready": all(state["ready"] for state in parts.values()), "down": down, "parts": parts}


class ServiceMetrics(Collector):
    """Every service's /metrics, read at each scrape and merged by metric name."""

    def __init__(self, service_urls: dict[str, str]):
        self.service_urls = service_urls

    def _read(self, url: str) -> list[Metric] | None:
        try:
            response = requests.get(f"{url}/metrics", timeout=PROBE_TIMEOUT_S)
            response.raise_for_status()
        except requests.RequestException:
            return None
        return list(text_string_to_metric_families(response.text))

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily("parkloop_service_up", "1 when the service's metrics could be read", labels=["service"])
        merged: dict[str, Metric] = {}
        with ThreadPoolExecutor(len(self.service_urls)) as pool:
            read = dict(zip(self.service_urls, pool.map(self._read, self.service_urls.values()), strict=True))
        for name, families in read.items():
            up.add_metric([name], 0 if families is None else 1)
            for family in families or []:
                if family.name in merged:
                    merged[family.name].samples.extend(family.samples)
                else:
                    merged[family.name] = family
        yield from merged.values()
        yield up
