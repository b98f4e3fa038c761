"""Ledger audit: entries with filters and downloads; one entry with its in-browser verification.

Every page reads the ledger API as the signed-in key (admins: every entry; park managers: their
park's; enterprises: their own exchanges'), so the API alone decides what each one sees. The
helpers at the top are plain Python over the API's answers (tests/unit/gateway/test_console_ledger.py);
the views below only fetch and render. The verdict on an entry is never asked of the server: the
entry page's script (static/console/js/ledger-page.js) checks the evidence itself in the browser.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import OrderedDict
from datetime import datetime
from decimal import Decimal, InvalidOperation

from flask import Blueprint, Response, g, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from gateway.console import enterprises
from gateway.console.api_client import ApiProblem
from gateway.console.api_text import api_text
from gateway.console.auth import api, login_required
from gateway.console.formatting import CHINA, china_date, in_china

bp = Blueprint("console_ledger", __name__, url_prefix="/ledger")

FIRST_YEAR = 2021  # the 1004 notice (发改办环资〔2021〕1004号)
PAGE_SIZE = 25
API_PAGE = 200  # the API's largest page
KINDS = ("material", "heat", "water")
CODE = re.compile(r"^[0-9A-Z-]{1,16}$")

# --- words ---------------------------------------------------------------------------------

INDICATORS = OrderedDict(
    [
        ("solid_waste_utilised_t", _l("General solid waste utilised")),
        ("hazardous_waste_utilised_t", _l("Hazardous waste utilised")),
        ("energy_saved_tce", _l("Energy saved")),
        ("co2_reduced_t", _l("CO₂ reduced")),
        ("water_saved_m3", _l("Fresh water saved")),
        ("wastewater_avoided_m3", _l("Wastewater discharge avoided")),
    ]
)
EVIDENCE = OrderedDict(
    [
        ("weighbridge_ticket", _l("Weighbridge ticket")),
        ("manifest_number", _l("Hazardous waste transfer manifest")),
        ("meter_reading", _l("Meter reading")),
        ("period", _l("Metering period")),
    ]
)
SUBSTITUTES = {
    "virgin_material": _l("virgin material"),
    "boiler_heat": _l("heat from the receiver's own boiler"),
    "fresh_water": _l("fresh water"),
    "municipal_water": _l("municipal tap water"),
}
FUELS = {
    "coal": _l("coal"),
    "natural_gas": _l("natural gas"),
    "fuel_oil": _l("fuel oil"),
    "diesel": _l("diesel"),
    "electricity": _l("electricity"),
}
ENTRY_TYPES = {"ExchangeCompleted": _l("Exchange completed"), "Correction": _l("Correction")}


def reason_text(reason: str | None) -> str:
    """Why a value is unknown, in the reader's language where we know the sentence, else as written."""
    return api_text(reason) or _("no reason recorded")


# --- plain helpers over the API's answers ----------------------------------------------------


def read_checkpoint(text: str | None) -> dict | None:
    """Origin, size and root of a C2SP checkpoint, for display (the browser verifies it, not this)."""
    if not text:
        return None
    lines = text.split("\n")
    if len(lines) < 3 or not lines[1].isdigit():
        return None
    return {"origin": lines[0], "size": int(lines[1]), "root": lines[2], "text": text}


def china_time(iso: str | None) -> str:
    moment = in_china(iso)
    return moment.strftime("%Y-%m-%d %H:%M:%S") + " (UTC+8)" if moment else (iso or "")


def _decimal(text) -> Decimal | None:
    try:
        return Decimal(str(text))
    except (InvalidOperation, TypeError, ValueError):
        return None


def delivered(exchange: dict) -> list[tuple[Decimal, str]]:
    """What the deliveries add up to, per unit, in the order the units first appear."""
    totals: OrderedDict[str, Decimal] = OrderedDict()
    for delivery in exchange.get("deliveries", []):
        amount = _decimal(delivery.get("amount"))
        if amount is not None:
            totals[delivery["unit"]] = totals.get(delivery["unit"], Decimal(0)) + amount
    return [(amount, unit) for unit, amount in totals.items()]


