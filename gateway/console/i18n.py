"""Languages of the console: Chinese first, English by a switch; one Babel catalog (domain) per area."""

from __future__ import annotations

from pathlib import Path

from babel.support import Translations
from flask import has_request_context, session
from flask_babel import Babel, Domain

TRANSLATIONS = Path(__file__).parent / "translations"
# One catalog per area of the console, so each area's strings live beside its pages.
DOMAINS = (
    "console",
    "park",
    "plans",
    "ledger",
    "listings",
    "exchanges",
    "webhooks",
    "admin",
    "audit",
    "targets",
    "submissions",
    "province",
)
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


class Catalogs(Domain):
    """Every area's catalog, for the current language, filed and loaded as zh_CN.

    Flask-Babel would look them up by the parsed locale's name: `Locale.parse("zh_CN")` is zh_Hans_CN
    (babel adds the script), for which gettext searches zh_Hans_CN/ and zh/, never zh_CN/, so every
    page fell back to English."""

    def get_translations(self):
        language = current_language() if has_request_context() else DEFAULT_LANGUAGE
        if language not in self.cache:
            merged = Translations()
            for domain in DOMAINS:
                merged.merge(Translations.load(str(TRANSLATIONS), [language], domain))
            self.cache[language] = merged
        return self.cache[language]


class ConsoleBabel(Babel):
    domain_instance = Catalogs()
