"""Orders, refunds, resends and ticket transfers: ``/api/v1/orders``, ``/api/v1/tickets``."""

from __future__ import annotations

from flask import g

from tp_api.schemas.base import ResponseModel
from tp_api.schemas.orders import (
    OrderList,
    OrderListQuery,
    OrderOut,
    RefundCreate,
    ResendCreate,
    TicketOut,
    TicketTransfer,
)
from tp_api.services.admin_render import order_out, order_summary, ticket_out
from tp_api.services.orders import order_queries, refunds, ticket_actions
from tp_api.services.orders.order_queries import OrderFilter
from tp_api.services.orders.personalise import AttendeeInput
from tp_api.web.admin import bp
from tp_api.web.api_routes import operation

READ, WRITE = ("orders:read",), ("orders:write",)

# ``order_id`` in these paths is the order's public number (the ``id`` of every answer), not
# its row id: the name stays as published in the OpenAPI document.


class ResendOut(ResponseModel):
    emails_queued: int


@operation(
    bp,
    "/orders",
    "GET",
    summary="List orders",
    tag="Orders",
    scopes=READ,
    query=OrderListQuery,
    response=OrderList,
    errors=(400,),
)
def list_orders(query: OrderListQuery) -> OrderList:
    """Newest first, filtered by event, status, date, e-mail or the shop's order id."""
    page = order_queries.list_orders(
        g.caller.account_id,
        OrderFilter(
            query.event_id,
            query.status,
            query.date_from,
            query.date_to,
            query.email,
            query.wp_order_id,
        ),
        limit=query.limit,
        cursor=query.cursor,
    )
    return OrderList(items=[order_summary(o) for o in page.orders], next_cursor=page.next_cursor)


@operation(
    bp,
    "/orders/<int:order_id>",
    "GET",
    summary="Get an order",
    tag="Orders",
    scopes=READ,
    response=OrderOut,
    errors=(404,),
)
def get_order(order_id: int) -> OrderOut:
    """The order with its lines, tickets and refunds."""
    return order_out(order_queries.get_order(g.caller.account_id, order_id))


@operation(
    bp,
    "/orders/<int:order_id>/refund",
    "POST",
    summary="Refund an order",
    tag="Orders",
    scopes=WRITE,
    body=RefundCreate,
    response=OrderOut,
    errors=(400, 404, 409, 422),
)
def refund_order(order_id: int, body: RefundCreate) -> OrderOut:
    """Full (no ``lines``) or by line and quantity; releases stock, cancels the tickets."""
    lines: dict[int, int] | None = None
    if body.lines is not None:
        lines = {}
        for line in body.lines:
            lines[line.line_id] = lines.get(line.line_id, 0) + line.quantity
    refunds.refund_order(
        g.caller.account_id,
        order_id,
        refunds.RefundRequest(reason=body.reason, line_numbers=lines),
        actor=g.caller.actor,
    )
    return order_out(order_queries.get_order(g.caller.account_id, order_id))


@operation(
    bp,
    "/orders/<int:order_id>/cancel",
    "POST",
    summary="Cancel an unpaid order",
    tag="Orders",
    scopes=WRITE,
    response=OrderOut,
    errors=(404, 409),
)
def cancel_order(order_id: int) -> OrderOut:
    """A pending or expired order is cancelled and its stock hold released (paid: refund)."""
    refunds.cancel_unpaid_order(g.caller.account_id, order_id, actor=g.caller.actor)
    return order_out(order_queries.get_order(g.caller.account_id, order_id))


@operation(
    bp,
    "/orders/<int:order_id>/resend",
    "POST",
    summary="Resend the confirmation e-mail",
    tag="Orders",
    scopes=WRITE,
    body=ResendCreate,
    response=ResendOut,
    status=202,
    errors=(404, 409),
)
def resend_order(order_id: int, body: ResendCreate) -> ResendOut:
    """Queue the tickets e-mail again (once per event of the order)."""
    return ResendOut(emails_queued=ticket_actions.resend_tickets(g.caller.account_id, order_id))


@operation(
    bp,
    "/tickets/<ticket_id>/transfer",
    "POST",
    summary="Transfer a ticket",
    tag="Tickets",
    scopes=WRITE,
    body=TicketTransfer,
    response=TicketOut,
    errors=(400, 404, 409),
)
def transfer_ticket(ticket_id: str, body: TicketTransfer) -> TicketOut:
    """Re-issue the ticket to a new holder; its old code and files stop working."""
    ticket = ticket_actions.transfer_ticket(
        g.caller.account_id,
        ticket_id,
        AttendeeInput(ticket_id, body.first_name, body.last_name, body.email, body.phone),
        actor=g.caller.actor,
    )
    return ticket_out(ticket, order_queries.order_number(ticket.order_id))
