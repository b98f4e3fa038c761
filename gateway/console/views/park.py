"""Park manager pages: overview, material flows, map, annual report.

Every figure comes from the API as the signed-in key (auth.api()): the annual report
(GET /parks/{id}/reports/{year}), the ledger entries of the year, the park's enterprises,
listings and exchanges. The helpers at the top are plain Python over the API's answers
(unit-tested in tests/unit/gateway/test_console_park.py); the views below only fetch and render.
"""

from __future__ import annotations

import re
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from decimal import Decimal, InvalidOperation

from flask import Blueprint, Response, g, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from gateway.console.api_client import ApiProblem
from gateway.console.api_text import api_text
from gateway.console.auth import api, login_required, park_in_view
from gateway.console.formatting import CHINA, china_date, human_number
from gateway.console.i18n import current_language
from gateway.console.labels import KINDS, STATUSES, province_name
from gateway.console.views.ledger import current_checkpoint
from services.common.identity import Role

bp = Blueprint("console_park", __name__, url_prefix="/park")

FIRST_YEAR = 2021  # the 1004 notice (发改办环资〔2021〕1004号)
TREND_YEARS = 5
LISTING_PAGE = 200  # the API's largest page
# Beside a diagram, a table of every pair reads well up to a hundred rows; the ledger's CSV has the rest.
FLOW_TABLE_ROWS = 100
STATUS_ORDER = ("proposed", "accepted", "delivering", "completed", "declined", "cancelled")
KIND_ORDER = ("material", "heat", "water")
UNIT_ORDER = ("t", "GJ", "MWh", "m3")

# --- words ---------------------------------------------------------------------------------

UNIT_NAMES = {
    "tce": _l("tce"),
    "t": _l("t"),
    "m3": _l("m³"),
    "%": "%",
    "GJ": "GJ",
    "MWh": "MWh",
    "tce/10k CNY": _l("tce/10k CNY"),
    "m3/10k CNY": _l("m³/10k CNY"),
}

# The 1004 notice's indicators, as the overview shows them: (section of the report, key, label).
INDICATORS = [
    ("indicators", "energy_saved_tce", _l("Energy saved")),
    ("indicators", "water_saved_m3", _l("Fresh water saved")),
    ("indicators", "co2_reduced_t", _l("CO₂ emissions reduced")),
    ("indicators", "solid_waste_utilised_t", _l("General industrial solid waste utilised")),
    ("indicators", "hazardous_waste_utilised_t", _l("Hazardous waste utilised")),
    ("rates", "solid_waste_utilisation_rate_pct", _l("Solid waste comprehensive utilisation rate")),
    ("indicators", "wastewater_avoided_m3", _l("Wastewater discharge avoided")),
    ("rates", "energy_per_gdp_tce_per_10k_cny", _l("Energy use per unit GDP")),
    ("rates", "water_per_gdp_m3_per_10k_cny", _l("Water use per unit GDP")),
]
AIR_POLLUTANTS = ("so2_reduced_t", "nox_reduced_t", "particulates_reduced_t")
AIR_LABEL = _l("Main air pollutants reduced (SO₂, NOx, particulates)")
AIR_REASON = _l("no emission factors recorded; not computed")
TREND = (
    "energy_saved_tce",
    "co2_reduced_t",
    "water_saved_m3",
    "solid_waste_utilised_t",
    "hazardous_waste_utilised_t",
    "solid_waste_utilisation_rate_pct",
)


def unit_name(unit: str | None) -> str:
    return str(UNIT_NAMES.get(unit or "", unit or ""))


# --- years ---------------------------------------------------------------------------------


def this_year(now: datetime | None = None) -> int:
    return (now or datetime.now(CHINA)).astimezone(CHINA).year


def chosen_year(raw: str | None, current: int) -> int:
    """`?year=`, or the current year when absent or not a year the API reports on (2000–2100)."""
    try:
        year = int(raw) if raw else current
    except ValueError:
        return current
    return year if 2000 <= year <= 2100 else current


