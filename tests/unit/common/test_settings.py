"""Every service setting is read from the environment by Settings.from_env, and nowhere else."""

from __future__ import annotations

import ast
from pathlib import Path

from services.common.config import GatewaySettings, LedgerSettings, MatchingSettings, Settings

ROOT = Path(__file__).resolve().parents[3]


def test_service_settings_come_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("PARKLOOP_DATA", str(tmp_path))
    for name, value in {
        "LEDGER_CONSUMER_GROUP": "ledger-blue",
        "MATCHING_INDEX_ALIAS": "alias-2",
        "MATCHING_DELTA_T_MIN_K": "15",
        "WEBHOOK_ALLOW_PRIVATE_TARGETS": "1",
        "WEBHOOK_RETRY_SCHEDULE": "0.5,1,2",
        "WEBHOOK_TIMEOUT_S": "3",
        "PARKLOOP_SECRET_KEY": "k",
        "LEDGER_SIGNING_KEY": "PRIVATE+KEY+x",
        "LEDGER_ORIGIN": "example.cn/log",
        "PARKLOOP_ADMIN_KEY": "plk_a",
        "CONSOLE_SESSION_HOURS": "2",
        "CONSOLE_SECURE_COOKIE": "1",
        "CONSOLE_TILE_URL": "https://tiles.example.cn/{z}/{x}/{y}.png",
        "PARKLOOP_RATE_LIMITS": "1",
        "AUTH_FAILURE_LIMIT": "5 per 10 minutes",
        "KEY_RATE_LIMIT": "50 per second",
        "RATELIMIT_STORAGE_URI": "redis://redis:6379",
        "PARKLOOP_PROXY_HOPS": "1",
    }.items():
        monkeypatch.setenv(name, value)

    ledger = Settings.from_env("ledger")

    assert ledger.group == "ledger-blue" and Settings.from_env("matching").group == "matching"
    assert ledger.matching == MatchingSettings("alias-2", 15.0, True, (0.5, 1.0, 2.0), 3.0, "k")
    assert ledger.ledger == LedgerSettings("PRIVATE+KEY+x", "example.cn/log")
    assert ledger.gateway == GatewaySettings(
        "plk_a",
        None,
        2.0,
        True,
        "https://tiles.example.cn/{z}/{x}/{y}.png",
        True,
        "5 per 10 minutes",
        "50 per second",
        "redis://redis:6379",
        1,
    )


def test_unset_settings_keep_their_documented_defaults(monkeypatch, tmp_path):
    monkeypatch.setenv("PARKLOOP_DATA", str(tmp_path))
    for name in (
        "MATCHING_INDEX_ALIAS",
        "MATCHING_DELTA_T_MIN_K",
        "WEBHOOK_ALLOW_PRIVATE_TARGETS",
        "WEBHOOK_RETRY_SCHEDULE",
        "WEBHOOK_TIMEOUT_S",
        "PARKLOOP_SECRET_KEY",
        "LEDGER_SIGNING_KEY",
        "LEDGER_ORIGIN",
        "LEDGER_CONSUMER_GROUP",
        "PARKLOOP_ADMIN_KEY",
        "PARKLOOP_CONSOLE_SECRET",
        "CONSOLE_SESSION_HOURS",
        "CONSOLE_SECURE_COOKIE",
        "CONSOLE_TILE_URL",
        "PARKLOOP_RATE_LIMITS",
        "AUTH_FAILURE_LIMIT",
        "KEY_RATE_LIMIT",
        "RATELIMIT_STORAGE_URI",
        "PARKLOOP_PROXY_HOPS",
    ):
        monkeypatch.delenv(name, raising=False)

    settings = Settings.from_env("ledger")

    assert settings.group == "ledger"
    assert settings.matching == MatchingSettings() == MatchingSettings("parkloop-listings", 10.0, False, None, 10.0)
    assert settings.ledger == LedgerSettings(None, "parkloop.local/ledger")
    assert settings.gateway == GatewaySettings(None, None, 8.0, False, None)
    throttling = settings.gateway
    assert (throttling.throttling, throttling.auth_failure_limit, throttling.key_rate_limit) == (
        True,
        "10 per minute",
        None,
    )
    assert (throttling.rate_limit_storage, throttling.proxy_hops) == ("memory://", 0)


def test_services_read_no_environment_variable_outside_the_settings():
    readers = []
    for package in ("services", "gateway"):
        for path in sorted((ROOT / package).rglob("*.py")):
            if path.name == "config.py" and path.parent.name == "common" or "console" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv"):
                    readers.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    # logging is configured for the process before any service's settings exist
    assert [reader.rsplit(":", 1)[0] for reader in readers] == ["services/common/logs.py"], readers
