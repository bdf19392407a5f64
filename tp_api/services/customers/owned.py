"""What a shop customer (an external ``wp_user_id``) owns: their events and tickets."""

from __future__ import annotations

from dataclasses import dataclass

import peewee

from tp_api.models import Event, Order, Ticket, TicketType
from tp_api.services.errors import NotFound
from tp_api.services.events.catalogue import event_scope, get_event


def events_of_user(account_id: int, wp_user_id: int) -> list[Event]:
    """The events the user holds tickets for (a child event is reported as itself).

    Raises NotFound (``user_has_no_orders``) when the user has no order at all with this account.
    """
    has_orders = (
        Order.select(Order.id)
        .where(Order.account == account_id, Order.wp_user_id == wp_user_id)
        .exists()
    )
    if not has_orders:
        raise NotFound("External user has no orders", code="user_has_no_orders")
    event_ids = (
        Ticket.select(Ticket.event)
        .where(Ticket.order.in_(_orders_of(account_id, wp_user_id)))
        .distinct()
    )
    return list(
        Event.select()
        .where(Event.id.in_(event_ids), Event.deleted_at.is_null())
        .order_by(Event.start_date.asc(nulls="LAST"), Event.id)
    )


@dataclass(frozen=True)
class OwnedTicket:
    """A ticket with its order, ticket type and event loaded, and the top-level event."""

    ticket: Ticket
    top_event: Event


def tickets_of_user(account_id: int, event_id: int, wp_user_id: int) -> list[OwnedTicket]:
    """The user's tickets for the event (and its sub-dates), oldest order first."""
    event = get_event(account_id, event_id)
    tickets = list(
        Ticket.select(Ticket, Order, TicketType, Event)
        .join(Order)
        .switch(Ticket)
        .join(TicketType)
        .switch(Ticket)
        .join(Event)
        .where(
            Ticket.order.in_(_orders_of(account_id, wp_user_id)),
            Ticket.event.in_(event_scope(event)),
        )
        .order_by(Order.id, Ticket.id)
    )
    parent_ids = {t.event.parent_id for t in tickets if t.event.parent_id is not None}
    parents = (
        {e.id: e for e in Event.select().where(Event.id.in_(sorted(parent_ids)))}
        if parent_ids
        else {}
    )
    return [
        OwnedTicket(t, parents.get(t.event.parent_id, t.event) if t.event.parent_id else t.event)
        for t in tickets
    ]


def _orders_of(account_id: int, wp_user_id: int) -> peewee.ModelSelect[Order]:
    # Written as "tickets of these orders" so the planner starts from the user's few orders:
    # as a join, SQLite's statistics (most orders carry no wp_user_id) made it scan every
    # ticket of the account instead (386 ms at a million tickets, pages_bench).
    return Order.select(Order.id).where(Order.account == account_id, Order.wp_user_id == wp_user_id)