def year_options(year: int, current: int) -> list[int]:
    """Every year from the notice's to this one, newest first, and the chosen year if it lies outside."""
    return sorted(set(range(min(FIRST_YEAR, current), current + 1)) | {year}, reverse=True)


# --- the report's indicators as cards -------------------------------------------------------


def _reasons(item: dict) -> list[str]:
    """Why (part of) an indicator was not computed: the rate's `unknown`, or each distinct delivery reason."""
    if item.get("unknown"):
        return [api_text(item["unknown"])]
    counted: dict[str, int] = {}
    for missing in item.get("not_computed") or []:
        reason = api_text(missing.get("reason"))
        counted[reason] = counted.get(reason, 0) + 1
    return [f"{reason} (×{n})" if n > 1 else reason for reason, n in counted.items()]


def indicator_cards(report: dict) -> list[dict]:
    """One card per indicator the 1004 notice names, in the notice's order; the air-pollutant card last.

    `value` is the API's value (a decimal string, rounded by the ledger) or None; `state` is
    `known`, `partial` (some deliveries not counted), `none` (no exchanges contributed: a true zero)
    or `unknown` (null: `reasons` say why)."""
    cards = []
    for section, key, label in INDICATORS:
        item = (report.get(section) or {}).get(key)
        if item is None:
            cards.append(
                {
                    "key": key,
                    "label": str(label),
                    "value": None,
                    "unit": "",
                    "state": "unknown",
                    "reasons": [_("the report does not give this indicator")],
                    "method": "",
                    "sources": [],
                    "assumptions": [],
                    "missing": 0,
                    "deliveries": None,
                }
            )
            continue
        missing = len(item.get("not_computed") or [])
        if item.get("value") is None:
            state = "unknown"
        elif missing or not item.get("complete", True):
            state = "partial"
        elif item.get("deliveries") == 0:
            state = "none"
        else:
            state = "known"
        cards.append(
            {
                "key": key,
                "label": str(label),
                "value": item.get("value"),
                "unit": item.get("unit", ""),
                "state": state,
                "reasons": _reasons(item),
                "method": api_text(item.get("method")),
                "sources": [api_text(s) for s in item.get("sources") or []],
                "assumptions": [api_text(a) for a in item.get("assumptions") or []],
                "missing": missing,
                "deliveries": item.get("deliveries"),
            }
        )
    air = [report.get("indicators", {}).get(k) for k in AIR_POLLUTANTS if report.get("indicators", {}).get(k)]
    if not air:
        cards.append(
            {
                "key": "air_pollutants_reduced_t",
                "label": str(AIR_LABEL),
                "value": None,
                "unit": "t",
                "state": "unknown",
                "reasons": [str(AIR_REASON)],
                "method": "",
                "sources": [],
                "assumptions": [],
                "missing": 0,
                "deliveries": None,
            }
        )
    return cards


def trend_series(reports: dict[int, dict], language: str) -> dict:
    """The main indicators per year for the trend chart: numbers for the bars, the `num` text for labels."""
    years = sorted(reports)
    series = []
    for key in TREND:
        section = "rates" if key.endswith("_pct") else "indicators"
        label = next(str(lbl) for _s, k, lbl in INDICATORS if k == key)
        points = []
        unit = ""
        for year in years:
            item = (reports[year].get(section) or {}).get(key) or {}
            unit = item.get("unit", unit)
            value = item.get("value")
            points.append(
                {
                    "value": None if value is None else float(Decimal(value)),
                    "text": human_number(value, language) if value is not None else _("unknown"),
                    "partial": bool(item.get("not_computed")),
                }
            )
        title = _("%(label)s (%(unit)s)", label=label, unit=unit_name(unit)) if unit else label
        series.append({"key": key, "label": label, "title": title, "unit": unit_name(unit), "points": points})
    return {"years": [str(y) for y in years], "series": series}


# --- ledger entries: what the year's figures rest on --------------------------------------


