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
        said = Said(
            "Ticket type {name} ({type_id}) is not on sale: the event is {lifecycle}",
            **_named(ticket_type),
            lifecycle=ticket_type.event.lifecycle,
        )
        raise InvalidInput(said, code="ticket_type_not_on_sale")
    if ticket_type.sales_start is not None and now < ticket_type.sales_start:
        said = Said(
            "Ticket type {name} ({type_id}) is not on sale yet: sales start at {start}",
            **_named(ticket_type),
            start=_iso(ticket_type.sales_start),
        )
        raise InvalidInput(said, code="ticket_type_not_on_sale")
    if ticket_type.sales_end is not None and now >= ticket_type.sales_end:
        said = Said(
            "Ticket type {name} ({type_id}) is no longer on sale: sales ended at {end}",
            **_named(ticket_type),
            end=_iso(ticket_type.sales_end),
        )
        raise InvalidInput(said, code="ticket_type_not_on_sale")
    _check_limits(ticket_type, units)


def _check_limits(ticket_type: TicketType, units: int) -> None:
    if units < ticket_type.min_per_order:
        said = Said(
            "Ticket type {name} ({type_id}) is sold at least {minimum} per order; "
            "{units} requested",
            **_named(ticket_type),
            minimum=ticket_type.min_per_order,
            units=units,
        )
        raise InvalidInput(said, code="order_limit")
    if ticket_type.max_per_order is not None and units > ticket_type.max_per_order:
        said = Said(
            "Ticket type {name} ({type_id}) is sold at most {maximum} per order; {units} requested",
            **_named(ticket_type),
            maximum=ticket_type.max_per_order,
            units=units,
        )
        raise InvalidInput(said, code="order_limit")


def _named(ticket_type: TicketType) -> dict[str, object]:
    """How each refusal names the ticket type (built only when refusing: the order path
    checks every line)."""
    return {"name": ticket_type.name, "type_id": ticket_type.id}


def _iso(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")
