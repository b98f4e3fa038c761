"""Subscriptions, alerts, deliveries and attempts in the matching database."""

from __future__ import annotations

import builtins
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from services.common.db import as_utc, write_transaction
from services.matching.domain.webhooks.subscriptions import SigningSecret, Subscription

from .secret_box import SecretBox
from .tables import match_alerts, webhook_attempts, webhook_deliveries, webhook_subscriptions

CLAIM_FOR = timedelta(minutes=2)  # a dispatcher that dies mid-send releases its claim after this
CLAIM_AT_ONCE = 50  # deliveries a dispatcher claims per statement
_CLAIMED = ("id", "subscription_id", "event_type", "payload", "occurred_at", "attempts", "next_attempt_at")
KEYS_PER_QUERY = 500  # alerts looked up per query: well within every database's limit on parameters


@dataclass(frozen=True)
class Alert:
    """One subscriber's listing gained a match: sent once, ever, as `match.found`."""

    subscription_id: str
    listing_id: str
    match_id: str
    payload: dict

    @property
    def key(self) -> tuple[str, str, str]:
        return self.subscription_id, self.listing_id, self.match_id


@dataclass(frozen=True)
class DueWebhookDelivery:
    id: str
    subscription_id: str
    event_type: str
    payload: dict
    occurred_at: datetime
    attempts: int


