"""The 1004 notice's annual report for one park and year, from the entries in force."""

from __future__ import annotations

from collections import OrderedDict
from datetime import date, datetime
from decimal import Decimal
from threading import Lock

from services.common.errors import NotFound
from services.common.identity import Principal
from services.ledger.domain import access
from services.ledger.domain.access import EntryScope
from services.ledger.domain.entries import in_force, read_entry
from services.ledger.domain.report import AnnualReport, annual_report
from services.ledger.domain.rounding import plain

from .recording import LedgerContext


def park_report(ctx: LedgerContext, p: Principal, park_id: str, year: int) -> AnnualReport:
    if not 2000 <= year <= 2100 or not access.may_read_report(p, park_id):
        raise NotFound(f"no report for park {park_id} that you may see")
    park = ctx.store.park(park_id)
    if park is None:
        raise NotFound(
            f"the ledger knows no park {park_id} (yet: a new park reaches the ledger moments after it is created)"
        )
    baseline = next((b for b in park["baselines"] if b["year"] == year), None)
    return annual_report({"id": park_id, "name": park["name"]}, year, baseline, _entries_in_force(ctx, park_id))


# The log only grows, so a park's entries in force change only when its size does: the few years of
# reports a page asks for in a row parse the park's entries once, not once per year.
_CACHED_PARKS = 16
_in_force_cache: OrderedDict[tuple[int, str], tuple[int, list[dict]]] = OrderedDict()
_cache_lock = Lock()


def _entries_in_force(ctx: LedgerContext, park_id: str) -> list[dict]:
    key, size = (id(ctx.store), park_id), ctx.store.size()
    with _cache_lock:
        cached = _in_force_cache.get(key)
        if cached is not None and cached[0] == size:
            _in_force_cache.move_to_end(key)
            return cached[1]
    stored, _ = ctx.store.find(EntryScope(park_id=park_id), 0, 10**9)
    entries = [read_entry(e.leaf_data) for e in stored]
    report_entries = [
        {
            "index": e["index"],
            "exchange_id": e["exchange"]["exchange_id"],
            "kind": e["exchange"]["kind"],
            "supplier_enterprise_id": e["exchange"]["supplier"]["enterprise_id"],
            "receiver_enterprise_id": e["exchange"]["receiver"]["enterprise_id"],
            "completed_at": e["exchange"]["completed_at"],
            "contribution": e["contribution"],
        }
        for e in in_force(entries)
    ]
    with _cache_lock:
        _in_force_cache[key] = (size, report_entries)
        while len(_in_force_cache) > _CACHED_PARKS:
            _in_force_cache.popitem(last=False)
    return report_entries


def jsonable(value):
    """Decimals as decimal strings in plain notation (never floats, never exponent form: a zero
    computed as Decimal("0E+1") is "0"), dates as ISO strings. The report has already rounded its
    values for people (domain/rounding.py); this writes every digit it is given."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, Decimal):
        return plain(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value
