"""Signing in to the console: the session cookie, CSRF, CSP, sign-out, revocation, and role limits."""

from __future__ import annotations

import re

import requests

from tests.e2e.console.conftest import sign_in


def _form_session(system):
    session = requests.Session()
    page = session.get(f"{system.url}/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    return session, token


def test_signing_in_sets_a_signed_httponly_strict_cookie_without_the_key(page, system, demo):
    sign_in(page, system, demo["keys"]["park_manager"])
    cookies = {c["name"]: c for c in page.context.cookies()}
    cookie = cookies["parkloop_console"]
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    assert cookie["expires"] > 0, "the session cookie has an expiry"
    assert demo["keys"]["park_manager"] not in str(page.context.cookies())
    storage = page.evaluate("() => JSON.stringify({...localStorage}) + JSON.stringify({...sessionStorage})")
    assert demo["keys"]["park_manager"] not in storage


def test_console_pages_carry_a_strict_content_security_policy(system):
    response = requests.get(f"{system.url}/login")
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_a_wrong_key_is_refused_with_a_message(page, system):
    page.goto(f"{system.url}/login")
    page.fill("#api_key", "plk_not-a-key")
    page.locator("main form button[type=submit]").click()
    assert "/login" in page.url
    assert page.locator(".field-error").is_visible()


def test_a_state_change_without_the_csrf_token_is_refused(system, demo):
    session, token = _form_session(system)
    signed_in = session.post(f"{system.url}/login", data={"csrf_token": token, "api_key": demo["keys"]["park_manager"]})
    assert signed_in.url.endswith("/park/overview")
    refused = session.post(f"{system.url}/logout", data={})
    assert refused.status_code == 400
    assert session.get(f"{system.url}/park/overview", allow_redirects=False).status_code == 200, (
        "the refused sign-out changed nothing"
    )


def test_signing_out_ends_the_session_even_for_a_copied_cookie(system, demo):
    session, token = _form_session(system)
    session.post(f"{system.url}/login", data={"csrf_token": token, "api_key": demo["keys"]["park_manager"]})
    copied = dict(session.cookies)
    page = session.get(f"{system.url}/park/overview")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    session.post(f"{system.url}/logout", data={"csrf_token": token})
    replay = requests.get(f"{system.url}/park/overview", cookies=copied, allow_redirects=False)
    assert replay.status_code == 302 and "/login" in replay.headers["Location"]


def test_revoking_the_key_ends_its_console_session(system, admin, demo):
    issued = admin.post("keys", {"role": "park_manager", "label": "temporary", "park_id": demo["park_id"]}).json()
    session, token = _form_session(system)
    session.post(f"{system.url}/login", data={"csrf_token": token, "api_key": issued["key"]})
    assert session.get(f"{system.url}/park/overview", allow_redirects=False).status_code == 200
    assert admin.delete(f"keys/{issued['id']}").status_code == 204
    after = session.get(f"{system.url}/park/overview", allow_redirects=False)
    assert after.status_code == 302 and "/login" in after.headers["Location"]


def test_an_enterprise_cannot_open_park_manager_pages(system, demo):
    session, token = _form_session(system)
    session.post(f"{system.url}/login", data={"csrf_token": token, "api_key": demo["keys"]["cement"]})
    for path in ("/park/overview", "/park/flows", "/park/map", "/park/report", "/admin/keys"):
        assert session.get(f"{system.url}{path}", allow_redirects=False).status_code == 403, path


def test_the_sign_in_redirect_never_leaves_the_site(system, demo):
    session, token = _form_session(system)
    answer = session.post(
        f"{system.url}/login?next=//evil.example/x",
        data={"csrf_token": token, "api_key": demo["keys"]["park_manager"]},
        allow_redirects=False,
    )
    assert answer.headers["Location"] == "/"
