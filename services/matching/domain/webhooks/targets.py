"""SSRF guard: a subscriber-supplied webhook URL must not make our servers call into our own
network or the cloud's instance-metadata service (which hands out credentials).

The host is resolved and EVERY address is judged, IPv4 and IPv6 alike, so one private record
among public ones is refused. Judging resolved addresses, not the text of the URL, is what
handles 2130706433, 0x7f000001, 0177.0.0.1, 127.1 and the like: the resolver turns them into
127.0.0.1 first. IPv6 addresses that carry an IPv4 address (::ffff:a.b.c.d, NAT64 64:ff9b::/96,
6to4 2002::/16) are judged by the IPv4 address they lead to.

`allow_private=True` is an operator setting for test receivers on loopback or a LAN. It never
opens metadata addresses, nor link-local (where most clouds keep metadata: AWS, GCP, Azure,
Huawei, ECS task metadata), multicast or unspecified addresses, none of which a receiver needs.

DNS can change between subscribing and sending, so the sender calls `resolve_target` again
before every attempt and connects to an address it returns (see adapters/webhook_sender.py).
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv6Address, ip_address, ip_network
from urllib.parse import urlsplit

IPAddress = IPv4Address | IPv6Address
Resolver = Callable[..., list]  # the shape of socket.getaddrinfo

MAX_URL_LENGTH = 2048
METADATA_ADDRESSES = frozenset(
    ip_address(a)
    for a in (
        "169.254.169.254",  # AWS, GCP, Azure, Huawei, Baidu, OpenStack
        "fd00:ec2::254",  # AWS over IPv6
        "100.100.100.200",  # Alibaba Cloud (inside 100.64/10, so allow_private alone would open it)
    )
)
_CGNAT = ip_network("100.64.0.0/10")
_RFC1918 = tuple(ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"))
_UNIQUE_LOCAL = ip_network("fc00::/7")
_NAT64 = ip_network("64:ff9b::/96")
_THIS_NETWORK = ip_network("0.0.0.0/8")


@dataclass(frozen=True)
class Target:
    """A checked URL: where to connect (`addresses`, all allowed) and what to ask for there."""

    scheme: str
    host: str  # ASCII (IDNA) host name or IP literal, without brackets
    port: int
    path: str  # path and query, never empty
    addresses: tuple[str, ...]

    @property
    def host_header(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == {"http": 80, "https": 443}[self.scheme] else f"{host}:{self.port}"


def check_target(url: str, resolve: Resolver = socket.getaddrinfo, allow_private: bool = False) -> None:
    """Raise ValueError, saying why, unless `url` may receive webhooks."""
    resolve_target(url, resolve, allow_private)


def resolve_target(url: str, resolve: Resolver = socket.getaddrinfo, allow_private: bool = False) -> Target:
    """Parse, resolve and judge `url`; the addresses returned are the only ones to connect to."""
    scheme, host, port, path = _parse(url)
    try:
        infos = resolve(host, port, 0, socket.SOCK_STREAM)
    except (OSError, UnicodeError) as error:
        raise ValueError(f"webhook URL host {host!r} does not resolve ({error})") from error
    addresses = list(dict.fromkeys(ip_address(info[4][0]) for info in infos))
    if not addresses:
        raise ValueError(f"webhook URL host {host!r} resolves to no address")
    for address in addresses:
        refusal = refusal_reason(address, allow_private)
        if refusal:
            raise ValueError(f"webhook URL host {host!r} resolves to {address}, {refusal}; refused")
    return Target(scheme, host, port, path, tuple(str(a) for a in addresses))


def refusal_reason(address: IPAddress, allow_private: bool = False) -> str | None:
    """Why a connection to `address` is refused (naming the range), or None when it is allowed."""
    inner = _embedded_ipv4(address) or address
    if address in METADATA_ADDRESSES or inner in METADATA_ADDRESSES:
        return "a cloud metadata address (refused even with allow_private)"
    always = (
        ("an unspecified address", inner.is_unspecified or inner in _THIS_NETWORK),
        ("a link-local address (169.254.0.0/16, fe80::/10)", inner.is_link_local),
        ("a multicast address", inner.is_multicast),
    )
    for name, hit in always:
        if hit:
            return f"{name} (refused even with allow_private)"
    if allow_private:
        return None
    private = (
        ("a loopback address", inner.is_loopback),
        ("a carrier-grade NAT address (100.64.0.0/10)", inner in _CGNAT),
        ("a private address (RFC 1918)", any(inner in n for n in _RFC1918)),
        ("a private address (unique local fc00::/7)", inner in _UNIQUE_LOCAL),
        ("a private address (site-local fec0::/10)", getattr(inner, "is_site_local", False)),
        ("a reserved address", inner.is_reserved),
        ("an address that is not globally routable", not inner.is_global),
    )
    return next((name for name, hit in private if hit), None)


def _embedded_ipv4(address: IPAddress) -> IPv4Address | None:
    if not isinstance(address, IPv6Address):
        return None
    if address in _NAT64:
        return IPv4Address(int(address) & 0xFFFFFFFF)
    return address.ipv4_mapped or address.sixtofour


def _parse(url: str) -> tuple[str, str, int, str]:
    if not isinstance(url, str) or not url:
        raise ValueError("a webhook URL is a non-empty string")
    if len(url) > MAX_URL_LENGTH:
        raise ValueError(f"a webhook URL has at most {MAX_URL_LENGTH} characters")
    # Backslashes, spaces and control characters are parsed differently by different URL
    # parsers, the classic way to make a guard and an HTTP client disagree on the host.
    if any(c == "\\" or c.isspace() or ord(c) < 0x20 or ord(c) == 0x7F for c in url):
        raise ValueError("a webhook URL may not contain spaces, control characters or backslashes")
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise ValueError(f"a webhook URL is http or https, not {parts.scheme or 'schemeless'!r}")
    if "@" in parts.netloc:
        raise ValueError("a webhook URL may not carry user info (user:password@); use the signature instead")
    if not parts.hostname:
        raise ValueError("a webhook URL needs a host")
    try:
        port = parts.port
    except ValueError as error:
        raise ValueError(f"a webhook URL has an invalid port ({error})") from error
    if port == 0:
        raise ValueError("a webhook URL has an invalid port (0)")
    port = port or (443 if scheme == "https" else 80)
    try:
        ip_address(parts.hostname)
        host = parts.hostname
    except ValueError:
        try:
            host = parts.hostname.encode("idna").decode("ascii")  # e.g. 例子.中国 -> xn--...
        except UnicodeError as error:
            raise ValueError(f"a webhook URL host {parts.hostname!r} is not a valid host name") from error
    if "%" in host:
        raise ValueError("a webhook URL may not name an IPv6 zone")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return scheme, host, port, path
