"""Plans and suggested pairings, as JSON documents in matching's own database; and the webhook
deliveries a suggestion queues, written in the same transaction (nothing half-written)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from services.common.db import write_transaction
from services.matching.domain.webhooks.subscriptions import Subscription

from .tables import listing_docs, plan_suggestions, plans, webhook_deliveries

SUGGESTED = "plan.suggested"


class PlanStore:
    def __init__(self, engine: sa.Engine):
        self.engine = engine

    def active_docs_of_parks(self, park_ids: Iterable[str]) -> list[dict]:
        """The active listing documents of these parks, as stored (domain documents are made by the caller)."""
        query = sa.select(listing_docs.c.doc, listing_docs.c.revision).where(
            listing_docs.c.status == "active", listing_docs.c.park_id.in_(list(park_ids))
        )
        with self.engine.connect() as conn:
            return [{"doc": row.doc, "revision": row.revision} for row in conn.execute(query)]

    def add(self, plan_id: str, park_id: str, created_at: datetime, body: dict) -> None:
        with write_transaction(self.engine) as conn:
            conn.execute(plans.insert().values(id=plan_id, park_id=park_id, created_at=created_at, body=body))

    def get(self, plan_id: str) -> dict | None:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(plans.c.body).where(plans.c.id == plan_id)).first()
        return row.body if row else None

    def list(self, park_id: str, offset: int, limit: int) -> tuple[list[dict], int]:
        with self.engine.connect() as conn:
            total = conn.execute(sa.select(sa.func.count()).where(plans.c.park_id == park_id)).scalar_one()
            rows = conn.execute(
                sa.select(plans.c.body)
                .where(plans.c.park_id == park_id)
                .order_by(plans.c.created_at.desc(), plans.c.id)
                .offset(offset)
                .limit(limit)
            )
            return [row.body for row in rows], total

    def suggest(self, suggestion: dict, subscriptions: list[Subscription], now: datetime) -> bool:
        """Record the suggestion and queue one `plan.suggested` delivery per subscription; False (and
        nothing written) if this pairing of this plan was suggested before."""
        try:
            with write_transaction(self.engine) as conn:
                conn.execute(
                    plan_suggestions.insert().values(
                        id=suggestion["id"],
                        plan_id=suggestion["plan_id"],
                        offer_id=suggestion["offer"]["id"],
                        want_id=suggestion["want"]["id"],
                        park_id=suggestion["park_id"],
                        supplier_enterprise_id=suggestion["offer"]["enterprise_id"],
                        receiver_enterprise_id=suggestion["want"]["enterprise_id"],
                        created_at=now,
                        body=suggestion,
                    )
                )
                for subscription in subscriptions:
                    conn.execute(
                        webhook_deliveries.insert().values(
                            id=f"msg_{uuid.uuid4().hex}",
                            subscription_id=subscription.id,
                            event_type=SUGGESTED,
                            payload=suggestion,
                            occurred_at=now,
                            status="pending",
                            attempts=0,
                            next_attempt_at=now,
                        )
                    )
            return True
        except IntegrityError:
            return False

    def suggestion(self, plan_id: str, offer_id: str, want_id: str) -> dict | None:
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(plan_suggestions.c.body).where(
                    plan_suggestions.c.plan_id == plan_id,
                    plan_suggestions.c.offer_id == offer_id,
                    plan_suggestions.c.want_id == want_id,
                )
            ).first()
        return row.body if row else None

    def suggestions(
        self, park_id: str | None, enterprise_id: str | None, offset: int, limit: int
    ) -> tuple[list[dict], int]:
        """Newest first; of one park, or those naming one enterprise on either side, or all."""
        where = []
        if park_id is not None:
            where.append(plan_suggestions.c.park_id == park_id)
        if enterprise_id is not None:
            where.append(
                sa.or_(
                    plan_suggestions.c.supplier_enterprise_id == enterprise_id,
                    plan_suggestions.c.receiver_enterprise_id == enterprise_id,
                )
            )
        with self.engine.connect() as conn:
            total = conn.execute(sa.select(sa.func.count()).select_from(plan_suggestions).where(*where)).scalar_one()
            rows = conn.execute(
                sa.select(plan_suggestions.c.body)
                .where(*where)
                .order_by(plan_suggestions.c.created_at.desc(), plan_suggestions.c.id)
                .offset(offset)
                .limit(limit)
            )
            return [row.body for row in rows], total
