"""Use cases of exchanges: propose on a match, accept or decline, record deliveries,
complete or cancel. Each loads what the rule needs, lets the domain decide, and commits the
exchange with its events (exchanges.v1) in one unit of work."""

from __future__ import annotations

from services.common.errors import InvalidFields, NotFound
from services.common.identity import Principal
from services.listings.domain.access import acting_as, exchange_scope, exchange_visible, listing_visible, proposer
from services.listings.domain.deliveries import Delivery
from services.listings.domain.exchanges import Exchange, ExchangeStatus
from services.listings.domain.listings import Listing
from services.listings.domain.specs import Kind, Side

from .handlers import ListingsContext


def _listing(uow, p: Principal, side: Side, listing_id: str, field: str) -> Listing:
    """A listing the request names: one the caller cannot see is a bad field, not a 404."""
    listing = uow.listings.get(listing_id, side)
    if listing is None or not listing_visible(p, listing):
        raise InvalidFields.single(field, f"no {side.value} {listing_id}")
    return listing


def propose_exchange(ctx: ListingsContext, p: Principal, data: dict) -> Exchange:
    by = proposer(p, data.get("on_behalf_of"))
    if bool(data.get("want_id")) == bool(data.get("receiver_enterprise_id")):
        raise InvalidFields.single("want_id", "name either a want or a receiver_enterprise_id (not both)")
    with ctx.uow() as uow:
        offer = _listing(uow, p, Side.OFFER, data["offer_id"], "offer_id")
        want = _listing(uow, p, Side.WANT, data["want_id"], "want_id") if data.get("want_id") else None
        receiver = uow.enterprises.get(want.enterprise_id if want else data["receiver_enterprise_id"])
        if receiver is None:
            raise InvalidFields.single("receiver_enterprise_id", f"no enterprise {data['receiver_enterprise_id']}")
        exchange = Exchange.propose(
            offer,
            want,
            receiver,
            by,
            data["agreed_amount"],
            data["agreed_unit"],
            data.get("price_cny_per_unit"),
            data.get("note"),
            today=ctx.today(),
        )
        uow.exchanges.add(exchange)
        uow.commit()
    return exchange


def _visible(uow, p: Principal, exchange_id: str, for_update: bool = False) -> Exchange:
    exchange = uow.exchanges.get(exchange_id, for_update=for_update)
    if exchange is None or not exchange_visible(p, exchange):
        raise NotFound(f"no exchange {exchange_id}")
    return exchange


def get_exchange(ctx: ListingsContext, p: Principal, exchange_id: str) -> Exchange:
    with ctx.uow() as uow:
        return _visible(uow, p, exchange_id)


def list_exchanges(
    ctx: ListingsContext,
    p: Principal,
    status: ExchangeStatus | None,
    kind: Kind | None,
    offset: int,
    limit: int,
    park_id: str | None = None,
) -> tuple[list[Exchange], int]:
    """The caller's visible exchanges, optionally only those with a party in `park_id`."""
    scope = exchange_scope(p)
    if scope.nothing:
        return [], 0
    with ctx.uow() as uow:
        return uow.exchanges.list(scope, status, kind, offset, limit, park_id)


def change_exchange(ctx: ListingsContext, p: Principal, exchange_id: str, action: str) -> Exchange:
    """accept, decline, cancel or complete."""
    with ctx.uow() as uow:
        exchange = _visible(uow, p, exchange_id, for_update=True)
        by = acting_as(p)
        if action == "accept":
            exchange.accept(by, today=ctx.today())
        else:
            {"decline": exchange.decline, "cancel": exchange.cancel, "complete": exchange.complete}[action](by)
        uow.exchanges.save(exchange)
        uow.commit()
    return exchange


def record_delivery(ctx: ListingsContext, p: Principal, exchange_id: str, data: dict) -> Delivery:
    with ctx.uow() as uow:
        exchange = _visible(uow, p, exchange_id, for_update=True)
        by = acting_as(p)
        receiver = uow.enterprises.get(exchange.receiver.enterprise_id)
        delivery = exchange.record_delivery(
            by,
            receiver,
            data["delivered_on"],
            data["amount"],
            data["unit"],
            data.get("evidence") or {},
            data.get("substitution") or {},
            confirm_over_delivery=data.get("confirm_over_delivery", False),
            today=ctx.today(),
        )
        uow.exchanges.save(exchange)
        uow.commit()
    return delivery


def list_deliveries(ctx: ListingsContext, p: Principal, exchange_id: str) -> list[Delivery]:
    return get_exchange(ctx, p, exchange_id).deliveries
