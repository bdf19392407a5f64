"""Where an event's (or a date's) shared capacity is set, changed or removed."""

from __future__ import annotations

import peewee

from tp_api.db import tuples
from tp_api.models import Event, TicketType
from tp_api.services.errors import Said, Unprocessable
from tp_api.services.orders import availability


def change_capacity(account_id: int, event: Event, capacity: int | None) -> None:
    """Set the capacity (None: none) and save the event, in the caller's transaction with
    the event's row locked; ``ticket_type.availability_changed`` is raised for each of its
    types that sells out or comes back by it."""
    with availability.watching(account_id, [event.id]):
        set_capacity(event, capacity)
        event.save()


def set_capacity(event: Event, capacity: int | None) -> None:
    """Set or remove the pool shared by the event's own ticket types (each date has its own
    capacity: a date's tickets never draw from its parent's pool, see services.stock)."""
    if capacity is None:
        if not event.manage_stock_per_ticket:
            # Each type is its own pool again; the event's stock shows their sum.
            event.manage_stock_per_ticket = True
            event.stock = _type_stock(event)
        return
    held = event.sold + event.reserved if not event.manage_stock_per_ticket else units_held(event)
    if capacity < held:
        said = Said(
            "capacity {capacity} is below the {held} tickets already sold or reserved",
            capacity=capacity,
            held=held,
        )
        raise Unprocessable(said, code="capacity_below_sold")
    if event.manage_stock_per_ticket:
        # Switching to a shared pool: it starts holding what the types hold.
        event.sold, event.reserved = _type_totals(event)
    event.manage_stock_per_ticket = False
    event.stock = capacity


def _type_stock(event: Event) -> int:
    total = (
        TicketType.select(peewee.fn.COALESCE(peewee.fn.SUM(TicketType.stock), 0))
        .where(TicketType.event == event.id)
        .scalar()
    )
    return int(total or 0)


def units_held(event: Event) -> int:
    """Tickets of the event's own ticket types sold or reserved."""
    sold, reserved = _type_totals(event)
    return sold + reserved


def _type_totals(event: Event) -> tuple[int, int]:
    totals = TicketType.select(
        peewee.fn.COALESCE(peewee.fn.SUM(TicketType.sold), 0),
        peewee.fn.COALESCE(peewee.fn.SUM(TicketType.reserved), 0),
    ).where(TicketType.event == event.id)
    row = next(tuples(totals), None)
    return (int(row[0]), int(row[1])) if row else (0, 0)
