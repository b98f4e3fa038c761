"""The SSRF guard, with injected resolvers: every address a host resolves to is judged."""

from __future__ import annotations

import socket

import pytest

from services.matching.domain.webhooks.targets import check_target, resolve_target


def resolving_to(*addresses: str, calls: list | None = None):
    """A getaddrinfo stand-in answering `addresses` for any host, recording what it was asked."""

    def resolve(host, port, family=0, type=0, proto=0, flags=0):
        if calls is not None:
            calls.append((host, port))
        return [
            (
                socket.AF_INET6 if ":" in a else socket.AF_INET,
                socket.SOCK_STREAM,
                6,
                "",
                (a, port, 0, 0) if ":" in a else (a, port),
            )
            for a in addresses
        ]

    return resolve


def failing(*args, **kwargs):
    raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")


@pytest.mark.parametrize("address", ["8.8.8.8", "47.96.1.1", "2400:3200::1", "::ffff:8.8.8.8", "64:ff9b::808:808"])
def test_public_addresses_are_allowed(address):
    check_target("https://hooks.example.cn/parkloop", resolve=resolving_to(address))


REFUSED = [
    ("127.0.0.1", "loopback"),
    ("127.8.9.10", "loopback"),
    ("::1", "loopback"),
    ("10.1.2.3", "private address (RFC 1918)"),
    ("172.16.5.4", "private address (RFC 1918)"),
    ("172.31.255.255", "private address (RFC 1918)"),
    ("192.168.1.1", "private address (RFC 1918)"),
    ("fd12:3456::1", "unique local fc00::/7"),
    ("fec0::1", "site-local"),
    ("169.254.1.1", "link-local"),
    ("fe80::1", "link-local"),
    ("0.0.0.0", "unspecified"),
    ("0.1.2.3", "unspecified"),
    ("::", "unspecified"),
    ("224.0.0.1", "multicast"),
    ("ff02::1", "multicast"),
    ("240.0.0.1", "reserved"),
    ("255.255.255.255", "reserved"),
    ("100.64.0.1", "carrier-grade NAT address (100.64.0.0/10)"),
    ("100.127.255.254", "carrier-grade NAT address (100.64.0.0/10)"),
    ("169.254.169.254", "cloud metadata"),
    ("fd00:ec2::254", "cloud metadata"),
    ("100.100.100.200", "cloud metadata"),
    ("192.0.2.10", "not globally routable"),
    ("198.18.0.1", "not globally routable"),
    ("2001:db8::1", "not globally routable"),
    # IPv6 forms that lead to an IPv4 address are judged by that address
    ("::ffff:127.0.0.1", "loopback"),
    ("::ffff:10.0.0.1", "RFC 1918"),
    ("::ffff:169.254.169.254", "cloud metadata"),
    ("64:ff9b::a9fe:a9fe", "cloud metadata"),
    ("64:ff9b::a00:1", "RFC 1918"),
    ("2002:c0a8:101::1", "RFC 1918"),
    ("::7f00:1", "reserved"),
]


@pytest.mark.parametrize("address, range_name", REFUSED)
def test_each_refused_range_is_refused_with_a_message_naming_it(address, range_name):
    with pytest.raises(ValueError, match="refused") as refused:
        check_target("https://hooks.example.cn/", resolve=resolving_to(address))
    assert range_name in str(refused.value)
    assert "hooks.example.cn" in str(refused.value)


def test_every_address_is_checked_not_just_the_first():
    with pytest.raises(ValueError, match="10.0.0.7, a private address"):
        check_target("https://hooks.example.cn/", resolve=resolving_to("8.8.8.8", "2400:3200::1", "10.0.0.7"))


@pytest.mark.parametrize("address", ["127.0.0.1", "::1", "10.0.0.1", "192.168.3.4", "fd12::1", "100.64.1.1"])
def test_allow_private_opens_loopback_and_private_networks(address):
    check_target("http://receiver:8080/hook", resolve=resolving_to(address), allow_private=True)


