"""The 1004 notice's annual report for one park and year, from the entries in force, with progress
against the park's implementation plan."""

from __future__ import annotations

from collections import OrderedDict
from threading import Lock

from services.common.errors import NotFound
from services.common.identity import Principal
from services.ledger.domain import access
from services.ledger.domain.access import EntryScope
from services.ledger.domain.entries import in_force, read_entry
from services.ledger.domain.plans import Plan
from services.ledger.domain.progress import Measured, measured_of, progress_table
from services.ledger.domain.report import AnnualReport, YearlyBaseline, annual_report, compute_report

from .recording import LedgerContext


def readable_park(ctx: LedgerContext, p: Principal, park_id: str) -> dict:
    """The park (as the ledger knows it from listings' events) if the caller may read its reports, plans
    and submissions; otherwise not found, whether or not it exists."""
    park = ctx.store.park(park_id)
    if not access.may_read_park(p, park_id, park["province"] if park else None):
        raise NotFound(f"no park {park_id} whose reports you may see")
    if park is None:
        raise NotFound(
            f"the ledger knows no park {park_id} (yet: a new park reaches the ledger moments after it is created)"
        )
    return park


def park_report(ctx: LedgerContext, p: Principal, park_id: str, year: int) -> AnnualReport:
    """The year's report as the ledger stands now, with progress against the plan covering the year."""
    if not 2000 <= year <= 2100:
        raise NotFound(f"no report for park {park_id} in {year}")
    return report_at(ctx, readable_park(ctx, p, park_id), year, ctx.store.size())


def report_at(ctx: LedgerContext, park: dict, year: int, size: int) -> AnnualReport:
    """The year's report from the ledger's first `size` entries, and the plan's progress table
    (`progress`) measured from the same entries."""
    entries = entries_at(ctx, park["id"], size)
    report = annual_report(park_summary(park), year, _baseline(park, year), entries)
    plan = plan_for(ctx, park["id"], year)
    measured: dict[int, dict[str, Measured]] = {year: measured_of(report)}
    if plan is not None:
        for earlier in range(plan.start_year, year):
            measured[earlier] = measured_of(compute_report(park_summary(park), earlier, None, entries))
    report["progress"] = progress_table(plan, year, measured)
    return report


def park_summary(park: dict) -> dict:
    return {"id": park["id"], "name": park["name"]}


def _baseline(park: dict, year: int) -> YearlyBaseline | None:
    found = next((b for b in park["baselines"] if b["year"] == year), None)
    return None if found is None else YearlyBaseline.of(found)


def plan_for(ctx: LedgerContext, park_id: str, year: int) -> Plan | None:
    """The park's plan whose period covers `year`, if it has one."""
    return next((plan for plan in ctx.records.plans(park_id) if plan.covers(year)), None)


# The log only grows, so a park's entries change only when its size does: the few years of reports a
# page asks for in a row (and the earlier years of a plan's period) parse the park's entries once.
_CACHED_PARKS = 16
_entries_cache: OrderedDict[tuple[int, str], tuple[int, list[dict]]] = OrderedDict()
_cache_lock = Lock()


def _park_entries(ctx: LedgerContext, park_id: str) -> list[dict]:
    key, size = (id(ctx.store), park_id), ctx.store.size()
    with _cache_lock:
        cached = _entries_cache.get(key)
        if cached is not None and cached[0] == size:
            _entries_cache.move_to_end(key)
            return cached[1]
    stored, _ = ctx.store.find(EntryScope(park_id=park_id), 0, 10**9)
    entries = [read_entry(e.leaf_data) for e in stored]
    with _cache_lock:
        _entries_cache[key] = (size, entries)
        while len(_entries_cache) > _CACHED_PARKS:
            _entries_cache.popitem(last=False)
    return entries


def entries_at(ctx: LedgerContext, park_id: str, size: int) -> list[dict]:
    """The park's entries in force among the ledger's first `size` entries, as the report reads them
    (a correction appended later does not reach back)."""
    return [
        {
            "index": e["index"],
            "exchange_id": e["exchange"]["exchange_id"],
            "kind": e["exchange"]["kind"],
            "supplier_enterprise_id": e["exchange"]["supplier"]["enterprise_id"],
            "receiver_enterprise_id": e["exchange"]["receiver"]["enterprise_id"],
            "completed_at": e["exchange"]["completed_at"],
            "contribution": e["contribution"],
        }
        for e in in_force([e for e in _park_entries(ctx, park_id) if e["index"] < size])
    ]
