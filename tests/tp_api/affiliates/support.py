"""Affiliates as the tests arrange them: registered through the service, orders pushed
through the partner API's parser and the real order service."""

from __future__ import annotations

from typing import Any

from tests.factories import Seller, order_body
from tp_api.models import Affiliate, AffiliateOrder, TicketType
from tp_api.services.actors import SYSTEM
from tp_api.services.affiliates import registry
from tp_api.services.orders import submit
from tp_api.services.orders.order_input import parse_partner_order


def affiliate(seller: Seller, name: str = "Anna", rate: int = 1000, code: str = "") -> Affiliate:
    """A registered affiliate (``rate`` in basis points: 1000 is 10 %)."""
    draft = registry.AffiliateDraft(name=name, rate_bps=rate, code=code)
    return registry.create_affiliate(seller.id, draft, actor=SYSTEM)


def push(
    seller: Seller,
    ticket_type: TicketType | int,
    *,
    quantity: int = 1,
    wp_order_id: str,
    coupons: tuple[str, ...] = (),
    **fields: Any,
) -> submit.OrderOutcome:
    """A paid partner push of ``quantity`` tickets at 29.95, with coupon lines of 0.00."""
    type_id = ticket_type if isinstance(ticket_type, int) else ticket_type.id
    body = order_body(type_id, quantity=quantity, wp_order_id=wp_order_id, **fields)
    for code in coupons:
        body["order_lines"].append(
            {"name": code, "quantity": 1, "order_item_type": "coupon", "unit_price": 0}
        )
    return submit.submit_order(seller.id, parse_partner_order(body))


def attribution(order_id: int) -> AffiliateOrder | None:
    """The order's attribution row, if it has one."""
    return AffiliateOrder.get_or_none(AffiliateOrder.order == order_id)
