"""Who may see and change what in the listings service: every tenant rule of the service lives here,
and the use cases (service_layer) call it.

Admins see and change everything. A park manager reads everything in their own park and changes
nothing; other parks do not exist for them. A province key (a provincial reviewer) reads the parks of
its province in full and changes nothing; enterprises, listings and exchanges are not its business
(it reads a park's figures in the ledger's reports and submissions). An enterprise changes only
itself and its own listings, sees other enterprises' public fields and other enterprises' listings
only while they are active.
On an exchange, each party sees and acts on its own, and only the counterparty answers a proposal;
a park manager reads the exchanges with a party in their park.

Queries get a typed scope (`ParkScope`, `EnterpriseScope`, `ListingScope`, `ExchangeScope`) that the
repositories turn into SQL; a scope with `nothing` set matches no row. The rules are tabled in
tests/helpers/authorisation.py, from which the authorisation matrix tests are generated.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from services.common.errors import Forbidden, InvalidFields, NotFound
from services.common.identity import Principal, Role

from .enterprises import Enterprise
from .listings import Listing, Status
from .parks import Park

if TYPE_CHECKING:
    from .exchanges import Exchange


# --- typed scopes --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ParkScope:
    """Which parks a list shows: all, one (a park manager's own), or one province's."""

    park_id: str | None = None
    province: str | None = None


@dataclass(frozen=True)
class EnterpriseScope:
    """Which enterprises a list shows: all, or one park's."""

    park_id: str | None = None
    nothing: bool = False


@dataclass(frozen=True)
class ListingScope:
    """Which listings a search returns: all, one park's, or only the active ones besides every listing
    of `owner_id` (the calling enterprise's own, in any status)."""

    park_id: str | None = None
    active_only: bool = False
    owner_id: str | None = None  # with active_only: this enterprise's listings in any status too
    nothing: bool = False


@dataclass(frozen=True)
class ExchangeScope:
    """Which exchanges a list shows: all, those with a party in a park, or one enterprise's."""

    park_id: str | None = None
    enterprise_id: str | None = None
    nothing: bool = False


# --- parks ---------------------------------------------------------------------------------------


def require_admin(p: Principal, action: str) -> None:
    if not p.is_admin:
        raise Forbidden(f"only an admin may {action}")


def sees_park_in_full(p: Principal, park: Park) -> bool:
    return (
        p.is_admin
        or (p.role is Role.PARK_MANAGER and p.park_id == park.id)
        or (p.role is Role.PROVINCE and p.province == park.province)
    )


def visible_park(p: Principal, park: Park) -> Park:
    if (p.role is Role.PARK_MANAGER and p.park_id != park.id) or (
        p.role is Role.PROVINCE and p.province != park.province
    ):
        raise NotFound("no such park")
    return park if sees_park_in_full(p, park) else park.public()


def park_scope(p: Principal) -> ParkScope:
    if p.role is Role.PARK_MANAGER:
        return ParkScope(park_id=p.park_id)
    if p.role is Role.PROVINCE:
        return ParkScope(province=p.province or "")
    return ParkScope()


# --- enterprises ---------------------------------------------------------------------------------


def may_register_in(p: Principal, park_id: str) -> None:
    if p.is_admin:
        return
    if p.role is Role.ENTERPRISE and p.enterprise_id is None and p.park_id == park_id:
        return
    if p.role is Role.ENTERPRISE and p.enterprise_id is None:
        raise Forbidden("this key may register an enterprise only in its own park")
    raise Forbidden("only an admin or an unregistered enterprise key may register an enterprise")


def enterprise_visible(p: Principal, e: Enterprise) -> bool:
    """Every key sees an enterprise's public fields, except a park manager of another park and a province key."""
    return not ((p.role is Role.PARK_MANAGER and e.park_id != p.park_id) or p.role is Role.PROVINCE)


def sees_enterprise_in_full(p: Principal, e: Enterprise) -> bool:
    return (
        p.is_admin
        or (p.role is Role.PARK_MANAGER and p.park_id == e.park_id)
        or (p.role is Role.ENTERPRISE and p.enterprise_id == e.id)
    )


def may_change_enterprise(p: Principal, e: Enterprise) -> None:
    if not (p.is_admin or (p.role is Role.ENTERPRISE and p.enterprise_id == e.id)):
        raise Forbidden("only the enterprise itself or an admin may change it")


def enterprise_scope(p: Principal, requested_park_id: str | None = None) -> EnterpriseScope:
    """The enterprises a list may show, narrowed to `requested_park_id` when given."""
    if p.role is Role.PARK_MANAGER:
        return EnterpriseScope(p.park_id, nothing=bool(requested_park_id) and requested_park_id != p.park_id)
    if p.role is Role.PROVINCE:
        return EnterpriseScope(nothing=True)
    return EnterpriseScope(requested_park_id or None)


# --- listings ------------------------------------------------------------------------------------


def may_act_for(p: Principal, enterprise_id: str | None) -> None:
    """Posting or changing a listing on behalf of `enterprise_id`."""
    if p.is_admin:
        return
    if p.role is Role.ENTERPRISE and p.enterprise_id is None:
        raise Forbidden("register your enterprise (POST /api/v1/enterprises) before posting listings")
    if not (p.role is Role.ENTERPRISE and p.enterprise_id == enterprise_id):
        raise Forbidden("only the enterprise that owns a listing or an admin may change it")


def listing_visible(p: Principal, listing: Listing) -> bool:
    if p.is_admin:
        return True
    if p.role is Role.PARK_MANAGER:
        return listing.park_id == p.park_id
    if p.role is Role.PROVINCE:
        return False
    return listing.enterprise_id == p.enterprise_id or listing.status is Status.ACTIVE


def listing_scope(p: Principal) -> ListingScope:
    """The restriction every listing search gets for this caller: what listing_visible allows."""
    if p.is_admin:
        return ListingScope()
    if p.role is Role.PARK_MANAGER:
        return ListingScope(park_id=p.park_id, nothing=p.park_id is None)
    if p.role is Role.PROVINCE:
        return ListingScope(nothing=True)
    return ListingScope(active_only=True, owner_id=p.enterprise_id)


# --- exchanges -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Actor:
    """Who acts on an exchange: a party's enterprise, or an admin (enterprise_id None) acting for the
    side the action needs. An admin proposing names the side it proposes for."""

    enterprise_id: str | None
    admin: bool = False

    def to_dict(self) -> dict:
        return {"enterprise_id": self.enterprise_id, "admin": self.admin}


def exchange_visible(p: Principal, exchange: Exchange) -> bool:
    """Admins see all; each party its own; a park manager those with a party in the park."""
    if p.is_admin:
        return True
    if p.role is Role.PARK_MANAGER:
        return p.park_id in (exchange.supplier.park_id, exchange.receiver.park_id)
    return p.enterprise_id is not None and p.enterprise_id in exchange.parties()


def exchange_scope(p: Principal) -> ExchangeScope:
    """The restriction every exchange list gets for this caller: what exchange_visible allows."""
    if p.is_admin:
        return ExchangeScope()
    if p.role is Role.PARK_MANAGER:
        return ExchangeScope(park_id=p.park_id, nothing=p.park_id is None)
    # a key whose enterprise is not registered yet is party to nothing
    return ExchangeScope(enterprise_id=p.enterprise_id, nothing=p.enterprise_id is None)


def acting_as(p: Principal) -> Actor:
    """The actor a caller is on an exchange it can see; park managers only read."""
    if p.is_admin:
        return Actor(None, admin=True)
    if p.role in (Role.PARK_MANAGER, Role.PROVINCE):
        raise Forbidden("only the parties or an admin act on an exchange")
    return Actor(p.enterprise_id)


def proposer(p: Principal, on_behalf_of: str | None) -> Actor:
    """An enterprise proposes for itself; an admin names the side it proposes for."""
    if p.is_admin:
        if not on_behalf_of:
            raise InvalidFields.single(
                "on_behalf_of", "an admin must name the enterprise (supplier or receiver) it proposes for"
            )
        return Actor(on_behalf_of, admin=True)
    if p.role is not Role.ENTERPRISE:
        raise Forbidden("only an enterprise (or an admin acting for one) may propose an exchange")
    if p.enterprise_id is None:
        raise Forbidden("register your enterprise (POST /api/v1/enterprises) before proposing exchanges")
    if on_behalf_of not in (None, p.enterprise_id):
        raise Forbidden("an enterprise proposes only for itself")
    return Actor(p.enterprise_id)


def may_propose_between(by: Actor, supplier_id: str, receiver_id: str) -> None:
    """Only the supplier (the offer's enterprise) or the receiver proposes; an admin names one of them."""
    if by.enterprise_id not in (supplier_id, receiver_id):
        if by.admin:
            raise InvalidFields.single("on_behalf_of", "must be the supplier or the receiver")
        raise Forbidden("only the supplier (the offer's enterprise) or the receiver may propose an exchange")


def require_party(by: Actor, exchange: Exchange) -> None:
    """Accepting, declining, cancelling, delivering and completing are for the parties and admins."""
    if not by.admin and by.enterprise_id not in exchange.parties():
        raise Forbidden("only the parties to an exchange or an admin may act on it")


def require_counterparty(by: Actor, exchange: Exchange, action: str) -> None:
    """A proposal is answered by the side that did not make it (or an admin)."""
    require_party(by, exchange)
    if not by.admin and by.enterprise_id != exchange.counterparty:
        raise Forbidden(f"only the counterparty may {action} a proposal, not the side that proposed it")
