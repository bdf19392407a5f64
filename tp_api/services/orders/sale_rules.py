"""Whether a checkout may buy some units of a ticket type now: the event's lifecycle, the
type's sale window and its per-order limits (the admin API sets them, the partner API
obeys them)."""

from __future__ import annotations

from datetime import datetime

from tp_api.models import TicketType
from tp_api.services.errors import InvalidInput, Said
from tp_api.services.orders.sellable import event_sellable


def check_sale(ticket_type: TicketType, units: int, now: datetime) -> None:
    """Raise InvalidInput (code ``ticket_type_not_on_sale`` or ``order_limit``) with a
    message a shop can show its customer; ``ticket_type.event`` must be loaded."""
    if not event_sellable(ticket_type.event):
        raise InvalidInput(
            Said(
                "Ticket type {name} ({type_id}) is not on sale: the event is {lifecycle}",
                name=ticket_type.name,
                type_id=ticket_type.id,
                lifecycle=ticket_type.event.lifecycle,
            ),
            code="ticket_type_not_on_sale",
        )
    if ticket_type.sales_start is not None and now < ticket_type.sales_start:
        raise InvalidInput(
            Said(
                "Ticket type {name} ({type_id}) is not on sale yet: sales start at {start}",
                name=ticket_type.name,
                type_id=ticket_type.id,
                start=_iso(ticket_type.sales_start),
            ),
            code="ticket_type_not_on_sale",
        )
    if ticket_type.sales_end is not None and now >= ticket_type.sales_end:
        raise InvalidInput(
            Said(
                "Ticket type {name} ({type_id}) is no longer on sale: sales ended at {end}",
                name=ticket_type.name,
                type_id=ticket_type.id,
                end=_iso(ticket_type.sales_end),
            ),
            code="ticket_type_not_on_sale",
        )
    if units < ticket_type.min_per_order:
        raise InvalidInput(
            Said(
                "Ticket type {name} ({type_id}) is sold at least {minimum} per order; "
                "{units} requested",
                name=ticket_type.name,
                type_id=ticket_type.id,
                minimum=ticket_type.min_per_order,
                units=units,
            ),
            code="order_limit",
        )
    if ticket_type.max_per_order is not None and units > ticket_type.max_per_order:
        raise InvalidInput(
            Said(
                "Ticket type {name} ({type_id}) is sold at most {maximum} per order; "
                "{units} requested",
                name=ticket_type.name,
                type_id=ticket_type.id,
                maximum=ticket_type.max_per_order,
                units=units,
            ),
            code="order_limit",
        )


def _iso(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")
