"""The console's plain-Python parts: how numbers read, sessions, and the Chinese catalogs."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from babel.support import Translations

from gateway.console.formatting import human_number, human_quantity, rounded
from gateway.console.i18n import DOMAINS, TRANSLATIONS
from gateway.console.security import content_security_policy
from gateway.domain.console_sessions import ConsoleSession, hash_token


@pytest.mark.parametrize(
    "value, shown",
    [
        ("2053.376470588235294117647058823530", "2,053"),
        ("740.6381531013469980069005798654809", "740.6"),
        ("221300", "221,300"),
        ("0.012345", "0.01234"),
        ("0E+1", "0"),
        ("1E+3", "1,000"),
        ("-23.86", "-23.86"),
        ("0.00000012345", "0.0000001234"),
        (12, "12"),
        (None, "—"),
        ("not a number", "—"),
    ],
)
def test_numbers_read_with_four_significant_digits_separators_and_no_exponent(value, shown):
    assert human_number(value, "en") == shown


def test_chinese_numbers_use_the_same_separators_and_units_read_as_people_write_them():
    assert human_number("1234567.891", "zh_CN") == "1,234,568"
    assert human_quantity("221300", "m3", "zh_CN") == "221,300 m³"
    assert human_quantity(None, "t", "zh_CN") == "—"


def test_rounding_never_drops_integer_digits():
    assert rounded("987654.321") == Decimal("987654")
    assert rounded("9.87654") == Decimal("9.877")


def test_a_session_expires_at_its_end_and_stores_only_the_tokens_hash():
    now = datetime(2026, 11, 29, 12, tzinfo=UTC)
    session, token = ConsoleSession.start("key-1", timedelta(hours=8), now=now)
    assert session.token_hash == hash_token(token) and token not in session.token_hash
    assert not session.expired(now + timedelta(hours=7, minutes=59))
    assert session.expired(now + timedelta(hours=8))


def test_the_content_security_policy_allows_only_our_origin_and_a_configured_tile_server():
    assert "img-src 'self' data:;" in content_security_policy(None)
    assert "img-src 'self' data: https://tiles.example.cn;" in content_security_policy(
        "https://tiles.example.cn/{z}/{x}/{y}.png"
    )
    assert "script-src 'self';" in content_security_policy("https://tiles.example.cn/{z}/{x}/{y}.png")


@pytest.mark.parametrize("domain", DOMAINS)
def test_every_console_string_has_its_chinese_and_the_compiled_catalog_matches(domain):
    po = TRANSLATIONS / "zh_CN" / "LC_MESSAGES" / f"{domain}.po"
    if not po.exists():
        pytest.skip(f"no strings in the {domain} area yet")
    with po.open("rb") as fh:
        catalog = read_po(fh, locale="zh_CN", domain=domain)
    untranslated = [m.id for m in catalog if m.id and not m.string]
    assert not untranslated, f"{domain}.po lacks Chinese for: {untranslated}"
    compiled = Translations.load(str(TRANSLATIONS), ["zh_CN"], domain)
    stale = [m.id for m in catalog if m.id and isinstance(m.id, str) and compiled.gettext(m.id) != m.string]
    assert not stale, f"{domain}.mo is older than {domain}.po (run translations/catalogs.sh): {stale[:5]}"


def test_every_string_marked_in_the_console_code_is_in_a_catalog(tmp_path):
    """A string wrapped in _() but never extracted would show in English on a Chinese page."""
    console = Path(__file__).resolve().parents[3] / "gateway" / "console"
    pot = tmp_path / "all.pot"
    subprocess.run(
        [
            str(Path(__import__("sys").executable).parent / "pybabel"),
            "-q",
            "extract",
            "--no-location",
            "-F",
            str(TRANSLATIONS / "babel.cfg"),
            "-k",
            "_l",
            "-o",
            str(pot),
            str(console),
        ],
        check=True,
        cwd=console,
    )
    with pot.open("rb") as fh:
        marked = {m.id for m in read_po(fh) if m.id and isinstance(m.id, str)}
    known = set()
    for domain in DOMAINS:
        po = TRANSLATIONS / "zh_CN" / "LC_MESSAGES" / f"{domain}.po"
        if po.exists():
            with po.open("rb") as fh:
                known |= {m.id for m in read_po(fh) if m.id and isinstance(m.id, str)}
    assert not sorted(marked - known), f"marked for translation but in no catalog: {sorted(marked - known)[:20]}"


def test_one_english_text_has_one_chinese_across_every_area():
    """Babel merges the areas' catalogs into one, so a text translated two ways would read one way everywhere."""
    seen: dict[str, dict[str, str]] = {}
    for domain in DOMAINS:
        po = TRANSLATIONS / "zh_CN" / "LC_MESSAGES" / f"{domain}.po"
        if po.exists():
            with po.open("rb") as fh:
                for message in read_po(fh, locale="zh_CN", domain=domain):
                    if message.id and message.string and isinstance(message.id, str):
                        seen.setdefault(message.id, {})[domain] = message.string
    clashes = {text: ways for text, ways in seen.items() if len(set(ways.values())) > 1}
    assert not clashes, f"the same English text has different Chinese in different areas: {clashes}"
