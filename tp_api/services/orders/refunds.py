"""Where money is given back: a full or partial refund of an order, with its reason.

A refund cancels the refunded tickets (unused ones first), gives their units back to stock
and records what was refunded, all in one transaction. Tickets already used at the door
are not refunded silently: the request is refused unless the caller says to include them
(an event cancellation does).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

from tp_api.db import lock_rows, utcnow, write_transaction
from tp_api.models import (
    Order,
    OrderLine,
    OrderStatus,
    Refund,
    Ticket,
    TicketStatus,
)
from tp_api.services import audit_trail
from tp_api.services.actors import SYSTEM, Actor
from tp_api.services.audit_trail import created
from tp_api.services.errors import Conflict, NotFound, Said, Unprocessable
from tp_api.services.orders import cancellation
from tp_api.services.webhooks import notify

_UNUSED = (TicketStatus.CREATED, TicketStatus.ACTIVE)


@dataclass(frozen=True)
class RefundRequest:
    """What to refund: ``lines`` maps order-line row id to units (the service's own callers),
    ``line_numbers`` maps the line's number within its order (1, 2, ...: the ``id`` the admin
    API and console show) to units; neither refunds everything left."""

    reason: str = ""
    lines: Mapping[int, int] | None = None
    line_numbers: Mapping[int, int] | None = None
    # The number of refunds the caller saw on the order: when set and the order has had
    # another refund since (a form sent twice, two people at once), nothing is refunded.
    expected_refunds: int | None = None


def refund_order(
    account_id: int, number: int, request: RefundRequest, *, actor: Actor = SYSTEM
) -> Refund:
    """Refund the account's order (by its public number), fully or by line and quantity."""
    actor.require("orders:write")
    with write_transaction():
        order = locked_order(account_id, number)
        before = order.status
        refund = refund_in_transaction(order, request, include_used=False)
        changes = created({"refunded": refund.amount_cents, "reason": refund.reason})
        after = Order.get_by_id(order.id).status
        if after != before:
            changes["status"] = [before, after]
        audit_trail.record(account_id, actor, "order.refunded", _subject(order), changes)
        return refund


def cancel_unpaid_order(account_id: int, number: int, *, actor: Actor = SYSTEM) -> Order:
    """Cancel the account's unpaid (pending or expired) order, by its public number: its stock
    hold is released.

    A paid order is refunded instead (409 ``order_paid``); a closed one stays as it is (409).
    """
    actor.require("orders:write")
    with write_transaction():
        order = locked_order(account_id, number)
        if order.is_paid:
            raise Conflict(
                Said(
                    "Order {reference} is paid; refund it instead of cancelling",
                    reference=order.reference,
                ),
                code="order_paid",
            )
        if order.status in (OrderStatus.CANCELLED, OrderStatus.REFUNDED):
            raise Conflict(
                Said(
                    "Order {reference} is already {status}",
                    reference=order.reference,
                    status=order.status,
                ),
                code="order_closed",
            )
        before = order.status
        cancellation.cancel_order(order, status=OrderStatus.CANCELLED)
        change = {"status": [before, OrderStatus.CANCELLED]}
        audit_trail.record(account_id, actor, "order.cancelled", _subject(order), change)
        return order


def _subject(order: Order) -> tuple[str, int, str]:
    return ("order", order.number, order.reference)


def locked_order(account_id: int, number: int) -> Order:
    """The account's order by its public number, row-locked on PostgreSQL; NotFound for
    another account's."""
    query = Order.select().where(Order.number == number, Order.account == account_id)
    order = lock_rows(query).first()
    if order is None:
        raise NotFound("Order not found", code="order_not_found")
    return order


