"""Languages of the console: Chinese first, English by a switch; one Babel catalog (domain) per area."""
from __future__ import annotations

from pathlib import Path

from flask import session

TRANSLATIONS = Path(__file__).parent / "translations"
# One catalog per area of the console, so each area's strings live beside its pages.
DOMAINS = ("console", "park", "ledger", "listings", "exchanges", "webhooks", "admin")
LANGUAGES = {"zh_CN": "中文", "en": "English"}
DEFAULT_LANGUAGE = "zh_CN"


def current_language() -> str:
    language = session.get("lang")
    return language if language in LANGUAGES else DEFAULT_LANGUAGE


def babel_config() -> dict:
    return {
        "BABEL_DEFAULT_LOCALE": DEFAULT_LANGUAGE,
        "BABEL_TRANSLATION_DIRECTORIES": ";".join([str(TRANSLATIONS)] * len(DOMAINS)),
        "BABEL_DOMAIN": ";".join(DOMAINS),
    }
