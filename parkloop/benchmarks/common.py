"""What every benchmark reports besides its figures."""

from __future__ import annotations

import os
import platform
import random
import statistics
from importlib import metadata
from pathlib import Path


def percentiles(samples_s: list[float]) -> dict:
    ms = sorted(s * 1000 for s in samples_s)
    return {
        "p50_ms": round(statistics.median(ms), 3),
        "p95_ms": round(ms[int(0.95 * (len(ms) - 1))], 3),
        "samples": len(ms),
    }


def environment(*packages: str) -> dict:
    names = ("parkloop", "flask", "gunicorn", "sqlalchemy", *packages)
    return {
        "versions": {"python": platform.python_version(), **{n: metadata.version(n) for n in names}},
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            # The machine may be shared: other work inflates absolute times (compare ratios), so say how busy it was.
            "load_average_at_end": [round(load, 1) for load in os.getloadavg()],
        },
    }


def free_port_block(size: int = 4) -> int:
    """A base port with `size` free consecutive ports on 127.0.0.1 (gateway + services).

    Drawn below the kernel's ephemeral range: a port there can be taken at any moment by an
    outgoing connection or a bind to port 0, between our check and the server's own bind.
    """
    high = _ephemeral_start()
    low = min(20000, high - 1000)
    draw = random.SystemRandom()
    for _ in range(200):
        base = draw.randrange(low, high - size)
        if all(_free(base + i) for i in range(size)):
            return base
    raise RuntimeError(f"no block of {size} free ports on 127.0.0.1 between {low} and {high}")


def _ephemeral_start() -> int:
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):  # not Linux: the IANA range starts at 49152
        return 49152


def _free(port: int) -> bool:
    import socket

    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False
