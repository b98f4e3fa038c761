"""The gateway forwarding to a service whose connection drops: a worker that died (several web workers,
a restart) leaves kept-alive connections that fail when reused. A read is sent again and answered; a
write is not (the service may have acted on it) and gets 503; nor is a read the service is slow to answer."""

from __future__ import annotations

import socket
import threading
import time

import pytest
import urllib3

from gateway.api import proxy
from gateway.app import create_app
from services.common.config import Settings

ADMIN_KEY = "plk_admin-key-for-the-forwarding-test"
ANSWER = b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{"ok":true}'


class FlakyService:
    """A listings service on 127.0.0.1 that handles each request as the next of `behaviour` says:
    `drop` closes the connection without an answer, `stall` answers after 2 s, `answer` at once."""

    def __init__(self, behaviour: list[str]):
        self.behaviour, self.requests = behaviour, []
        self.server = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.server.getsockname()[1]}"
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            with conn:
                while request := self._read_request(conn):
                    self.requests.append(request.split(b" ", 1)[0].decode())
                    what = self.behaviour.pop(0) if self.behaviour else "answer"
                    if what == "drop":
                        break
                    if what == "stall":
                        time.sleep(2)
                    conn.sendall(ANSWER)

    @staticmethod
    def _read_request(conn: socket.socket) -> bytes:
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(65536)
            if not chunk:
                return b""
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        length = next(
            (int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")), 0
        )
        while len(body) < length:
            body += conn.recv(65536)
        return head

    def close(self) -> None:
        self.server.close()


@pytest.fixture
def gateway(tmp_path, monkeypatch):
    def start(behaviour: list[str]):
        service = FlakyService(behaviour)
        monkeypatch.setenv("PARKLOOP_DATA", str(tmp_path))
        monkeypatch.setenv("PARKLOOP_ADMIN_KEY", ADMIN_KEY)
        monkeypatch.setenv("LISTINGS_URL", service.url)
        # a read timeout of 1 s rather than 30, for the stalled answer
        monkeypatch.setitem(proxy.upstream.connection_pool_kw, "timeout", urllib3.Timeout(connect=5, read=1))
        proxy._pool.cache_clear()
        return create_app(Settings.from_env("gateway")).test_client(), service

    yield start
    proxy._pool.cache_clear()


def bearer() -> dict[str, str]:
    return {"Authorization": f"Bearer {ADMIN_KEY}"}


def test_a_read_on_a_dropped_connection_is_sent_again_and_answered(gateway):
    client, service = gateway(["answer", "drop"])
    assert client.get("/api/v1/parks", headers=bearer()).status_code == 200  # opens the kept-alive connection
    answer = client.get("/api/v1/parks", headers=bearer())
    assert answer.status_code == 200 and answer.get_json() == {"ok": True}
    assert service.requests == ["GET", "GET", "GET"]


def test_a_write_on_a_dropped_connection_is_not_sent_again(gateway):
    client, service = gateway(["drop"])
    answer = client.post("/api/v1/parks", json={"name": "x"}, headers=bearer())
    assert answer.status_code == 503
    assert answer.get_json()["detail"] == "the listings service is not reachable; try again shortly"
    assert service.requests == ["POST"]


def test_a_read_the_service_is_slow_to_answer_is_not_sent_again(gateway):
    client, service = gateway(["stall"])
    assert client.get("/api/v1/parks", headers=bearer()).status_code == 503
    assert service.requests == ["GET"]