def contribution_totals(entry: dict) -> list[dict]:
    """Each indicator of an entry summed over its deliveries: {name, unit, value, reasons}.

    `value` is None when any delivery's value is unknown (never a zero for "don't know"), and
    `reasons` then says why, once per distinct reason."""
    sums: OrderedDict[str, dict] = OrderedDict()
    for delivery in (entry.get("contribution") or {}).get("deliveries", []):
        for indicator in delivery.get("indicators", []):
            total = sums.setdefault(
                indicator["name"],
                {"name": indicator["name"], "unit": indicator.get("unit"), "value": Decimal(0), "reasons": []},
            )
            value = _decimal(indicator.get("value")) if indicator.get("value") is not None else None
            if value is None:
                total["value"] = None
                reason = indicator.get("unknown")
                if reason not in total["reasons"]:
                    total["reasons"].append(reason)
            elif total["value"] is not None:
                total["value"] += value
    order = list(INDICATORS)
    return sorted(sums.values(), key=lambda t: order.index(t["name"]) if t["name"] in order else len(order))


def brief(totals: list[dict]) -> dict:
    """An entry's contributions for a list row: the known totals, and the unknown ones grouped by reason."""
    known = [t for t in totals if t["value"] is not None]
    unknown: OrderedDict[str, list[str]] = OrderedDict()
    for total in totals:
        if total["value"] is None:
            reason = "; ".join(reason_text(r) for r in total["reasons"])
            unknown.setdefault(reason, []).append(indicator_label(total["name"]))
    return {"known": known, "unknown": list(unknown.items())}


def indicator_label(name: str) -> str:
    return str(INDICATORS.get(name, name))


def entry_row(item: dict) -> dict:
    """One row of the entry list, from an item of GET /ledger/entries."""
    entry = item["entry"]
    exchange = entry.get("exchange", {})
    return {
        "index": item["index"],
        "leaf_hash": item.get("leaf_hash"),
        "type": entry.get("type"),
        "corrects": entry.get("corrects"),
        "recorded_on": china_date(entry.get("recorded_at")),
        "kind": exchange.get("kind"),
        "code": exchange.get("waste_code"),
        "hazardous": exchange.get("hazardous"),
        "supplier": exchange.get("supplier", {}),
        "receiver": exchange.get("receiver", {}),
        "delivered": delivered(exchange),
        "agreed": (_decimal(exchange.get("agreed_amount")), exchange.get("agreed_unit")),
        "contributions": brief(contribution_totals(entry)),
    }


def api_filters(args, is_admin: bool, is_enterprise: bool) -> dict:
    """The list's query string as the API's filters; values the API would refuse are dropped, not sent."""
    chosen = {}
    year = (args.get("year") or "").strip()
    if year.isdigit() and 2000 <= int(year) <= 2100:
        chosen["year"] = int(year)
    kind = args.get("kind") or ""
    if kind in KINDS:
        chosen["kind"] = kind
    code = (args.get("code") or "").strip().upper()
    if CODE.match(code):
        chosen["code"] = code
    enterprise = (args.get("enterprise_id") or "").strip()
    if enterprise and not is_enterprise and len(enterprise) <= 36:  # an enterprise always sees its own only
        chosen["enterprise_id"] = enterprise
    park = (args.get("park_id") or "").strip()
    if park and is_admin and len(park) <= 36:
        chosen["park_id"] = park
    return chosen


def page_number(args) -> int:
    page = args.get("page", "1")
    return int(page) if page.isdigit() and 0 < int(page) < 10**6 else 1


def merge_csv(pages: list[str]) -> str:
    """CSV pages of one query as one document: the header once, then every page's rows in order."""
    header, rows = None, []
    for text in pages:
        lines = list(csv.reader(io.StringIO(text)))
        if not lines:
            continue
        header = header or lines[0]
        rows.extend(lines[1:])
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    if header:
        writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def download_name(filters: dict, extension: str) -> str:
    parts = ["ledger-entries"] + [f"{k.replace('_id', '')}-{str(v)[:8]}" for k, v in sorted(filters.items())]
    return "_".join(parts) + "." + extension


def short_id(identifier: str | None) -> str:
    return (identifier or "")[:8]


# --- reading ---------------------------------------------------------------------------------