class WebhookStore:
    def __init__(self, engine: sa.Engine, box: SecretBox):
        self.engine, self.box = engine, box

    # --- subscriptions -------------------------------------------------------------------
    def _row(self, s: Subscription) -> dict:
        secrets = [
            {"secret": x.secret, "expires_at": x.expires_at.isoformat() if x.expires_at else None} for x in s.secrets
        ]
        return {
            "enterprise_id": s.enterprise_id,
            "park_id": s.park_id,
            "url": s.url,
            "secrets": self.box.seal(secrets),
            "listing_ids": s.listing_ids,
            "min_score": s.min_score,
            "active": s.active,
            "disabled_reason": s.disabled_reason,
            "created_at": s.created_at,
        }

    def _subscription(self, row) -> Subscription:
        secrets = [
            SigningSecret(x["secret"], datetime.fromisoformat(x["expires_at"]) if x["expires_at"] else None)
            for x in self.box.open(row.secrets)
        ]
        return Subscription(
            row.id,
            row.enterprise_id,
            row.park_id,
            row.url,
            secrets,
            row.min_score,
            row.listing_ids,
            row.active,
            row.disabled_reason,
            as_utc(row.created_at),
        )

    def add(self, s: Subscription) -> None:
        with write_transaction(self.engine) as conn:
            conn.execute(webhook_subscriptions.insert().values(id=s.id, **self._row(s)))

    def save(self, s: Subscription) -> None:
        with write_transaction(self.engine) as conn:
            conn.execute(
                webhook_subscriptions.update().where(webhook_subscriptions.c.id == s.id).values(**self._row(s))
            )

    def get(self, subscription_id: str) -> Subscription | None:
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(webhook_subscriptions).where(webhook_subscriptions.c.id == subscription_id)
            ).first()
        return self._subscription(row) if row else None

    def list(self, enterprise_id: str | None = None, park_id: str | None = None) -> list[Subscription]:
        query = sa.select(webhook_subscriptions).order_by(webhook_subscriptions.c.created_at)
        if enterprise_id:
            query = query.where(webhook_subscriptions.c.enterprise_id == enterprise_id)
        if park_id:
            query = query.where(webhook_subscriptions.c.park_id == park_id)
        with self.engine.connect() as conn:
            return [self._subscription(row) for row in conn.execute(query)]

    def delete(self, subscription_id: str) -> None:
        with write_transaction(self.engine) as conn:
            conn.execute(webhook_subscriptions.delete().where(webhook_subscriptions.c.id == subscription_id))

    # --- alerts and deliveries -----------------------------------------------------------
    def alert_once(self, subscription_id: str, listing_id: str, match_id: str, payload: dict, now: datetime) -> bool:
        """Record the alert and queue its delivery, unless this match was alerted before."""
        return self.alert_all([Alert(subscription_id, listing_id, match_id, payload)], now) == 1

    def alert_all(self, alerts: Sequence[Alert], now: datetime) -> int:
        """Record every alert not recorded before and queue its delivery, in one transaction (a
        burst's alerts cost one commit, not one each); returns how many were new. Should another
        worker record one of them meanwhile, each is recorded in a transaction of its own."""
        first: dict[tuple[str, str, str], Alert] = {}
        for alert in alerts:  # a batch can find one match from both of its listings
            first.setdefault(alert.key, alert)
        unique = list(first.values())
        if not unique:
            return 0
        try:
            with write_transaction(self.engine) as conn:
                return self._record(conn, unique, now)
        except IntegrityError:
            return sum(self._record_alone(alert, now) for alert in unique)

    def _record_alone(self, alert: Alert, now: datetime) -> int:
        try:
            with write_transaction(self.engine) as conn:
                return self._record(conn, [alert], now)
        except IntegrityError:  # another worker alerted the same match at the same moment
            return 0

    @staticmethod
    def _record(conn: sa.Connection, alerts: Sequence[Alert], now: datetime) -> int:
        a = match_alerts.c
        seen: set[tuple[str, str, str]] = set()
        for start in range(0, len(alerts), KEYS_PER_QUERY):
            keys = [alert.key for alert in alerts[start : start + KEYS_PER_QUERY]]
            query = sa.select(a.subscription_id, a.listing_id, a.match_id).where(
                sa.tuple_(a.subscription_id, a.listing_id, a.match_id).in_(keys)
            )
            seen.update(tuple(row) for row in conn.execute(query))
        fresh = [alert for alert in alerts if alert.key not in seen]
        if fresh:
            conn.execute(
                match_alerts.insert(),
                [{"subscription_id": s, "listing_id": lst, "match_id": m} for s, lst, m in (f.key for f in fresh)],
            )
            conn.execute(
                webhook_deliveries.insert(),
                [
                    {
                        "id": f"msg_{uuid.uuid4().hex}",
                        "subscription_id": alert.subscription_id,
                        "event_type": "match.found",
                        "payload": alert.payload,
                        "occurred_at": now,
                        "status": "pending",
                        "attempts": 0,
                        "next_attempt_at": now,
                    }
                    for alert in fresh
                ],
            )
        return len(fresh)

    def queue(self, now: datetime) -> tuple[int, datetime | None]:
        """How many deliveries are pending, and the earliest moment one of them was due (None when
        none is due yet): a dispatcher that keeps up leaves no delivery long overdue."""
        pending = webhook_deliveries.c.status == "pending"
        with self.engine.connect() as conn:
            depth = conn.scalar(sa.select(sa.func.count()).where(pending))
            oldest_due = conn.scalar(
                sa.select(sa.func.min(webhook_deliveries.c.next_attempt_at)).where(
                    pending, webhook_deliveries.c.next_attempt_at <= now
                )
            )
        return depth, as_utc(oldest_due)

    def next_due(self) -> datetime | None:
        """When the earliest pending delivery may next be attempted: its retry time, or the end of
        another dispatcher's claim on it; None when nothing is pending."""
        d = webhook_deliveries.c
        claimable = sa.case((d.claimed_until > d.next_attempt_at, d.claimed_until), else_=d.next_attempt_at)
        with self.engine.connect() as conn:
            return as_utc(conn.scalar(sa.select(sa.func.min(claimable)).where(d.status == "pending")))

    def claim_due(self, now: datetime, limit: int = CLAIM_AT_ONCE) -> builtins.list[DueWebhookDelivery]:
        """Deliveries due now, each claimed by this dispatcher alone for a while, in one statement;
        a row another dispatcher claimed first no longer matches when this one's update reaches it."""
        d = webhook_deliveries.c
        claimable = sa.and_(
            d.status == "pending", d.next_attempt_at <= now, sa.or_(d.claimed_until.is_(None), d.claimed_until < now)
        )
        due = sa.select(d.id).where(claimable).order_by(d.next_attempt_at).limit(limit).scalar_subquery()
        with self.engine.connect() as conn:
            if conn.scalar(sa.select(d.id).where(claimable).limit(1)) is None:
                # Nothing due: no write, so no commit rings the doorbell this dispatcher itself waits at.
                return []
        with write_transaction(self.engine) as conn:
            rows = conn.execute(
                webhook_deliveries.update()
                .where(d.id.in_(due), claimable)
                .values(claimed_until=now + CLAIM_FOR)
                .returning(*(d[name] for name in _CLAIMED))
            ).all()
        rows.sort(key=lambda row: (as_utc(row.next_attempt_at), row.id))  # RETURNING keeps no order
        return [
            DueWebhookDelivery(
                row.id, row.subscription_id, row.event_type, row.payload, as_utc(row.occurred_at), row.attempts
            )
            for row in rows
        ]

    def record_attempt(
        self, delivery_id: str, attempt, at: datetime, status: str, next_attempt_at: datetime | None
    ) -> None:
        with write_transaction(self.engine) as conn:
            conn.execute(
                webhook_attempts.insert().values(
                    delivery_id=delivery_id,
                    attempted_at=at,
                    status_code=attempt.status_code,
                    latency_ms=attempt.latency_ms,
                    error=(attempt.error or None) and attempt.error[:500],
                    response_excerpt=attempt.response_excerpt[:4096] if attempt.response_excerpt else None,
                )
            )
            conn.execute(
                webhook_deliveries.update()
                .where(webhook_deliveries.c.id == delivery_id)
                .values(
                    status=status,
                    attempts=webhook_deliveries.c.attempts + 1,
                    next_attempt_at=next_attempt_at,
                    claimed_until=None,
                )
            )

    def give_up(self, delivery_id: str) -> None:
        with write_transaction(self.engine) as conn:
            conn.execute(
                webhook_deliveries.update()
                .where(webhook_deliveries.c.id == delivery_id)
                .values(status="failed", next_attempt_at=None, claimed_until=None)
            )

    def deliveries(self, subscription_id: str, offset: int, limit: int) -> tuple[list[dict], int]:
        with self.engine.connect() as conn:
            where = webhook_deliveries.c.subscription_id == subscription_id
            total = conn.scalar(sa.select(sa.func.count()).select_from(webhook_deliveries).where(where))
            rows = conn.execute(
                sa.select(webhook_deliveries)
                .where(where)
                .order_by(webhook_deliveries.c.occurred_at.desc())
                .offset(offset)
                .limit(limit)
            ).all()
            attempts = conn.execute(
                sa.select(webhook_attempts)
                .where(webhook_attempts.c.delivery_id.in_([r.id for r in rows]))
                .order_by(webhook_attempts.c.id)
            ).all()
        by_delivery: dict[str, list] = {}
        for a in attempts:
            by_delivery.setdefault(a.delivery_id, []).append(
                {
                    "attempted_at": as_utc(a.attempted_at),
                    "status_code": a.status_code,
                    "latency_ms": a.latency_ms,
                    "error": a.error,
                }
            )
        return [
            {
                "id": r.id,
                "event_type": r.event_type,
                "status": r.status,
                "attempts": r.attempts,
                "occurred_at": as_utc(r.occurred_at),
                "next_attempt_at": as_utc(r.next_attempt_at),
                "payload": r.payload,
                "attempt_log": by_delivery.get(r.id, []),
            }
            for r in rows
        ], total

    def redeliver(self, subscription_id: str, delivery_id: str, now: datetime) -> bool:
        with write_transaction(self.engine) as conn:
            return (
                conn.execute(
                    webhook_deliveries.update()
                    .where(
                        webhook_deliveries.c.id == delivery_id, webhook_deliveries.c.subscription_id == subscription_id
                    )
                    .values(status="pending", next_attempt_at=now, claimed_until=None)
                ).rowcount
                == 1
            )
