"""What every benchmark reports besides its figures."""
from __future__ import annotations

import os
import platform
import statistics
from importlib import metadata


def percentiles(samples_s: list[float]) -> dict:
    ms = sorted(s * 1000 for s in samples_s)
    return {"p50_ms": round(statistics.median(ms), 3), "p95_ms": round(ms[int(0.95 * (len(ms) - 1))], 3),
            "samples": len(ms)}


def environment(*packages: str) -> dict:
    names = ("parkloop", "flask", "gunicorn", "sqlalchemy", *packages)
    return {"versions": {"python": platform.python_version(), **{n: metadata.version(n) for n in names}},
            "machine": {"cpus": os.cpu_count(), "platform": platform.platform()}}


def free_port_block(size: int = 4) -> int:
    """A base port with `size` free consecutive ports on 127.0.0.1 (gateway + services)."""
    import socket

    for _ in range(100):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            base = probe.getsockname()[1]
        if base + size < 65535 and all(_free(base + i) for i in range(size)):
            return base
    raise RuntimeError("no block of free ports on 127.0.0.1")


def _free(port: int) -> bool:
    import socket

    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False
