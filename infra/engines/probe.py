#!/usr/bin/env python3
"""Stdlib-only helpers for the engine scripts (no venv needed at start-up time).

probe.py free-port                 print a free TCP port on 127.0.0.1, below the ephemeral range
probe.py free-port-below MAX       print a free port in 9201..MAX-1 (OpenSearch runner caps at 9299)
probe.py port-free PORT            exit 0 if PORT can be bound on 127.0.0.1 (an engine keeps it across starts)
probe.py kafka-uuid                print a random Kafka cluster id (base64url, 22 chars)
probe.py kafka HOST PORT           exit 0 if the broker answers an ApiVersions request
probe.py search-health URL         exit 0 if URL/_cluster/health answers green or yellow
"""

import base64
import json
import os
import random
import socket
import struct
import sys
import urllib.request


def _ephemeral_start() -> int:
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            return int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def free_port() -> int:
    """A free port below the kernel's ephemeral range. A port the kernel hands out for `bind(0)` is
    one any outgoing connection may take before the engine binds it: a Kafka controller lost its
    port so while the other engines started."""
    high = _ephemeral_start()
    low = min(20000, high - 1000)
    for port in random.sample(range(low, high), 200):
        if port_free(port):
            return port
    raise SystemExit(f"no free port in {low}..{high - 1}")


def free_port_below(maximum: int) -> int:
    candidates = list(range(9201, maximum))
    random.shuffle(candidates)
    for port in candidates:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
        # The runner probes "localhost", which may resolve to ::1 first: skip ports busy there too.
        try:
            with socket.create_connection(("localhost", port), timeout=0.2):
                continue
        except OSError:
            return port
    raise SystemExit(f"no free port in 9201..{maximum - 1}")


def port_free(port: int) -> bool:
    with socket.socket() as s:
        # As the engines bind: connections of the previous run still in TIME_WAIT do not count.
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def kafka_uuid() -> str:
    while True:
        value = base64.urlsafe_b64encode(os.urandom(16)).decode().rstrip("=")
        if not value.startswith("-"):  # Kafka's own generator avoids these too
            return value


def kafka_ready(host: str, port: int) -> bool:
    """ApiVersions v0: the broker only serves client requests once its start-up is complete."""
    client_id = b"parkloop-probe"
    body = struct.pack(">hhih", 18, 0, 1, len(client_id)) + client_id
    with socket.create_connection((host, port), timeout=2) as s:
        s.settimeout(2)
        s.sendall(struct.pack(">i", len(body)) + body)
        header = _recv_exact(s, 4)
        (size,) = struct.unpack(">i", header)
        payload = _recv_exact(s, size)
    correlation_id, error_code = struct.unpack(">ih", payload[:6])
    return correlation_id == 1 and error_code == 0


def _recv_exact(s: socket.socket, n: int) -> bytes:
    data = b""
    while len(data) < n:
        chunk = s.recv(n - len(data))
        if not chunk:
            raise ConnectionError("closed")
        data += chunk
    return data


def search_healthy(url: str) -> bool:
    target = url.rstrip("/") + "/_cluster/health?wait_for_status=yellow&timeout=1s"
    with urllib.request.urlopen(target, timeout=3) as response:
        status = json.load(response).get("status")
    return status in ("green", "yellow")


def main(argv: list) -> int:
    command = argv[1] if len(argv) > 1 else ""
    if command == "free-port":
        print(free_port())
    elif command == "free-port-below":
        print(free_port_below(int(argv[2])))
    elif command == "port-free":
        return 0 if port_free(int(argv[2])) else 1
    elif command == "kafka-uuid":
        print(kafka_uuid())
    elif command in ("kafka", "search-health"):
        try:
            ok = kafka_ready(argv[2], int(argv[3])) if command == "kafka" else search_healthy(argv[2])
        except Exception:
            ok = False
        return 0 if ok else 1
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
