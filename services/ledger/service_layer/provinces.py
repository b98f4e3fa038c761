"""Use cases of the provincial roll-up: a province's parks (as the ledger knows them from listings'
ParkCreated events) with what each submitted, for a year or a plan period."""

from __future__ import annotations

from typing import Any

from services.common.errors import FieldCollector, NotFound
from services.common.identity import Principal
from services.common.provinces import PROVINCES
from services.ledger.domain import access, rollup
from services.ledger.domain.plans import parse_period
from services.ledger.domain.report import china_date

from .recording import LedgerContext


def _province(p: Principal, province: str) -> None:
    if province not in PROVINCES:
        raise NotFound(f"no province {province}: one of {', '.join(PROVINCES)}")
    access.require_province_reader(p, province)


def province_report(ctx: LedgerContext, p: Principal, province: str, year: int) -> dict[str, Any]:
    _province(p, province)
    if not 2000 <= year <= 2100:
        raise NotFound(f"no roll-up of {province} for {year}")
    parks = ctx.records.parks_in(province)
    found = ctx.records.submitted_in([park["id"] for park in parks], [year])
    return rollup.province_report(province, year, parks, {park_id: s for (park_id, _), s in found.items()})


def province_period(ctx: LedgerContext, p: Principal, province: str, period: str) -> dict[str, Any]:
    _province(p, province)
    errors = FieldCollector()
    start, end = parse_period(period, errors)
    errors.raise_if_any()
    parks = ctx.records.parks_in(province)
    found = ctx.records.submitted_in([park["id"] for park in parks], range(start, end + 1))
    return rollup.province_period(province, start, end, parks, found, china_date(ctx.now()).year)
