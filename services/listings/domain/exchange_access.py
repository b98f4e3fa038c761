"""Who may see an exchange, and whom a caller acts as on one, from the caller's Principal.

The aggregate (exchanges.py) decides which actor may make each transition; these helpers turn
a principal into that actor, and decide what a caller sees and how its queries are scoped.
The tenant rules of parks, enterprises and listings are in access.py.
"""
from __future__ import annotations

from services.common.errors import Forbidden, InvalidFields
from services.common.identity import Principal, Role

from .exchanges import Actor, Exchange


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