@pytest.mark.parametrize(
    "address, range_name",
    [
        ("169.254.169.254", "cloud metadata"),
        ("fd00:ec2::254", "cloud metadata"),
        ("100.100.100.200", "cloud metadata"),
        ("::ffff:169.254.169.254", "cloud metadata"),
        ("::ffff:100.100.100.200", "cloud metadata"),
        ("169.254.0.23", "link-local"),  # other clouds keep metadata elsewhere in link-local
        ("169.254.170.2", "link-local"),
        ("fe80::1", "link-local"),
        ("0.0.0.0", "unspecified"),
        ("224.0.0.251", "multicast"),
    ],
)
def test_allow_private_never_opens_metadata_link_local_unspecified_or_multicast(address, range_name):
    with pytest.raises(ValueError, match="even with allow_private") as refused:
        check_target("http://receiver/hook", resolve=resolving_to(address), allow_private=True)
    assert range_name in str(refused.value)


@pytest.mark.parametrize(
    "url",
    [
        "http://2130706433/",
        "http://0x7f000001/",
        "http://0177.0.0.1/",
        "http://127.1/",
        "http://[::ffff:127.0.0.1]/",
        "http://[::1]:8080/",
    ],
)
def test_numeric_host_spellings_are_judged_after_real_resolution(url):
    # The system resolver parses these numeric forms itself; no DNS query leaves the machine.
    with pytest.raises(ValueError, match="loopback"):
        check_target(url)


@pytest.mark.parametrize(
    "url, message",
    [
        ("ftp://hooks.example.cn/", "http or https"),
        ("file:///etc/passwd", "http or https"),
        ("gopher://hooks.example.cn/", "http or https"),
        ("hooks.example.cn/path", "http or https"),
        ("http:///path-only", "needs a host"),
        ("https://user:secret@hooks.example.cn/", "user info"),
        ("https://user@hooks.example.cn/", "user info"),
        ("https://hooks.example.cn@127.0.0.1/", "user info"),
        ("http://hooks.example.cn\\@127.0.0.1/", "backslashes"),
        ("http://hooks.example.cn /", "spaces"),
        ("http://hooks.example.cn/\r\nX: y", "control characters"),
        ("http://hooks.example.cn:99999/", "invalid port"),
        ("http://hooks.example.cn:0/", "invalid port"),
        ("http://hooks.example.cn:http/", "invalid port"),
        ("http://" + "a" * 2050 + ".cn/", "at most 2048"),
        ("", "non-empty"),
    ],
)
def test_malformed_urls_are_refused_before_any_lookup(url, message):
    calls: list = []
    with pytest.raises(ValueError, match=message):
        check_target(url, resolve=resolving_to("8.8.8.8", calls=calls))
    assert calls == []


def test_unresolvable_hosts_are_refused():
    with pytest.raises(ValueError, match="does not resolve"):
        check_target("https://nowhere.example.cn/", resolve=failing)
    with pytest.raises(ValueError, match="no address"):
        check_target("https://nowhere.example.cn/", resolve=resolving_to())


def test_resolution_uses_the_ascii_host_and_the_urls_port():
    calls: list = []
    target = resolve_target(
        "https://例子.中国:8443/hooks?src=parkloop#frag", resolve=resolving_to("8.8.8.8", calls=calls)
    )
    assert calls == [("xn--fsqu00a.xn--fiqs8s", 8443)]
    assert target.host == "xn--fsqu00a.xn--fiqs8s" and target.port == 8443
    assert target.path == "/hooks?src=parkloop" and target.addresses == ("8.8.8.8",)
    assert target.host_header == "xn--fsqu00a.xn--fiqs8s:8443"


def test_default_ports_and_host_headers():
    public = resolving_to("2400:3200::1", "8.8.8.8", "8.8.8.8")
    https = resolve_target("HTTPS://Hooks.Example.CN", resolve=public)
    assert (https.scheme, https.port, https.path, https.host_header) == ("https", 443, "/", "hooks.example.cn")
    assert https.addresses == ("2400:3200::1", "8.8.8.8")  # resolver order kept, duplicates dropped
    v6 = resolve_target("http://[2400:3200::1]:8080/x", resolve=public)
    assert v6.host == "2400:3200::1" and v6.host_header == "[2400:3200::1]:8080"
