"""The parks' implementation plans and annual submissions, beside the ledger they cite."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from services.common.db import as_utc, write_transaction
from services.common.errors import Conflict
from services.ledger.domain.plans import Plan
from services.ledger.domain.submissions import CitedCheckpoint, Status, Submission

from .tables import parks, plans, submissions


def _submission(row) -> Submission:
    checkpoint = None if row.checkpoint_size is None else CitedCheckpoint(row.checkpoint_size, row.checkpoint_root)
    return Submission(
        row.park_id,
        row.year,
        row.version,
        Status(row.status),
        dict(row.sections),
        list(row.attached_figures),
        as_utc(row.created_at),
        as_utc(row.updated_at),
        as_utc(row.submitted_at),
        checkpoint,
        dict(row.figures),
    )


def _row(s: Submission, jsonable) -> dict:
    return {
        "park_id": s.park_id,
        "year": s.year,
        "version": s.version,
        "status": s.status.value,
        "sections": s.sections,
        "attached_figures": jsonable(s.attached_figures),
        "figures": jsonable(s.figures),
        "checkpoint_size": s.checkpoint.size if s.checkpoint else None,
        "checkpoint_root": s.checkpoint.root if s.checkpoint else None,
        "created_at": s.created_at,
        "updated_at": s.updated_at,
        "submitted_at": s.submitted_at,
    }


class ParkRecords:
    """Plans and submissions. `jsonable` writes decimals as exact strings (the service layer's one rule)."""

    def __init__(self, engine: sa.Engine, jsonable):
        self.engine = engine
        self.jsonable = jsonable

    # --- plans ---

    def save_plan(self, plan: Plan, now) -> None:
        """Replaces the park's plan for the period starting that year."""
        doc = self.jsonable(plan.to_dict())
        with write_transaction(self.engine) as conn:
            conn.execute(plans.delete().where(plans.c.park_id == plan.park_id, plans.c.start_year == plan.start_year))
            conn.execute(
                plans.insert().values(
                    park_id=plan.park_id,
                    start_year=plan.start_year,
                    end_year=plan.end_year,
                    document=doc,
                    updated_at=now,
                )
            )

    def plans(self, park_id: str) -> list[Plan]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(plans.c.document).where(plans.c.park_id == park_id).order_by(plans.c.start_year)
            )
            return [Plan.restore(doc) for doc in rows.scalars()]

    # --- submissions ---

    def versions(self, park_id: str, year: int) -> list[Submission]:
        """Every version of a park's submission for a year, newest first."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(submissions)
                .where(submissions.c.park_id == park_id, submissions.c.year == year)
                .order_by(submissions.c.version.desc())
            )
            return [_submission(r) for r in rows]

    def write(self, changes: Iterable[tuple[Submission, Status | None]]) -> None:
        """Writes versions in one transaction: each (version, the status it had when read), None for a
        new one. A version that changed status meanwhile (another writer submitted it) or a new one
        another writer created first fails the whole transaction with Conflict: nothing half-written."""
        with write_transaction(self.engine) as conn:
            for s, was in changes:
                values = _row(s, self.jsonable)
                if was is None:
                    try:
                        conn.execute(submissions.insert().values(**values))
                    except sa.exc.IntegrityError:
                        raise Conflict(f"version {s.version} was written meanwhile; reload and try again") from None
                    continue
                updated = conn.execute(
                    submissions.update()
                    .where(
                        submissions.c.park_id == s.park_id,
                        submissions.c.year == s.year,
                        submissions.c.version == s.version,
                        submissions.c.status == was.value,
                    )
                    .values(**values)
                )
                if updated.rowcount != 1:
                    raise Conflict(f"version {s.version} changed meanwhile; reload and try again")

    def submitted_in(self, park_ids: list[str], years: Iterable[int]) -> dict[tuple[str, int], Submission]:
        """The submission in force (status submitted) of each park and year that has one."""
        if not park_ids:
            return {}
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(submissions).where(
                    submissions.c.park_id.in_(park_ids),
                    submissions.c.year.in_(list(years)),
                    submissions.c.status == Status.SUBMITTED.value,
                )
            )
            return {(r.park_id, r.year): _submission(r) for r in rows}

    def parks_in(self, province: str) -> list[dict]:
        """The parks of a province the ledger knows (from listings' ParkCreated events), by name."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(parks.c.id, parks.c.name).where(parks.c.province == province).order_by(parks.c.name)
            )
            return [dict(r._mapping) for r in rows]