def counted_entries(entries: list[dict]) -> tuple[list[dict], dict]:
    """The entries the annual report counts, as the ledger decides (services/ledger/domain/entries.py and
    report.py): exchange entries no correction reversed, and of several entries for one exchange only the
    latest. Returns them by index, and what was left out (`reversed`, `replaced`, `corrections` indexes)."""
    corrections = [e for e in entries if e.get("type") == "Correction"]
    reversed_ = {e["corrects"] for e in corrections}
    in_force = [
        e
        for e in sorted(entries, key=lambda e: e["index"])
        if e.get("type") == "ExchangeCompleted" and e["index"] not in reversed_
    ]
    latest = {e["exchange"]["exchange_id"]: e for e in in_force}
    chosen = sorted(latest.values(), key=lambda e: e["index"])
    kept = {e["index"] for e in chosen}
    return chosen, {
        "reversed": sorted(reversed_),
        "corrections": sorted(e["index"] for e in corrections),
        "replaced": sorted(e["index"] for e in in_force if e["index"] not in kept),
    }


def indicator_entries(entries: list[dict]) -> dict[str, list[int]]:
    """For each indicator, the indexes of the entries that contribute a computed value to it; the utilisation
    rate rests on the solid waste utilised."""
    behind: dict[str, list[int]] = defaultdict(list)
    for entry in entries:
        for delivery in (entry.get("contribution") or {}).get("deliveries") or []:
            for indicator in delivery.get("indicators") or []:
                if indicator.get("value") is not None and entry["index"] not in behind[indicator["name"]]:
                    behind[indicator["name"]].append(entry["index"])
    behind["solid_waste_utilisation_rate_pct"] = list(behind.get("solid_waste_utilised_t", []))
    return dict(behind)


def _decimal(value) -> Decimal:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return Decimal(0)


def entry_amounts(entry: dict) -> dict[str, Decimal]:
    """What one entry's deliveries moved, summed per unit."""
    amounts: dict[str, Decimal] = defaultdict(Decimal)
    for d in entry["exchange"].get("deliveries") or []:
        amounts[d["unit"]] += _decimal(d["amount"])
    return dict(amounts)


def flow_links(entries: list[dict]) -> dict[str, list[dict]]:
    """Per unit, one link per supplier → receiver pair: the amount summed over the pair's counted entries,
    with the kinds, waste codes and number of exchanges behind it. `entries` are the counted ones."""
    pairs: dict[str, dict[tuple[str, str], dict]] = defaultdict(dict)
    for entry in entries:
        x = entry["exchange"]
        pair = (x["supplier"]["enterprise_id"], x["receiver"]["enterprise_id"])
        for unit, amount in entry_amounts(entry).items():
            link = pairs[unit].setdefault(
                pair,
                {
                    "source": pair[0],
                    "target": pair[1],
                    "amount": Decimal(0),
                    "kinds": [],
                    "codes": [],
                    "exchanges": [],
                    "indexes": [],
                },
            )
            link["amount"] += amount
            if x["kind"] not in link["kinds"]:
                link["kinds"].append(x["kind"])
            if x.get("waste_code") and x["waste_code"] not in link["codes"]:
                link["codes"].append(x["waste_code"])
            if x["exchange_id"] not in link["exchanges"]:
                link["exchanges"].append(x["exchange_id"])
            link["indexes"].append(entry["index"])
    ordered = sorted(pairs, key=lambda u: (UNIT_ORDER.index(u) if u in UNIT_ORDER else len(UNIT_ORDER), u))
    return {unit: sorted(pairs[unit].values(), key=lambda link: -link["amount"]) for unit in ordered}


def has_cycle(links: list[dict]) -> bool:
    """True when the links, read as supplier → receiver edges, form a cycle (a Sankey needs none)."""
    graph: dict[str, list[str]] = defaultdict(list)
    for link in links:
        graph[link["source"]].append(link["target"])
    state: dict[str, int] = {}

    def visit(node: str) -> bool:
        state[node] = 1
        for nxt in graph.get(node, []):
            if state.get(nxt) == 1 or (nxt not in state and visit(nxt)):
                return True
        state[node] = 2
        return False

    return any(node not in state and visit(node) for node in list(graph))


