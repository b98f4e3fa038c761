"""Who may see and change what in the matching service: every tenant rule of the service lives here,
and the use cases (service_layer) call it.

A listing's matches are for its owner, its park's managers and admins. Webhook subscriptions are an
enterprise's own: a registered enterprise (or an admin for one) subscribes and changes them; its
park's managers and admins read them. A province key reads neither (its figures are the ledger's).
The rules are tabled in tests/helpers/authorisation.py, from which the authorisation matrix tests are generated.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.common.errors import Forbidden, InvalidFields, NotFound
from services.common.identity import Principal, Role
from services.matching.domain.documents import ListingDoc
from services.matching.domain.webhooks.subscriptions import Subscription


@dataclass(frozen=True)
class SubscriptionScope:
    """Which subscriptions a list shows: all, one park's, or one enterprise's."""

    park_id: str | None = None
    enterprise_id: str | None = None
    nothing: bool = False


def may_see_matches(p: Principal, doc: ListingDoc) -> bool:
    """A listing's matches are for its owner, its park's managers and admins."""
    return (
        p.is_admin
        or (p.role is Role.PARK_MANAGER and p.park_id == doc.park_id)
        or (p.role is Role.ENTERPRISE and p.enterprise_id == doc.enterprise_id)
    )


def subscriber(p: Principal, requested_enterprise_id: str | None) -> str:
    """The enterprise a new subscription is for: the caller's own, or the one an admin names."""
    if p.role in (Role.PARK_MANAGER, Role.PROVINCE) or (p.role is Role.ENTERPRISE and p.enterprise_id is None):
        raise Forbidden("only a registered enterprise (or an admin for one) may subscribe")
    if not p.is_admin and requested_enterprise_id not in (None, p.enterprise_id):
        # Subscribing the caller instead, silently, would hide the mistake (or the probe) from them.
        raise Forbidden("an enterprise subscribes only for itself: leave out enterprise_id or give your own")
    enterprise_id = requested_enterprise_id if p.is_admin else p.enterprise_id
    if not enterprise_id:
        raise InvalidFields.single("enterprise_id", "an admin must name the enterprise to subscribe for")
    return enterprise_id


def subscription_visible(p: Principal, s: Subscription) -> bool:
    return (
        p.is_admin
        or (p.role is Role.PARK_MANAGER and p.park_id == s.park_id)
        or (p.role is Role.ENTERPRISE and p.enterprise_id == s.enterprise_id)
    )


def may_change_subscription(p: Principal, s: Subscription) -> None:
    """Rotating, deleting, redelivering: the subscribing enterprise or an admin."""
    if not (p.is_admin or p.enterprise_id == s.enterprise_id):
        raise Forbidden("only the subscribing enterprise or an admin may change a subscription")


def subscription_scope(p: Principal) -> SubscriptionScope:
    """The restriction a subscription list gets for this caller: what subscription_visible allows."""
    if p.is_admin:
        return SubscriptionScope()
    if p.role is Role.PARK_MANAGER:
        return SubscriptionScope(park_id=p.park_id, nothing=not p.park_id)
    return SubscriptionScope(enterprise_id=p.enterprise_id, nothing=not p.enterprise_id)


def parks_to_plan(p: Principal, park_id: str, also: tuple[str, ...] = ()) -> tuple[str, ...]:
    """The parks a plan may span: a park manager plans their own park, an admin any parks together."""
    if p.role in (Role.ENTERPRISE, Role.PROVINCE):
        raise Forbidden("only park managers and admins plan a park's exchanges")
    if p.role is Role.PARK_MANAGER:
        if p.park_id != park_id:
            raise NotFound(f"no park {park_id}")
        if set(also) - {park_id}:
            raise Forbidden("only admins plan several parks together")
    return tuple(dict.fromkeys((park_id, *also)))


def suggestion_scope(p: Principal) -> SubscriptionScope:
    """Which suggested pairings a caller sees: an enterprise those naming it, a manager their park's."""
    return subscription_scope(p)
