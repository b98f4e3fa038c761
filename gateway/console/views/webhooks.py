"""An enterprise's webhook subscriptions: create (secret shown once), rotate, delete, the delivery log
and redelivery.

The `whsec_` signing secret comes from the API once, in the answer to the create or rotate call.
The console shows it on the page that follows the POST (post/redirect/get) and then never again:
between the two requests it rides in the session cookie sealed (Fernet, with a key derived from the
console's secret, for ten minutes at most), and the result page takes it out of the session, so a
reload or a copied cookie after that shows nothing."""

from __future__ import annotations

import base64
import hashlib
import time

from cryptography.fernet import Fernet, InvalidToken
from flask import Blueprint, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from gateway.console import exchange_forms as forms
from gateway.console.api_client import ApiProblem
from gateway.console.auth import api, login_required
from services.common.identity import Role

bp = Blueprint("console_webhooks", __name__, url_prefix="/webhooks")

SECRET_KEY = "webhook_secret"
SECRET_TTL_S = 600
PAGE_SIZE = 20
DELIVERY_STATUS = {"pending": _l("Pending"), "delivered": _l("Delivered"), "failed": _l("Failed")}
SECRET_PAGE = {"created": _l("Subscription created"), "rotated": _l("Secret rotated")}


def _sealer(app_secret: str | bytes) -> Fernet:
    raw = app_secret.encode() if isinstance(app_secret, str) else app_secret
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(b"parkloop-console-webhook-secret\0" + raw).digest()))


def seal_secret(app_secret, subscription_id: str, secret: str) -> str:
    return _sealer(app_secret).encrypt(f"{subscription_id}\n{secret}".encode()).decode()


def open_secret(
    app_secret, sealed: str | None, subscription_id: str, ttl_s: int = SECRET_TTL_S, now: float | None = None
) -> str | None:
    """The secret sealed for `subscription_id`, or None (none, another subscription's, expired, forged)."""
    if not sealed:
        return None
    try:
        plain = _sealer(app_secret).decrypt_at_time(sealed.encode(), ttl_s, int(time.time() if now is None else now))
        plain = plain.decode()
    except (InvalidToken, ValueError):
        return None
    sealed_for, _sep, secret = plain.partition("\n")
    return secret if sealed_for == subscription_id and secret else None


def _show_once(subscription: dict, how: str):
    session[SECRET_KEY] = {
        "sealed": seal_secret(current_app.secret_key, subscription["id"], subscription["secret"]),
        "how": how,
    }
    return redirect(url_for(".secret", subscription_id=subscription["id"]))


@bp.context_processor
def _helpers():
    return {
        "when": forms.local_time,
        "delivery_status_name": lambda s: str(DELIVERY_STATUS.get(s, s)),
        "short_id": forms.short_id,
    }


def _my_listings() -> dict[str, dict]:
    me = g.console_user.principal.enterprise_id
    if not me:
        return {}
    found = {}
    for side in ("offer", "want"):
        for listing in api().get(f"{side}s", enterprise_id=me, page_size=200)["items"]:
            found[listing["id"]] = {**listing, "side": side}
    return found


@bp.get("")
@login_required(Role.ENTERPRISE)
def index():
    subscriptions = api().get("webhooks")["items"]
    return render_template("console/webhooks/index.html", subscriptions=subscriptions, listings=_my_listings())


def _form_page(values: dict, problem: ApiProblem | None = None, status: int = 200):
    banner = problem
    if problem is not None and problem.errors:  # each field's message is beside it; on top, a sentence
        banner = ApiProblem(
            problem.status,
            _("The subscription was not created. Please correct the fields marked below."),
            problem.errors,
        )
    return render_template(
        "console/webhooks/new.html",
        values=values,
        listings=_my_listings(),
        errors=problem.errors if problem else {},
        problem=banner,
    ), status


@bp.get("/new")
@login_required(Role.ENTERPRISE)
def new():
    return _form_page({"min_score": "0.5", "listing_ids": []})


@bp.post("/new")
@login_required(Role.ENTERPRISE)
def create():
    values = {
        "url": request.form.get("url", "").strip(),
        "min_score": request.form.get("min_score", "").strip(),
        "listing_ids": request.form.getlist("listing_ids"),
    }
    body = {"url": values["url"]}
    if values["min_score"]:
        body["min_score"] = values["min_score"]
    if values["listing_ids"]:
        body["listing_ids"] = values["listing_ids"]
    try:
        created = api().post("webhooks", body)
    except ApiProblem as problem:
        if problem.status >= 500:
            raise
        return _form_page(values, problem, 422 if problem.status == 400 else problem.status)
    return _show_once(created, "created")


@bp.get("/<subscription_id>/secret")
@login_required(Role.ENTERPRISE)
def secret(subscription_id: str):
    subscription = api().get(f"webhooks/{subscription_id}")
    stash = session.pop(SECRET_KEY, None) or {}
    shown = open_secret(current_app.secret_key, stash.get("sealed"), subscription_id)
    how = stash.get("how") if shown else None
    return render_template(
        "console/webhooks/secret.html",
        subscription=subscription,
        secret=shown,
        heading=SECRET_PAGE.get(how or "", _l("Signing secret")),
    )


@bp.post("/<subscription_id>/rotate")
@login_required(Role.ENTERPRISE)
def rotate(subscription_id: str):
    try:
        rotated = api().post(f"webhooks/{subscription_id}/rotate-secret")
    except ApiProblem as problem:
        if problem.status in (400, 403, 409, 422):
            flash(problem.detail, "error")
            return redirect(url_for(".index"))
        raise
    return _show_once(rotated, "rotated")


@bp.post("/<subscription_id>/delete")
@login_required(Role.ENTERPRISE)
def delete(subscription_id: str):
    try:
        api().delete(f"webhooks/{subscription_id}")
    except ApiProblem as problem:
        if problem.status in (400, 403, 409, 422):
            flash(problem.detail, "error")
            return redirect(url_for(".index"))
        raise
    flash(_("The subscription is deleted: no more alerts go to that address."))
    return redirect(url_for(".index"))


@bp.get("/<subscription_id>")
@login_required(Role.ENTERPRISE)
def deliveries(subscription_id: str):
    subscription = api().get(f"webhooks/{subscription_id}")
    page = max(1, request.args.get("page", 1, type=int) or 1)
    log = api().get(f"webhooks/{subscription_id}/deliveries", page=page, page_size=PAGE_SIZE)
    return render_template(
        "console/webhooks/deliveries.html",
        subscription=subscription,
        log=log,
        page=page,
        page_size=PAGE_SIZE,
        listings=_my_listings(),
    )


@bp.post("/<subscription_id>/deliveries/<delivery_id>/redeliver")
@login_required(Role.ENTERPRISE)
def redeliver(subscription_id: str, delivery_id: str):
    try:
        api().post(f"webhooks/{subscription_id}/deliveries/{delivery_id}/redeliver")
    except ApiProblem as problem:
        if problem.status in (400, 403, 409, 422):
            flash(problem.detail, "error")
            return redirect(url_for(".deliveries", subscription_id=subscription_id))
        raise
    flash(_("The delivery is queued to be sent again now. Reload this page in a moment to see the new attempt."))
    return redirect(url_for(".deliveries", subscription_id=subscription_id, page=request.form.get("page") or None))