def sankey_data(unit: str, links: list[dict], names: dict[str, str], language: str) -> dict:
    """The Sankey of one unit for the page script. Node ids are enterprise ids; when the pairs form a
    cycle (A → B and B → A), suppliers and receivers are drawn as two columns so no link is lost."""
    two_columns = has_cycle(links)

    def node_id(enterprise: str, side: str) -> str:
        return f"{side}:{enterprise}" if two_columns else enterprise

    nodes: dict[str, dict] = {}
    out = []
    for link in links:
        source, target = node_id(link["source"], "s"), node_id(link["target"], "r")
        nodes.setdefault(source, {"name": source, "label": names.get(link["source"], link["source"])})
        nodes.setdefault(target, {"name": target, "label": names.get(link["target"], link["target"])})
        out.append(
            {
                "source": source,
                "target": target,
                "value": float(link["amount"]),
                "amount": f"{human_number(link['amount'], language)} {unit_name(unit)}",
                "kinds": [str(k) for k in link["kinds"]],
                "codes": link["codes"],
                "exchanges": len(link["exchanges"]),
                "supplier": names.get(link["source"], link["source"]),
                "receiver": names.get(link["target"], link["target"]),
            }
        )
    return {
        "unit": unit,
        "unit_name": unit_name(unit),
        "two_columns": two_columns,
        "nodes": list(nodes.values()),
        "links": out,
    }


def line_widths(links_by_unit: dict[str, list[dict]], thinnest: float = 2.0, thickest: float = 12.0) -> dict:
    """A line width per (unit, supplier, receiver), scaled within each unit (tonnes never against GJ)."""
    widths = {}
    for unit, links in links_by_unit.items():
        top = max((link["amount"] for link in links), default=Decimal(0))
        for link in links:
            share = float(link["amount"] / top) if top > 0 else 0.0
            widths[(unit, link["source"], link["target"])] = round(thinnest + (thickest - thinnest) * share, 2)
    return widths


# --- fetching ----------------------------------------------------------------------------------


def _context() -> dict:
    """What every park page needs: the park, the year, the choices of both, and the query to keep."""
    park_id = park_in_view()
    current = this_year()
    year = chosen_year(request.args.get("year"), current)
    park = api().get(f"parks/{park_id}")
    parks = api().get("parks")["items"] if g.console_user.is_admin else []
    keep = {"year": year, **({"park": park_id} if g.console_user.is_admin else {})}
    return {
        "park_id": park_id,
        "park": park,
        "province": province_name(park.get("province")),
        "year": year,
        "years": year_options(year, current),
        "parks": sorted(parks, key=lambda p: p["name"]),
        "keep": keep,
    }


def _report(park_id: str, year: int) -> dict:
    return api().get(f"parks/{park_id}/reports/{year}")


def _year_entries(park_id: str, year: int) -> list[dict]:
    """Every ledger entry of the park completed in `year` (the API scopes a manager to their park)."""
    return [item["entry"] for item in api().all_pages("ledger/entries", park_id=park_id, year=year)]


def _enterprise_names(
    park_id: str, also: set[str] = frozenset(), enterprises: list[dict] | None = None
) -> tuple[dict[str, str], list[dict]]:
    """Names of the park's enterprises (and of partners outside it that the key may read)."""
    if enterprises is None:
        enterprises = api().all_pages("enterprises", park_id=park_id)
    names = {e["id"]: e["name"] for e in enterprises}
    for missing in sorted(set(also) - set(names)):
        try:
            names[missing] = api().get(f"enterprises/{missing}")["name"]
        except ApiProblem:
            names[missing] = _("Enterprise outside the park (%(id)s…)", id=missing[:8])
    return names, enterprises


def _parties(entries: list[dict]) -> set[str]:
    return {e["exchange"][side]["enterprise_id"] for e in entries for side in ("supplier", "receiver")}


# --- pages -------------------------------------------------------------------------------------


