"""The sender against a real HTTP receiver on 127.0.0.1 that verifies every request with the
official `standardwebhooks` library (401 when it does not verify), as a subscriber would."""

from __future__ import annotations

import datetime as dt
import json
import socket
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from services.matching.adapters.webhook_sender import USER_AGENT, WebhookSender
from services.matching.domain.webhooks.retry import Outcome, outcome
from services.matching.domain.webhooks.signing import new_secret

SECRET = new_secret()
TLS_NAME = "hooks.parkloop.test"  # not in any DNS: only our injected resolver knows it
PAYLOAD = {"listing_id": "L-42", "match_id": "M-7", "score": 0.91, "名称": "废矿物油"}


class Receiver(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        try:
            verified = Webhook(SECRET).verify(body, dict(self.headers.items()))
        except WebhookVerificationError:
            verified = None
        self.server.received.append(
            {"path": self.path, "headers": dict(self.headers.items()), "body": body, "verified": verified}
        )
        if verified is None:
            return self._answer(401, b"signature did not verify")
        if self.path == "/slow":
            time.sleep(1.5)
        answers = {
            "/ok": (200, b"thanks", {}),
            "/slow": (200, b"too late", {}),
            "/gone": (410, b"unsubscribed", {}),
            "/busy": (500, b"try later", {"Retry-After": "120"}),
            "/redirect": (302, b"", {"Location": "/ok"}),
            "/big": (200, b"x" * 1_000_000, {}),
            "/cookie": (200, b"", {"Set-Cookie": "session=abc; Path=/"}),
        }
        self._answer(*answers.get(self.path, (404, b"no such hook", {})))

    def _answer(self, status, body, headers=None):
        try:
            self.send_response(status)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except OSError:
            pass  # the sender hung up (timeout, capped read): expected in those tests

    def log_message(self, *args):
        pass


def serve(tls_context: ssl.SSLContext | None = None):
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    server.daemon_threads = True
    server.received = []
    if tls_context:
        server.socket = tls_context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server


@pytest.fixture(scope="module")
def receiver():
    server = serve()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def url(receiver):
    receiver.received.clear()
    return lambda path: f"http://127.0.0.1:{receiver.server_address[1]}{path}"


def send(sender, url, secrets=(SECRET,)):
    return sender.send(url, list(secrets), "msg_test_1", "match.found", PAYLOAD, dt.datetime.now(dt.UTC))


def resolving_to(address):
    return lambda host, port, *args, **kwargs: [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]


def test_200_is_delivered_and_verifies_with_the_official_library(receiver, url):
    attempt = send(WebhookSender(timeout_s=5, allow_private=True), url("/ok"))
    assert (attempt.status_code, attempt.error, attempt.response_excerpt) == (200, None, "thanks")
    assert outcome(attempt.status_code, attempt.error) is Outcome.DELIVERED
    assert 0 <= attempt.latency_ms < 5000
    [request] = receiver.received
    assert request["verified"]["type"] == "match.found" and request["verified"]["data"] == PAYLOAD
    assert request["verified"]["timestamp"].endswith("Z")
    assert request["headers"]["Content-Type"] == "application/json"
    assert request["headers"]["User-Agent"] == USER_AGENT
    assert request["headers"]["webhook-id"] == "msg_test_1"
    assert b" " not in request["body"].replace("废矿物油".encode(), b"")  # compact JSON, sent as signed
    assert json.loads(request["body"])["data"]["名称"] == "废矿物油"


def test_rotation_receiver_with_only_the_old_secret_still_verifies(receiver, url):
    attempt = send(WebhookSender(allow_private=True), url("/ok"), secrets=(new_secret(), SECRET))
    assert attempt.status_code == 200
    assert len(receiver.received[0]["headers"]["webhook-signature"].split(" ")) == 2


def test_wrong_secret_is_refused_by_the_receiver_and_retried(receiver, url):
    attempt = send(WebhookSender(allow_private=True), url("/ok"), secrets=(new_secret(),))
    assert attempt.status_code == 401 and receiver.received[0]["verified"] is None
    assert outcome(attempt.status_code, attempt.error) is Outcome.RETRY


def test_410_disables(url):
    attempt = send(WebhookSender(allow_private=True), url("/gone"))
    assert attempt.status_code == 410 and outcome(attempt.status_code, attempt.error) is Outcome.DISABLE


def test_500_with_retry_after_is_recorded_for_the_schedule(url):
    attempt = send(WebhookSender(allow_private=True), url("/busy"))
    assert (attempt.status_code, attempt.retry_after, attempt.response_excerpt) == (500, "120", "try later")
    assert outcome(attempt.status_code, attempt.error) is Outcome.RETRY


def test_redirect_is_recorded_not_followed(receiver, url):
    attempt = send(WebhookSender(allow_private=True), url("/redirect"))
    assert attempt.status_code == 302 and outcome(attempt.status_code, attempt.error) is Outcome.RETRY
    assert [r["path"] for r in receiver.received] == ["/redirect"]


def test_slow_receiver_times_out_without_raising(url):
    attempt = send(WebhookSender(timeout_s=0.3, allow_private=True), url("/slow"))
    assert attempt.status_code is None and attempt.error.startswith("timeout:")
    assert 300 <= attempt.latency_ms < 1500
    assert outcome(attempt.status_code, attempt.error) is Outcome.RETRY


def test_response_read_is_capped(url):
    attempt = send(WebhookSender(allow_private=True), url("/big"))
    assert attempt.status_code == 200 and attempt.response_excerpt == "x" * 4096


def test_no_cookies_or_environment_settings_carry_between_receivers(receiver, url, monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")  # would break the request if honoured
    sender = WebhookSender(allow_private=True)
    assert send(sender, url("/cookie")).status_code == 200
    assert send(sender, url("/ok")).status_code == 200
    assert "Cookie" not in receiver.received[1]["headers"]


def test_loopback_is_refused_without_allow_private_and_nothing_is_sent(receiver, url):
    attempt = send(WebhookSender(), url("/ok"))
    assert attempt.status_code is None and attempt.error.startswith("refused target:") and "loopback" in attempt.error
    assert receiver.received == []


def test_nothing_listening_is_a_connection_error(url):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    attempt = send(WebhookSender(allow_private=True), f"http://127.0.0.1:{closed_port}/ok")
    assert attempt.status_code is None and attempt.error.startswith("connection:")


def test_connects_to_the_checked_address_and_never_resolves_the_name_again(receiver, monkeypatch):
    asked = []
    real_getaddrinfo = socket.getaddrinfo
    monkeypatch.setattr(
        socket, "getaddrinfo", lambda host, *a, **k: asked.append(host) or real_getaddrinfo(host, *a, **k)
    )
    receiver.received.clear()
    port = receiver.server_address[1]
    sender = WebhookSender(allow_private=True, resolve=resolving_to("127.0.0.1"))
    attempt = send(sender, f"http://{TLS_NAME}:{port}/ok")
    assert attempt.status_code == 200
    assert receiver.received[0]["headers"]["Host"] == f"{TLS_NAME}:{port}"
    assert TLS_NAME not in asked  # the HTTP client only ever saw the checked address


# --- https: the TCP connection goes to the checked address, TLS still verifies the name ---


@pytest.fixture(scope="module")
def tls_receiver(tmp_path_factory):
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, TLS_NAME)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(TLS_NAME)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    directory = tmp_path_factory.mktemp("tls")
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_path, key_path)
    server = serve(context)
    yield server, str(cert_path)
    server.shutdown()
    server.server_close()


def tls_sender(ca_path):
    sender = WebhookSender(timeout_s=5, allow_private=True, resolve=resolving_to("127.0.0.1"))
    sender.session.verify = ca_path
    return sender


def test_https_to_the_checked_address_verifies_the_certificate_for_the_name(tls_receiver):
    server, ca_path = tls_receiver
    attempt = send(tls_sender(ca_path), f"https://{TLS_NAME}:{server.server_address[1]}/ok")
    assert (attempt.status_code, attempt.error) == (200, None)
    assert server.received[-1]["verified"]["data"] == PAYLOAD


def test_https_certificate_for_another_name_is_refused(tls_receiver):
    server, ca_path = tls_receiver
    attempt = send(tls_sender(ca_path), f"https://other.parkloop.test:{server.server_address[1]}/ok")
    assert attempt.status_code is None and attempt.error.startswith("tls:")
    assert "other.parkloop.test" in attempt.error or "hostname" in attempt.error.lower()
