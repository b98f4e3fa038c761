"""The admin pages' plain-Python parts: numbers typed into forms, what each form sends, names people read."""
from __future__ import annotations

from flask import Flask, session
from flask_babel import gettext

from gateway.console.i18n import ConsoleBabel, babel_config, current_language


def test_pages_read_in_chinese_by_default_and_in_english_by_the_switch():
    """zh_CN parses to zh_Hans_CN, which gettext never finds under zh_CN/: every page was in English."""
    app = Flask(__name__)
    app.secret_key = "test"
    app.config.update(babel_config())
    ConsoleBabel(app, locale_selector=current_language)
    with app.test_request_context():
        assert (gettext("Sign out"), gettext("Jiangsu")) == ("退出登录", "江苏省")  # console and admin catalogs
    with app.test_request_context():
        session["lang"] = "en"
        assert gettext("Sign out") == "Sign out"