def current_checkpoint() -> dict | None:
    """The ledger's signed checkpoint as the signed-in key reads it; None while the ledger is empty."""
    try:
        return read_checkpoint(api().call("GET", "ledger/checkpoint"))
    except ApiProblem as problem:
        if problem.status == 404:  # the ledger has no entries yet
            return None
        raise


def _own_park() -> dict:
    user = g.console_user
    return {} if user.is_admin else {"park_id": user.principal.park_id}


def _parks() -> dict[str, str]:
    if "ledger_parks" not in g:
        try:
            g.ledger_parks = {p["id"]: p["name"] for p in api().get("parks")["items"]}
        except ApiProblem as problem:
            if problem.status not in (403, 404):
                raise
            g.ledger_parks = {}
    return g.ledger_parks


def park_name(park_id: str | None) -> str:
    return _parks().get(park_id) or _("Park %(id)s (not visible to you)", id=short_id(park_id))


def _filter_options(filters: dict) -> dict:
    user = g.console_user
    this_year = datetime.now(CHINA).year
    options = {"years": list(range(this_year, FIRST_YEAR - 1, -1)), "kinds": KINDS, "enterprises": [], "parks": []}
    if not user.is_enterprise:
        listed = api().all_pages(
            "enterprises", **(_own_park() if not filters.get("park_id") else {"park_id": filters["park_id"]})
        )
        for enterprise in listed:
            enterprises.known().setdefault(enterprise["id"], enterprise)
        options["enterprises"] = sorted(((e["id"], e["name"]) for e in listed), key=lambda pair: pair[1])
    if user.is_admin:
        options["parks"] = sorted(_parks().items(), key=lambda pair: pair[1])
    return options


@bp.app_template_filter("ledger_reason")
def _reason_filter(reason):
    return reason_text(reason)


@bp.context_processor
def _helpers():
    return {
        "enterprise_name": enterprises.name,
        "park_name": park_name,
        "indicator_label": indicator_label,
        "short_id": short_id,
        "evidence_labels": EVIDENCE,
        "substitute_name": lambda c: str(SUBSTITUTES.get(c, c)),
        "fuel_name": lambda c: str(FUELS.get(c, c)),
        "entry_type_name": lambda t: str(ENTRY_TYPES.get(t, t)),
        "china_time": china_time,
        "china_date": china_date,
    }


# --- pages -----------------------------------------------------------------------------------


@bp.get("")
@login_required()
def entries():
    user = g.console_user
    filters = api_filters(request.args, user.is_admin, user.is_enterprise)
    page = page_number(request.args)
    answer = api().get("ledger/entries", page=page, page_size=PAGE_SIZE, **filters)
    rows = [entry_row(item) for item in answer["items"]]
    enterprises.look_up(
        {party["enterprise_id"] for row in rows for party in (row["supplier"], row["receiver"])}, _own_park()
    )
    return render_template(
        "console/ledger/entries.html",
        rows=rows,
        total=answer["total"],
        page=page,
        page_size=PAGE_SIZE,
        filters=filters,
        options=_filter_options(filters),
        checkpoint=current_checkpoint(),
        code_typed=request.args.get("code", ""),
    )


@bp.get("/entries.csv")
@login_required()
def entries_csv():
    """The API's entries.csv for the filtered set, every page of it, as one attachment."""
    user = g.console_user
    filters = api_filters(request.args, user.is_admin, user.is_enterprise)
    pages, page = [], 1
    while True:
        text = api().get("ledger/entries.csv", page=page, page_size=API_PAGE, **filters)
        pages.append(text)
        if len(list(csv.reader(io.StringIO(text)))) - 1 < API_PAGE:
            break
        page += 1
    return _attachment(merge_csv(pages), "text/csv; charset=utf-8", download_name(filters, "csv"))


@bp.get("/entries.json")
@login_required()
def entries_json():
    """The filtered set as the API lists it (each entry with its leaf hash), with the checkpoint and key
    they were served under."""
    user = g.console_user
    filters = api_filters(request.args, user.is_admin, user.is_enterprise)
    items = api().all_pages("ledger/entries", page_size=API_PAGE, **filters)
    checkpoint = current_checkpoint()
    body = {
        "filters": filters,
        "total": len(items),
        "items": items,
        "checkpoint": checkpoint["text"] if checkpoint else None,
        "public_key": api().call("GET", "ledger/public-key").strip(),
    }
    text = json.dumps(body, ensure_ascii=False, indent=2) + "\n"
    return _attachment(text, "application/json; charset=utf-8", download_name(filters, "json"))


