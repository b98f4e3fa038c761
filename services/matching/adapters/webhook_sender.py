"""One webhook attempt over HTTP: sign, check the target, POST, record what happened.

The body is serialised once and those exact bytes are signed and sent. Before every attempt
the URL is resolved and judged again (DNS can change after subscribing), and the request is
sent to an address that was just judged, not to the host name: a second lookup by the HTTP
client could return another answer (DNS rebinding, TTL 0) and reach our own network. For
https the TLS handshake still uses the host name (SNI and certificate check) through
`PinnedTLSAdapter`. Redirects are never followed (a Location header could point inside).

Network trouble never raises; it becomes the attempt's `error`, to be classified by
`domain.webhooks.retry.outcome`. Caller mistakes (bad secret, id, event type, payload) raise.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from http.cookiejar import DefaultCookiePolicy
from typing import Any

import requests
import urllib3
from requests.adapters import HTTPAdapter

from services.matching.domain.webhooks import message, signing
from services.matching.domain.webhooks.targets import Resolver, resolve_target

USER_AGENT = "ParkLoop-Webhooks/1"
MAX_RESPONSE_BYTES = 4096  # enough to show a receiver's error message, no more
MAX_ERROR_CHARS = 500


@dataclass(frozen=True)
class Attempt:
    status_code: int | None  # None when no HTTP answer came back
    latency_ms: int
    error: str | None  # "refused target: ...", "timeout: ...", "tls: ...", "connection: ...", "request: ..."
    retry_after: str | None  # the raw Retry-After header, for RetryPolicy.next_attempt
    response_excerpt: str  # the first MAX_RESPONSE_BYTES of the body, for the delivery log


class PinnedTLSAdapter(HTTPAdapter):
    """For a request sent to an IP address with a `Host` header, do TLS as that host: SNI and
    certificate verification use the name the subscriber gave, the TCP connection the address
    we checked. Uses requests' documented subclass hook; pools are keyed by the name too."""

    def build_connection_pool_key_attributes(self, request, verify, cert=None):
        host_params, pool_kwargs = super().build_connection_pool_key_attributes(request, verify, cert)
        host_header = request.headers.get("Host")
        if host_params.get("scheme") == "https" and host_header:
            pool_kwargs["server_hostname"] = _strip_port(host_header)
        return host_params, pool_kwargs


def make_session() -> requests.Session:
    """A session fit for calling strangers' URLs: no proxies or .netrc credentials from the
    environment (trust_env off), no cookies carried from one receiver to another, TLS pinning."""
    session = requests.Session()
    session.trust_env = False
    session.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))
    session.mount("https://", PinnedTLSAdapter())
    return session


class WebhookSender:
    """Makes single attempts; scheduling and bookkeeping belong to the caller. Not thread-safe
    (one requests.Session): use one sender per worker thread. A supplied `session` should come
    from `make_session()` (https needs its adapter)."""

    def __init__(
        self,
        timeout_s: float = 10,
        allow_private: bool = False,
        session: requests.Session | None = None,
        resolve: Resolver = socket.getaddrinfo,
        max_response_bytes: int = MAX_RESPONSE_BYTES,
    ):
        self.timeout_s = timeout_s
        self.allow_private = allow_private
        self.session = session if session is not None else make_session()
        self._resolve = resolve
        self._max_response_bytes = max_response_bytes

    def send(
        self,
        url: str,
        secrets: Iterable[str],
        msg_id: str,
        event_type: str,
        payload: Mapping[str, Any],
        now: datetime,
        occurred_at: datetime | None = None,
    ) -> Attempt:
        """POST one event to `url`. `now` stamps the attempt (`webhook-timestamp`); `occurred_at`
        (default `now`) is the event's own time in the body and stays the same across retries."""
        body = message.encode_body(event_type, payload, occurred_at or now)
        headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "Accept-Encoding": "identity",  # we read a capped excerpt; no decompression bombs
            **signing.headers(list(secrets), msg_id, message.unix_seconds(now), body),
        }
        started = time.monotonic()
        try:
            target = resolve_target(url, self._resolve, self.allow_private)
        except ValueError as refusal:
            return self._failed(started, f"refused target: {refusal}")
        address = target.addresses[0]
        netloc = f"[{address}]:{target.port}" if ":" in address else f"{address}:{target.port}"
        headers["Host"] = target.host_header
        try:
            response = self.session.post(
                f"{target.scheme}://{netloc}{target.path}",
                data=body,
                headers=headers,
                timeout=(self.timeout_s, self.timeout_s),
                allow_redirects=False,
                stream=True,
            )
        except requests.Timeout as error:
            return self._failed(started, f"timeout: {error}")
        except requests.exceptions.SSLError as error:
            return self._failed(started, f"tls: {error}")
        except requests.ConnectionError as error:
            return self._failed(started, f"connection: {error}")
        except requests.RequestException as error:
            return self._failed(started, f"request: {error}")
        with response:
            excerpt = self._read_excerpt(response, deadline=time.monotonic() + self.timeout_s)
        return Attempt(response.status_code, _ms_since(started), None, response.headers.get("Retry-After"), excerpt)

    def _read_excerpt(self, response: requests.Response, deadline: float) -> str:
        """At most `max_response_bytes`, and no reading past `deadline` (a receiver dribbling
        its body byte by byte must not hold a worker); a failure here keeps what was read: the
        status already says how the receiver answered."""
        chunks: list[bytes] = []
        remaining = self._max_response_bytes
        try:
            while remaining > 0 and time.monotonic() < deadline:
                chunk = response.raw.read1(remaining, decode_content=False)
                if not chunk:
                    break
                chunks.append(chunk)
                remaining -= len(chunk)
        except (urllib3.exceptions.HTTPError, requests.RequestException, OSError):
            pass
        return b"".join(chunks).decode("utf-8", errors="replace")

    @staticmethod
    def _failed(started: float, error: str) -> Attempt:
        return Attempt(None, _ms_since(started), error[:MAX_ERROR_CHARS], None, "")


def _ms_since(started: float) -> int:
    return round((time.monotonic() - started) * 1000)


def _strip_port(host_header: str) -> str:
    if host_header.startswith("["):
        return host_header[1 : host_header.index("]")]
    return host_header.rsplit(":", 1)[0] if ":" in host_header else host_header
