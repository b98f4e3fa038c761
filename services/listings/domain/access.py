"""Who may see and change what. Every tenant rule of the listings service lives here.

Admins see and change everything. A park manager reads everything in their own park and
changes nothing. An enterprise changes only itself and its own listings, sees other
enterprises' public fields and other enterprises' listings only while they are active.
On an exchange, each party sees and acts on its own; the aggregate (exchanges.py) decides
which actor may make each transition, and the helpers below turn a caller into that actor.
"""
from __future__ import annotations

from services.common.errors import Forbidden, InvalidFields, NotFound
from services.common.identity import Principal, Role

from .enterprises import Enterprise
from .exchanges import Actor, Exchange
from .listings import Listing, Status
from .parks import Park


def require_admin(p: Principal, action: str) -> None:
    if not p.is_admin:
        raise Forbidden(f"only an admin may {action}")


def sees_park_in_full(p: Principal, park: Park) -> bool:
    return p.is_admin or (p.role is Role.PARK_MANAGER and p.park_id == park.id)


def visible_park(p: Principal, park: Park) -> Park:
    if p.role is Role.PARK_MANAGER and p.park_id != park.id:
        raise NotFound("no such park")
    return park if sees_park_in_full(p, park) else park.public()


def may_register_in(p: Principal, park_id: str) -> None:
    if p.is_admin:
        return
    if p.role is Role.ENTERPRISE and p.enterprise_id is None and p.park_id == park_id:
        return
    if p.role is Role.ENTERPRISE and p.enterprise_id is None:
        raise Forbidden("this key may register an enterprise only in its own park")
    raise Forbidden("only an admin or an unregistered enterprise key may register an enterprise")


def sees_enterprise_in_full(p: Principal, e: Enterprise) -> bool:
    return (p.is_admin or (p.role is Role.PARK_MANAGER and p.park_id == e.park_id)
            or (p.role is Role.ENTERPRISE and p.enterprise_id == e.id))


def may_change_enterprise(p: Principal, e: Enterprise) -> None:
    if not (p.is_admin or (p.role is Role.ENTERPRISE and p.enterprise_id == e.id)):
        raise Forbidden("only the enterprise itself or an admin may change it")


def may_act_for(p: Principal, enterprise_id: str) -> None:
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
    return listing.enterprise_id == p.enterprise_id or listing.status is Status.ACTIVE


def listing_scope(p: Principal) -> dict:
    """The restriction every listing query gets for this caller (see ListingRepository.search)."""
    if p.is_admin:
        return {}
    if p.role is Role.PARK_MANAGER:
        return {"park_id": p.park_id}
    return {"active_or_owned_by": p.enterprise_id}


def enterprise_scope(p: Principal) -> dict:
    return {"park_id": p.park_id} if p.role is Role.PARK_MANAGER else {}


# --- exchanges ---------------------------------------------------------------------------------

def exchange_visible(p: Principal, exchange: Exchange) -> bool:
    """Admins see all; each party its own; a park manager those with a party in the park."""
    if p.is_admin:
        return True
    if p.role is Role.PARK_MANAGER:
        return p.park_id in (exchange.supplier.park_id, exchange.receiver.park_id)
    return p.enterprise_id is not None and p.enterprise_id in exchange.parties()


def acting_as(p: Principal) -> Actor:
    """The actor a caller is on an exchange it can see; park managers only read."""
    if p.is_admin:
        return Actor(None, admin=True)
    if p.role is Role.PARK_MANAGER:
        raise Forbidden("park managers read exchanges; only the parties or an admin act on them")
    return Actor(p.enterprise_id)


def proposer(p: Principal, on_behalf_of: str | None) -> Actor:
    """An enterprise proposes for itself; an admin names the side it proposes for."""
    if p.is_admin:
        if not on_behalf_of:
            raise InvalidFields.single("on_behalf_of", "an admin must name the enterprise (supplier or receiver) "
                                                       "it proposes for")
        return Actor(on_behalf_of, admin=True)
    if p.role is not Role.ENTERPRISE:
        raise Forbidden("only an enterprise (or an admin acting for one) may propose an exchange")
    if p.enterprise_id is None:
        raise Forbidden("register your enterprise (POST /api/v1/enterprises) before proposing exchanges")
    if on_behalf_of not in (None, p.enterprise_id):
        raise Forbidden("an enterprise proposes only for itself")
    return Actor(p.enterprise_id)


def exchange_scope(p: Principal) -> dict:
    """The restriction every exchange query gets for this caller (see ExchangeRepository.list)."""
    if p.is_admin:
        return {}
    if p.role is Role.PARK_MANAGER:
        return {"park_id": p.park_id}
    return {"enterprise_id": p.enterprise_id}
