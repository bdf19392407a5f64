"""Shop orders for what cannot be sold (tp_api.services.orders.sellable): the shop took the money
(or holds the order) for an event that is cancelled, a draft, completed or archived, or a
ticket type that is disabled or removed. Such an order is recorded, issues no ticket and
takes no stock; a paid one is flagged ``needs_refund`` and announced (``shop_order.needs_refund``).
"""

from __future__ import annotations

from typing import Any

from tp_api.models import Event, ShopOrder, TicketType
from tp_api.services.orders.order_input import OrderInput
from tp_api.services.orders.sellable import why_not_sellable
from tp_api.services.webhooks import webhook_events

NEEDS_REFUND = "shop_order.needs_refund"


def unsellable_reasons(order: OrderInput) -> list[str]:
    """Why the order's ticket lines cannot be sold; empty when all of them can."""
    wanted = order.ticket_quantities()
    if not wanted:
        return []
    found = {
        t.id: t
        for t in TicketType.select(TicketType, Event)
        .join(Event)
        .where(TicketType.id.in_(list(wanted)))
    }
    reasons = []
    for type_id in sorted(wanted):
        ticket_type = found.get(type_id)
        reason = why_not_sellable(ticket_type, ticket_type.event if ticket_type else None)
        if reason is not None:
            reasons.append(f"ticket type {type_id} cannot be sold: {reason}")
    return reasons


def flag_needs_refund(account_id: int, shop_id: int, external_id: int, reasons: list[str]) -> None:
    """Mark the recorded shop order as to be refunded in the shop, and announce it; call in
    the ingesting transaction, after the binding is saved."""
    binding = ShopOrder.get(ShopOrder.shop == shop_id, ShopOrder.external_id == external_id)
    if binding.needs_refund:
        return
    ShopOrder.update(needs_refund=True).where(ShopOrder.id == binding.id).execute()

    def data() -> dict[str, Any]:
        return {
            "shop_id": shop_id,
            "shop_order_id": external_id,
            "status": binding.status,
            "reasons": reasons,
        }

    webhook_events.emit(account_id, NEEDS_REFUND, data)


def orders_to_refund(shop_id: int) -> list[ShopOrder]:
    """The shop's orders flagged ``needs_refund``, oldest first."""
    return list(
        ShopOrder.select()
        .where(ShopOrder.shop == shop_id, ShopOrder.needs_refund == True)  # noqa: E712
        .order_by(ShopOrder.id)
    )
