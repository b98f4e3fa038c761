"""Use cases of a park's annual submission: write a draft, submit it, read every version.

Submitting binds the version to the ledger as it stands: the latest checkpoint is signed (if the
ledger grew since the last one), and the figures are computed from exactly the entries that
checkpoint covers, so anyone can later recompute them from the first `size` entries and check the
cited root against any later checkpoint with a consistency proof."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from services.common.errors import NotFound
from services.common.identity import Principal
from services.ledger.domain import access, merkle
from services.ledger.domain.plans import Plan
from services.ledger.domain.progress import measured_of
from services.ledger.domain.report import AnnualReport
from services.ledger.domain.submissions import CitedCheckpoint, Status, Submission, version_to_write

from .queries import b64
from .recording import LedgerContext, sign_latest
from .reports import plan_for, readable_park, report_at


def _year(park_id: str, year: int) -> None:
    if not 2000 <= year <= 2100:
        raise NotFound(f"no submission of park {park_id} for {year}")


def versions(ctx: LedgerContext, p: Principal, park_id: str, year: int) -> list[Submission]:
    """Every version of the year's submission, newest first."""
    readable_park(ctx, p, park_id)
    _year(park_id, year)
    return ctx.records.versions(park_id, year)


def version(ctx: LedgerContext, p: Principal, park_id: str, year: int, number: int) -> Submission:
    found = next((s for s in versions(ctx, p, park_id, year) if s.version == number), None)
    if found is None:
        raise NotFound(f"no version {number} of park {park_id}'s submission for {year}")
    return found


def write_draft(
    ctx: LedgerContext, p: Principal, park_id: str, year: int, number: int, content: dict[str, Any]
) -> tuple[Submission, bool]:
    """Saves the draft `number` (a new one when `created`); a submitted version is frozen (409)."""
    readable_park(ctx, p, park_id)
    access.require_park_writer(p, park_id)
    _year(park_id, year)
    draft = version_to_write(ctx.records.versions(park_id, year), number)
    if draft is None:
        new = Submission.draft(park_id, year, number, content, ctx.now())
        ctx.records.write([(new, None)])
        return new, True
    edited = draft.edited(content, ctx.now())
    ctx.records.write([(edited, Status.DRAFT)])
    return edited, False


def submit(ctx: LedgerContext, p: Principal, park_id: str, year: int, number: int) -> Submission:
    """Freezes the draft with the figures of the latest signed checkpoint; the version it replaces
    (if any) becomes superseded, in the same transaction."""
    park = readable_park(ctx, p, park_id)
    access.require_park_writer(p, park_id)
    _year(park_id, year)
    all_versions = ctx.records.versions(park_id, year)
    draft = next((s for s in all_versions if s.version == number), None)
    if draft is None:
        raise NotFound(f"no version {number} of park {park_id}'s submission for {year}")
    sign_latest(ctx)
    size, root = ctx.store.last_signed_root() or (0, merkle.EMPTY_ROOT)
    figures = _figures(report_at(ctx, park, year, size), plan_for(ctx, park_id, year))
    done = draft.submitted(ctx.now(), CitedCheckpoint(size, b64(root)), figures)
    replaced = [(s.superseded(), Status.SUBMITTED) for s in all_versions if s.status is Status.SUBMITTED]
    ctx.records.write([(done, Status.DRAFT), *replaced])
    return done


def _figure(item: Mapping[str, Any], unknown: str | None) -> dict[str, Any]:
    return {k: item[k] for k in ("value", "exact_value", "unit", "complete")} | {"unknown": unknown}


def _figures(report: AnnualReport, plan: Plan | None) -> dict[str, Any]:
    """What ParkLoop fills in: the measured indicators and rates, the progress table, the plan's projects."""
    measured = measured_of(report)
    return {
        "entries_included": report["entries"]["included"],
        "indicators": {name: _figure(item, measured[name].unknown) for name, item in report["indicators"].items()},
        "rates": {name: _figure(item, item["unknown"]) for name, item in report["rates"].items()},
        "progress": report.get("progress"),
        "projects": [] if plan is None else [project.to_dict() for project in plan.projects],
    }
