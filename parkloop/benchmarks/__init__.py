"""Benchmarks: `parkloop bench NAME` prints one JSON object with the figures, the scale and
the versions. Each compares against a baseline measured side by side in the same run,
because the ratio, not the absolute time, is what survives a noisy shared machine."""

from __future__ import annotations

import importlib

BENCHMARKS = {
    "gateway": "parkloop.benchmarks.gateway",
    "ledger": "parkloop.benchmarks.ledger",
    "match": "parkloop.benchmarks.match",
    "burst": "parkloop.benchmarks.burst",
    "console": "parkloop.benchmarks.console",
    "plan": "parkloop.benchmarks.plan",
    "load": "parkloop.benchmarks.load",
    "idle": "parkloop.benchmarks.idle",
    "webhook": "parkloop.benchmarks.webhook_latency",
}


def run_benchmark(name: str, scale: int | None) -> dict:
    return importlib.import_module(BENCHMARKS[name]).run(scale)