def _attachment(text: str, mimetype: str, filename: str) -> Response:
    return Response(
        text.encode("utf-8"),
        headers={"Content-Type": mimetype, "Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.get("/<int:index>")
@login_required()
def entry(index: int):
    upstream = api().raw("GET", f"ledger/entries/{index}")
    if upstream.status_code == 404:
        raise ApiProblem(404, _("No ledger entry %(index)s that you may see.", index=index))
    if upstream.status_code >= 400:
        try:
            detail = upstream.json().get("detail")
        except ValueError:
            detail = None
        raise ApiProblem(upstream.status_code, detail or upstream.reason)
    leaf = upstream.content  # the exact bytes that were hashed into the tree
    data = json.loads(leaf)
    exchange = data.get("exchange", {})
    enterprises.look_up(
        {exchange.get("supplier", {}).get("enterprise_id"), exchange.get("receiver", {}).get("enterprise_id")},
        _own_park(),
    )
    indicators = {
        d.get("delivery_id"): d.get("indicators", []) for d in (data.get("contribution") or {}).get("deliveries", [])
    }
    verify = {
        "index": index,
        "api": url_for("console_auth.read_api", path="x")[:-1],
        "text": _verify_texts(),
    }
    return render_template(
        "console/ledger/entry.html",
        index=index,
        entry=data,
        exchange=exchange,
        leaf_text=leaf.decode("utf-8"),
        leaf_size=len(leaf),
        pretty=json.dumps(data, ensure_ascii=False, indent=2),
        totals=contribution_totals(data),
        indicators=indicators,
        verify=verify,
    )


def _verify_texts() -> dict:
    """The words ledger-page.js shows; `{name}` marks are filled in by the script."""
    return {
        "steps": {
            "verifier key": _("Verifier key"),
            "checkpoint signature": _("Checkpoint signature"),
            "inclusion proof": _("Inclusion proof"),
            "consistency proof": _("Consistency proof"),
        },
        "waiting": _("waiting"),
        "checking": _("checking…"),
        "passed": _("passed"),
        "failed": _("failed"),
        "not_run": _("not run"),
        "ok_key_pinned": _("Key {key}: its key hash checks out and it is the key this browser pinned for {origin}."),
        "ok_key_first": _(
            "Key {key}: its key hash checks out. First time this browser sees {origin}: "
            "the key is pinned once every check passes."
        ),
        "ok_checkpoint": _("The checkpoint of {origin} is signed by {key}: size {size}, root {root}."),
        "ok_inclusion": _(
            "Entry {index} (leaf hash {leaf}, computed here from the exact bytes) is included in the "
            "signed tree of size {size}, against root {root}."
        ),
        "ok_consistency_same": _("Same tree as this browser saw on {date}: size {size}, root {root}."),
        "ok_consistency_grew": _(
            "The signed tree of size {size} extends the tree of size {old_size} "
            "(root {old_root}) this browser saw on {date}: no entry seen then was changed "
            "or removed."
        ),
        "earlier_visit": _("an earlier visit"),
        "fail_intro": _("This step failed. What was checked, and what was expected and found:"),
        "first_visit": _(
            "This browser had not seen a checkpoint of {origin} before, so there was nothing to check "
            "consistency against. It now remembers size {size}; the next visit checks that the log "
            "only grew."
        ),
        "last_seen": _("This browser last saw size {size} on {date}; the consistency proof checks the log since."),
        "last_seen_unknown_date": _("This browser last saw size {size}; the consistency proof checks the log since."),
        "verdict_ok": _(
            "Verified in this browser: entry {index} is in the signed ledger, and the ledger "
            "is consistent with what this browser saw before."
        ),
        "verdict_ok_first": _("Verified in this browser: entry {index} is in the signed ledger."),
        "verdict_fail": _("Verification failed at: {step}. Do not rely on this entry until the operator explains it."),
        "error": _("The check could not run: {message}"),
        "running": _("Checking…"),
        "again": _("Verify again"),
    }
