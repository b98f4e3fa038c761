"""The ParkLoop a drill runs against: `parkloop run` on its own data directory, on the embedded
default or on PostgreSQL + Kafka + Elasticsearch (engines already running in the directory given, as
the test suite's are, or started there by infra/engines and stopped afterwards)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from parkloop.harness import engines as real_engines
from parkloop.harness import system
from parkloop.harness.engines import Engines
from parkloop.harness.system import System

from .faults import retry_schedule


@contextmanager
def deployment(
    data: Path,
    port: int | None,
    receiver_outage_s: float,
    engines_dir: Path | None = None,
    discard_engines: bool = False,
) -> Iterator[tuple[System, Engines | None]]:
    """`discard_engines`: engines this starts are thrown away with their data at the end."""
    with ExitStack() as stack:
        env = {"WEBHOOK_RETRY_SCHEDULE": retry_schedule(receiver_outage_s)}
        engines = None
        if engines_dir is not None:
            engines = real_engines.running(engines_dir) or stack.enter_context(
                real_engines.started(engines_dir, discard_engines)
            )
            env.update(stack.enter_context(real_engines.deployment_env(engines, "drill")))
        running = system.start(data, port=port, env=env)
        stack.callback(running.stop)
        yield running, engines