@bp.get("/overview")
@login_required(Role.PARK_MANAGER)
def overview():
    page = _context()
    language = current_language()
    year = page["year"]
    reports = {y: _report(page["park_id"], y) for y in range(year - TREND_YEARS + 1, year + 1)}
    report = reports[year]
    chart = {
        "trend": trend_series(reports, language),
        "statuses": [
            {"status": s, "count": n, "label": _status_label(s)} for s, n in _pipeline(page["park_id"]).items()
        ],
        "labels": {"unknown": _("unknown"), "partial": _("some deliveries not counted"), "exchanges": _("Exchanges")},
    }
    return render_template(
        "console/park/overview.html",
        **page,
        report=report,
        cards=indicator_cards(report),
        chart=chart,
        unit_name=unit_name,
    )


def largest_first(links: list[dict]) -> list[dict]:
    return sorted(links, key=lambda link: Decimal(str(link["amount"])), reverse=True)


def _pipeline(park_id: str) -> dict[str, int]:
    """How many of the park's exchanges are in each status now: one count per status, not every exchange."""
    return {
        status: api().get("exchanges", status=status, park_id=park_id, page_size=1)["total"] for status in STATUS_ORDER
    }


def _status_label(status: str) -> str:
    return str(STATUSES.get(status, status))


@bp.get("/flows")
@login_required(Role.PARK_MANAGER)
def flows():
    page = _context()
    language = current_language()
    entries = _year_entries(page["park_id"], page["year"])
    counted, left_out = counted_entries(entries)
    names, _enterprises = _enterprise_names(page["park_id"], _parties(counted))
    links = flow_links(counted)
    diagrams = [
        {
            "sankey": sankey_data(unit, unit_links, names, language),
            "links": unit_links,
            "rows": largest_first(unit_links)[:FLOW_TABLE_ROWS],
        }
        for unit, unit_links in links.items()
    ]
    return render_template(
        "console/park/flows.html",
        **page,
        diagrams=diagrams,
        names=names,
        counted=counted,
        left_out=left_out,
        unit_name=unit_name,
    )


@bp.get("/map", endpoint="map")
@login_required(Role.PARK_MANAGER)
def park_map():
    page = _context()
    language = current_language()
    park_id = page["park_id"]
    client = api()
    # The entries and the enterprises, from two services, side by side. The open listings (thousands in a
    # large park) are not waited for: the page script loads them onto the drawn map (park-map.js).
    wanted = {
        "entries": lambda: client.all_pages("ledger/entries", park_id=park_id, year=page["year"]),
        "enterprises": lambda: client.all_pages("enterprises", park_id=park_id),
        **{side: _open_count(client, side, park_id) for side in ("offers", "wants")},
    }
    with ThreadPoolExecutor(len(wanted)) as pool:
        fetched = dict(zip(wanted, pool.map(lambda fetch: fetch(), wanted.values()), strict=True))
    counted, _left_out = counted_entries([item["entry"] for item in fetched["entries"]])
    names, enterprises = _enterprise_names(park_id, _parties(counted), fetched["enterprises"])
    located = {e["id"]: e for e in enterprises if (e.get("location") or {}).get("lat") is not None}
    links = flow_links(counted)
    widths = line_widths(links)
    flows_out = []
    for unit, unit_links in links.items():
        for link in unit_links:
            a, b = located.get(link["source"]), located.get(link["target"])
            if a is None or b is None:
                continue  # a partner outside the park has no coordinates the key may read
            flows_out.append(
                {
                    "from": [a["location"]["lat"], a["location"]["lon"]],
                    "to": [b["location"]["lat"], b["location"]["lon"]],
                    "kind": link["kinds"][0],
                    "width": widths[(unit, link["source"], link["target"])],
                    "supplier": names[link["source"]],
                    "receiver": names[link["target"]],
                    "amount": f"{human_number(link['amount'], language)} {unit_name(unit)}",
                    "exchanges": len(link["exchanges"]),
                }
            )
    centroid = page["park"].get("centroid") or {}
    data = {
        "enterprises": [
            {"id": e["id"], "name": e["name"], "lat": e["location"]["lat"], "lon": e["location"]["lon"]}
            for e in located.values()
        ],
        "flows": flows_out,
        "listings": {
            "api": url_for("console_auth.read_api", path=""),
            "sides": ["offers", "wants"],
            "params": {"park_id": park_id, "status": "active"},
            "page_size": LISTING_PAGE,
        },
        "centroid": [centroid["lat"], centroid["lon"]] if centroid.get("lat") is not None else None,
        "labels": {
            "offer": _("Offer"),
            "want": _("Want"),
            "enterprise": _("Enterprise"),
            "flow": _("Completed exchanges of the year (width: quantity, per unit)"),
            "exchanges": _("exchanges"),
            "kinds": {k: _kind_label(k) for k in KIND_ORDER},
            "offers_filled": _("Offers: filled circles"),
            "wants_hollow": _("Wants: hollow circles"),
            "loading": _("Loading open offers and wants…"),
            "load_failed": _("Open offers and wants could not be loaded; reload the page to try again."),
            "units": {unit: unit_name(unit) for unit in UNIT_NAMES} | {"MW": "MW", "m3/d": "m³/d"},
        },
    }
    return render_template(
        "console/park/map.html",
        **page,
        data=data,
        flow_count=len(flows_out),
        listing_count=fetched["offers"] + fetched["wants"],
    )