def refund_in_transaction(order: Order, request: RefundRequest, *, include_used: bool) -> Refund:
    """Apply a refund inside the caller's write transaction (the order row locked)."""
    _check_refundable(order, request)
    ordered = list(OrderLine.select().where(OrderLine.order == order.id).order_by(OrderLine.id))
    lines = {line.id: line for line in ordered}
    # Lines are shown by their place in the order, never by row id: a row id would tell a
    # tenant how many order lines the whole platform has taken.
    number_of = {line.id: n for n, line in enumerate(ordered, start=1)}
    wanted = request.lines
    if request.line_numbers is not None:
        wanted = _by_row_id(ordered, request.line_numbers)
    units = _units_to_refund(lines, wanted, number_of)
    amount = sum(lines[i].unit_price_cents * n for i, n in units.items())
    everything = all(
        line.refunded_quantity + units.get(i, 0) >= line.quantity for i, line in lines.items()
    )
    remaining = order.total_cents - order.refunded_cents
    # A full refund gives back what was paid (fees and discounts included), never more.
    amount = remaining if everything else max(0, min(amount, remaining))
    for line_id, n in sorted(units.items()):
        _cancel_line_tickets(
            order, lines[line_id], number_of[line_id], n, include_used=include_used
        )
        OrderLine.update(refunded_quantity=OrderLine.refunded_quantity + n).where(
            OrderLine.id == line_id
        ).execute()
    now = utcnow()
    order.refunded_cents += amount
    order.updated_at = now
    if everything:
        order.status = OrderStatus.REFUNDED
    order.save(only=[Order.refunded_cents, Order.updated_at, Order.status])
    refund = Refund.create(
        order=order.id,
        amount_cents=amount,
        reason=request.reason,
        lines=json.dumps(
            [
                {"lineId": number_of[i], "quantity": n, "amount": lines[i].unit_price_cents * n}
                for i, n in sorted(units.items())
            ]
        ),
        created_at=now,
    )
    notify.order_refunded(order, refund)
    return refund


def _check_refundable(order: Order, request: RefundRequest) -> None:
    if not order.is_paid:
        raise Conflict(
            Said(
                "Order {reference} is {status}; only paid orders can be refunded",
                reference=order.reference,
                status=order.status,
            ),
            code="order_not_refundable",
        )
    if request.expected_refunds is not None:
        made = Refund.select().where(Refund.order == order.id).count()
        if made != request.expected_refunds:
            raise Conflict(
                Said(
                    "Order {reference} was refunded meanwhile ({made} refund(s) now); "
                    "nothing more was refunded. Check the order and try again if needed.",
                    reference=order.reference,
                    made=made,
                ),
                code="order_changed",
            )


def _by_row_id(ordered: list[OrderLine], by_number: Mapping[int, int]) -> dict[int, int]:
    """Line numbers (1-based places in the order) to row ids; 422 for a number with no line."""
    units: dict[int, int] = {}
    for number, n in by_number.items():
        if not 1 <= number <= len(ordered):
            raise Unprocessable(
                Said("Order line {number} is not on this order", number=number),
                code="line_not_found",
            )
        units[ordered[number - 1].id] = n
    return units


def _units_to_refund(
    lines: dict[int, OrderLine], wanted: Mapping[int, int] | None, number_of: dict[int, int]
) -> dict[int, int]:
    left = {i: line.quantity - line.refunded_quantity for i, line in lines.items()}
    if wanted is None:
        units = {i: n for i, n in left.items() if n > 0}
        if not units:
            raise Conflict("Nothing is left to refund on this order", code="already_refunded")
        return units
    for line_id, n in wanted.items():
        if line_id not in lines:
            raise Unprocessable(
                Said("Order line {number} is not on this order", number=line_id),
                code="line_not_found",
            )
        if n > left[line_id]:
            raise Unprocessable(
                Said(
                    "Line {number} has {left} unit(s) left to refund, not {asked}",
                    number=number_of[line_id],
                    left=left[line_id],
                    asked=n,
                ),
                code="refund_exceeds_line",
            )
    return dict(wanted)


def _cancel_line_tickets(
    order: Order, line: OrderLine, line_number: int, units: int, *, include_used: bool
) -> None:
    if line.ticket_type_id is None:
        return
    live = list(
        Ticket.select(Ticket.id, Ticket.status)
        .where(Ticket.order_line == line.id, Ticket.status != TicketStatus.CANCELLED)
        .order_by(Ticket.status, Ticket.id.desc())
    )
    chosen = [t for t in live if t.status in _UNUSED][:units]
    if len(chosen) < units and include_used:
        chosen += [t for t in live if t.status not in _UNUSED][: units - len(chosen)]
    if len(chosen) < min(units, len(live)):
        raise Conflict(
            Said(
                "{used} ticket(s) of line {number} were already used at the door; "
                "refund fewer units",
                used=min(units, len(live)) - len(chosen),
                number=line_number,
            ),
            code="tickets_already_used",
        )
    cancellation.cancel_tickets([t.id for t in chosen], line.ticket_type_id, release=units)


def list_refunds(order_id: int) -> list[Refund]:
    """The order's refunds, oldest first."""
    return list(Refund.select().where(Refund.order == order_id).order_by(Refund.id))
