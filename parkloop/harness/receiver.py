"""A webhook endpoint on 127.0.0.1 that records every delivery, or answers 503 while `failing`."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Receiver:
    def __init__(self, path: str = "/hooks/parkloop"):
        # (headers in lower case, body, time.perf_counter() on arrival), in the order they came
        self.deliveries: list[tuple[dict[str, str], bytes, float]] = []
        self.failing = False
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if outer.failing:
                    self.send_response(503)
                else:
                    headers = {k.lower(): v for k, v in self.headers.items()}
                    outer.deliveries.append((headers, body, time.perf_counter()))
                    self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}{path}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def received(self) -> list[tuple[dict[str, str], bytes]]:
        """(headers, body) of each delivery so far."""
        return [(headers, body) for headers, body, _ in self.deliveries]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
