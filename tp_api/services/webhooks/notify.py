"""The webhook events of each domain change, built as the admin API renders the object.

Each function is called inside the transaction of its change and costs nothing but a
cached lookup when the account has no endpoint listening (see webhook_events.emit). The
orders' events are also where orders are counted (services.counts, after the commit).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial
from typing import Any

from pydantic import BaseModel

from tp_api.models import Event, Order, Refund, Ticket, TicketType
from tp_api.services import admin_render, counts
from tp_api.services.events import event_catalogue
from tp_api.services.orders import order_queries
from tp_api.services.webhooks import webhook_events


def _dump(model: BaseModel) -> dict[str, Any]:
    return model.model_dump(mode="json", by_alias=True)


def _order(account_id: int, order_id: int) -> dict[str, Any]:
    return _dump(admin_render.order_out(order_queries.get_order_by_id(account_id, order_id)))


def order_created(account_id: int, order_id: int, *, paid: bool) -> None:
    counts.count(counts.ORDER_CREATED)
    webhook_events.emit(account_id, "order.created", lambda: _order(account_id, order_id))
    if paid:
        order_paid(account_id, order_id)


def order_paid(account_id: int, order_id: int) -> None:
    counts.count(counts.ORDER_PAID)
    webhook_events.emit(account_id, "order.paid", lambda: _order(account_id, order_id))


def order_refunded(order: Order, refund: Refund | None) -> None:
    counts.count(counts.ORDER_REFUNDED)

    def data() -> dict[str, Any]:
        detail = order_queries.get_order_by_id(order.account_id, order.id)
        body = _dump(admin_render.order_out(detail))
        if refund is not None:
            number = [r.id for r in detail.refunds].index(refund.id) + 1
            body["refund"] = _dump(admin_render.refund_out(refund, number))
        return body

    webhook_events.emit(order.account_id, "order.refunded", data)


def order_cancelled(order: Order) -> None:
    webhook_events.emit(
        order.account_id, "order.cancelled", lambda: _order(order.account_id, order.id)
    )


def order_expired(order: Order) -> None:
    """An unpaid order's stock hold lapsed (TP_UNPAID_HOLD_SECONDS)."""
    webhook_events.emit(
        order.account_id, "order.expired", lambda: _order(order.account_id, order.id)
    )


def tickets_personalized(account_id: int, tickets: Iterable[Ticket]) -> None:
    for ticket in tickets:
        webhook_events.emit(
            account_id,
            "ticket.personalized",
            partial(_ticket, ticket),
        )


def ticket_reissued(account_id: int, ticket: Ticket) -> None:
    webhook_events.emit(
        account_id,
        "ticket.reissued",
        partial(_ticket, ticket),
    )


def checkin_completed(account_id: int, data: dict[str, Any]) -> None:
    webhook_events.emit(account_id, "checkin.completed", lambda: data)


def listening(account_id: int, event_type: str) -> bool:
    """Whether any endpoint of the account hears ``event_type`` (cached, cheap)."""
    return bool(webhook_events.subscribers(account_id, event_type))


def _event(event: Event) -> dict[str, Any]:
    return _dump(admin_render.event_out(event_catalogue.event_node(event)))


def event_published(event: Event) -> None:
    webhook_events.emit(event.account_id, "event.published", lambda: _event(event))


def event_cancelled(event: Event) -> None:
    webhook_events.emit(event.account_id, "event.cancelled", lambda: _event(event))


def sold_out_after_sale(account_id: int, ticket_type_ids: Iterable[int]) -> None:
    """After units were taken: ``ticket_type.sold_out`` for each type with nothing left and
    ``event.sold_out`` for each (top-level) event that has nothing left."""
    per_type = listening(account_id, "ticket_type.sold_out")
    per_event = listening(account_id, "event.sold_out")
    if not (per_type or per_event):
        return
    types = list(
        TicketType.select(TicketType, Event)
        .join(Event)
        .where(TicketType.id.in_(list(ticket_type_ids)))
    )
    events: dict[int, Event] = {}
    for ticket_type in types:
        pool_left = event_catalogue.pool_available(ticket_type.event)
        if ticket_type.available == 0 or pool_left == 0:
            if per_type:
                webhook_events.emit(
                    account_id,
                    "ticket_type.sold_out",
                    partial(_ticket_type, ticket_type),
                )
            top = ticket_type.event.parent_id or ticket_type.event_id
            events[top] = ticket_type.event
    if not per_event:
        return
    for event_id in events:
        event = Event.get_by_id(event_id)
        node = event_catalogue.event_node(event)
        if event_catalogue.is_sold_out(node):
            webhook_events.emit(account_id, "event.sold_out", partial(_event_node, node))


def ticket_type_price_changed(
    account_id: int, ticket_type: TicketType, previous_cents: int, who: str
) -> None:
    """``ticket_type.price_changed`` (seed 002): the ticket type as the admin API renders it,
    with the price before the change and who made it (the key's label, the staff user's
    e-mail address, or the command line)."""

    def data() -> dict[str, Any]:
        body = _ticket_type(ticket_type)
        body["previousPrice"] = previous_cents
        body["changedBy"] = who
        return body

    webhook_events.emit(account_id, "ticket_type.price_changed", data)


def ticket_type_availability_changed(
    ticket_type: TicketType, previous: int, available: int, reason: str
) -> None:
    """``ticket_type.availability_changed`` (seed 002): the ticket type as the admin API
    renders it, the units left before and now, whether it is now sold out, and why
    (services.orders.availability)."""

    def data() -> dict[str, Any]:
        body = _ticket_type(ticket_type)
        body.update(
            previousAvailable=previous, available=available, soldOut=available == 0, reason=reason
        )
        return body

    webhook_events.emit(ticket_type.event.account_id, "ticket_type.availability_changed", data)


def _ticket(ticket: Ticket) -> dict[str, Any]:
    return _dump(admin_render.ticket_out(ticket, order_queries.order_number(ticket.order_id)))


def _ticket_type(ticket_type: TicketType) -> dict[str, Any]:
    return _dump(admin_render.ticket_type_out(ticket_type, ticket_type.event.currency))


def _event_node(node: event_catalogue.EventNode) -> dict[str, Any]:
    return _dump(admin_render.event_out(node))


def tickets_created(
    account_id: int, order_id: int, references: Iterable[str] | None = None
) -> None:
    """``ticket.created`` for each ticket just issued (by reference; None: every ticket of
    the order, just paid), rendered like ``ticket.personalized``; the tickets are read only
    when someone listens."""
    if not listening(account_id, "ticket.created"):
        return
    tickets = Ticket.select().where(Ticket.order == order_id)
    if references is not None:
        tickets = tickets.where(Ticket.reference.in_(list(references)))
    for ticket in tickets.order_by(Ticket.id):
        webhook_events.emit(account_id, "ticket.created", partial(_ticket, ticket))


def fraud_alert(account_id: int, order_id: int, report: Callable[[], dict[str, Any]]) -> None:
    """A high-risk order was held: the order as the admin API renders it, and ``fraud``,
    its report as ``GET /api/v1/orders/{id}/fraud`` renders it."""
    webhook_events.emit(
        account_id,
        "fraud.alert",
        lambda: {**_order(account_id, order_id), "fraud": report()},
    )
