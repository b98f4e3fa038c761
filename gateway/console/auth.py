"""Who is signed in to the console, and what each page requires of them.

The browser holds a signed, HttpOnly, SameSite=Strict cookie naming a server-side session;
the session names the API key's id, never the key. Every request re-reads the key, so a
revoked key or an expired or signed-out session is refused at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from functools import wraps

from flask import abort, current_app, g, redirect, request, session, url_for

from gateway.console.api_client import ConsoleApi, json_or_none
from gateway.domain.console_sessions import ConsoleSession, hash_token
from gateway.domain.keys import hash_key
from gateway.service_layer.audit import record_call
from services.common.identity import Principal, Role

SESSION_TOKEN = "sid"


def gateway():
    return current_app.extensions["parkloop.gateway"]


@dataclass(frozen=True)
class ConsoleUser:
    principal: Principal
    label: str

    @property
    def role(self) -> Role:
        return self.principal.role

    @property
    def is_admin(self) -> bool:
        return self.principal.role is Role.ADMIN

    @property
    def is_manager(self) -> bool:
        return self.principal.role is Role.PARK_MANAGER

    @property
    def is_enterprise(self) -> bool:
        return self.principal.role is Role.ENTERPRISE


def sign_in(secret: str) -> bool:
    """Start a session for a valid, unrevoked API key; False when the key is not one."""
    gw = gateway()
    key = gw.keys.by_hash(hash_key(secret.strip())) if secret.strip() else None
    if key is None or not key.active:
        return False
    console_session, token = ConsoleSession.start(key.id, timedelta(hours=gw.console.session_hours))
    gw.sessions.add(console_session)
    language = session.get("lang")
    session.clear()  # a fresh cookie (and CSRF token) for the new session: no fixation
    session.permanent = True
    session[SESSION_TOKEN] = token
    if language:
        session["lang"] = language
    return True


def sign_out() -> None:
    token = session.get(SESSION_TOKEN)
    if token:
        gateway().sessions.end(hash_token(token))
    language = session.get("lang")
    session.clear()
    if language:
        session["lang"] = language


def load_user() -> ConsoleUser | None:
    """The signed-in user of this request, or None (no session, expired, signed out, key revoked)."""
    token = session.get(SESSION_TOKEN)
    if not token:
        return None
    gw = gateway()
    console_session = gw.sessions.get(hash_token(token))
    if console_session is None or console_session.expired():
        return None
    key = gw.keys.get(console_session.key_id)
    if key is None or not key.active:
        gw.sessions.end(console_session.token_hash)
        return None
    return ConsoleUser(key.principal(), key.label)


def api() -> ConsoleApi:
    """The API as the signed-in user."""
    gw = gateway()
    principal = g.console_user.principal

    def audit(method: str, path: str, response) -> None:
        record_call(gw, principal, method, path, response.status_code, "console", lambda: json_or_none(response))

    return ConsoleApi(principal, gw.service_urls, gw.settings.internal_secret, audit)


def login_required(*roles: Role):
    """Signed in, and (when roles are given) holding one of them; an admin may open every page."""

    def decorate(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            user = g.get("console_user")
            if user is None:
                return redirect(url_for("console_auth.login", next=request.full_path.rstrip("?")))
            if roles and not user.is_admin and user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorate


def park_in_view() -> str:
    """The park a park page shows: a manager's or enterprise's own; for an admin, `?park=ID` or the first park."""
    user = g.console_user
    if not user.is_admin:
        return user.principal.park_id
    chosen = request.args.get("park")
    if chosen:
        return chosen
    parks = api().get("parks", page_size=1)["items"]
    if not parks:
        abort(404)
    return parks[0]["id"]