def _open_count(client, side: str, park_id: str):
    return lambda: client.get(side, park_id=park_id, status="active", page_size=1)["total"]


def _kind_label(kind: str) -> str:
    return str(KINDS.get(kind, kind))


@bp.get("/report")
@login_required(Role.PARK_MANAGER)
def report():
    page = _context()
    language = current_language()
    year = page["year"]
    annual = _report(page["park_id"], year)
    entries = _year_entries(page["park_id"], year)
    counted, left_out = counted_entries(entries)
    names, _enterprises = _enterprise_names(page["park_id"], _parties(entries))
    rows = []
    for entry in counted:
        x = entry["exchange"]
        amounts = entry_amounts(entry)
        rows.append(
            {
                "index": entry["index"],
                "supplier": names.get(x["supplier"]["enterprise_id"], ""),
                "receiver": names.get(x["receiver"]["enterprise_id"], ""),
                "kind": x["kind"],
                "code": x.get("waste_code") or "",
                "hazardous": x.get("hazardous"),
                "completed": china_date(x.get("completed_at")),
                "amounts": [f"{human_number(v, language)} {unit_name(u)}" for u, v in amounts.items()],
                "deliveries": len(x.get("deliveries") or []),
            }
        )
    checkpoint = current_checkpoint()
    generated = datetime.now(CHINA)
    return render_template(
        "console/park/report.html",
        **page,
        report=annual,
        cards=indicator_cards(annual),
        rows=rows,
        left_out=left_out,
        checkpoint=checkpoint,
        generated=generated,
        behind=indicator_entries(counted),
        entry_list=entry_list,
        unit_name=unit_name,
    )


def entry_list(indexes: list[int]) -> str:
    return ", ".join(f"#{i}" for i in indexes)


@bp.get("/report/download.<any(csv, json):fmt>")
@login_required(Role.PARK_MANAGER)
def report_download(fmt: str):
    """The API's report as it is, as a file: `?format=csv` or the JSON."""
    park_id = park_in_view()
    year = chosen_year(request.args.get("year"), this_year())
    upstream = api().raw("GET", f"parks/{park_id}/reports/{year}", params={"format": fmt})
    if upstream.status_code >= 400:
        raise problem_of(upstream)
    mimetype = "text/csv" if fmt == "csv" else "application/json"
    return Response(
        upstream.content,
        status=200,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{download_name(park_id, year, fmt)}"'},
    )


def problem_of(response) -> ApiProblem:
    try:
        body = response.json()
    except ValueError:
        body = {}
    return ApiProblem(
        response.status_code, body.get("detail") or body.get("title") or response.reason, body.get("errors") or {}
    )


def download_name(park_id: str, year: int, fmt: str) -> str:
    safe = re.sub(r"[^A-Za-z0-9_-]", "", park_id) or "park"
    return f"parkloop-report-{safe}-{year}.{fmt}"
