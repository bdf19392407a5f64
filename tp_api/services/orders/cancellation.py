"""Where tickets are cancelled and stock is given back (shop cancellations and refunds).

A ticket that was already scanned at the door is never cancelled silently: it is left as it
is and reported, so a person can decide (the sync run records it as a problem).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from tp_api.db import tuples, utcnow
from tp_api.models import Event, FraudReview, Order, OrderStatus, Ticket, TicketStatus, TicketType
from tp_api.services.orders import stock
from tp_api.services.webhooks import notify

# Cancelled first: not personalised yet, then personalised but unused.
_CANCEL_ORDER = (TicketStatus.CREATED, TicketStatus.ACTIVE)
_USED = (TicketStatus.SCANNED_IN, TicketStatus.SCANNED_OUT)


@dataclass
class CancelOutcome:
    cancelled: int = 0
    released: int = 0
    needs_attention: list[str] = field(default_factory=list)


def cancel_order(order: Order, *, status: str) -> CancelOutcome:
    """Cancel an order (``cancelled``, ``refunded`` or ``failed``): its unused tickets are
    cancelled (status 5) and their units, or an unpaid order's reservation, released.

    Call inside a write transaction.
    """
    outcome = CancelOutcome()
    if order.status in (OrderStatus.CANCELLED, OrderStatus.REFUNDED):
        return outcome
    if order.is_paid:
        held = stock.held_by_order(order.id)
        for type_id in sorted(held.quantities):
            # An order held for fraud review has no tickets yet: its units are what it holds.
            units = held.quantities[type_id] if _unissued(order) else _live_count(order.id, type_id)
            result = cancel_units(order, type_id, units)
            outcome.cancelled += result.cancelled
            outcome.released += result.released
            outcome.needs_attention += result.needs_attention
    elif order.status != OrderStatus.EXPIRED:  # an expired order holds nothing any more
        held = stock.held_by_order(order.id)
        stock.release(held, paid=False)
        outcome.released = sum(held.quantities.values())
    order.hold_expires_at = None
    order.status = (
        status
        if status in (OrderStatus.CANCELLED, OrderStatus.REFUNDED)
        else (OrderStatus.CANCELLED)
    )
    order.updated_at = utcnow()
    order.save(only=[Order.status, Order.updated_at, Order.hold_expires_at])
    if order.status == OrderStatus.REFUNDED:
        notify.order_refunded(order, None)
    else:
        notify.order_cancelled(order)
    return outcome


def cancel_units(order: Order, ticket_type_id: int, units: int) -> CancelOutcome:
    """Cancel ``units`` live tickets of one type of a paid order (a partial refund)."""
    outcome = CancelOutcome()
    if units <= 0:
        return outcome
    if _unissued(order):
        # Held for fraud review: no tickets were issued, the units are released as such.
        cancel_tickets([], ticket_type_id, release=units)
        outcome.released = units
        return outcome
    live = list(
        Ticket.select()
        .where(
            Ticket.order == order.id,
            Ticket.ticket_type == ticket_type_id,
            Ticket.status != TicketStatus.CANCELLED,
        )
        .order_by(Ticket.status, Ticket.id.desc())
    )
    cancellable = [t for t in live if t.status in _CANCEL_ORDER][:units]
    cancel_tickets([t.id for t in cancellable], ticket_type_id, release=len(cancellable))
    outcome.cancelled = outcome.released = len(cancellable)
    for ticket in [t for t in live if t.status in _USED][: max(0, units - len(cancellable))]:
        outcome.needs_attention.append(
            f"ticket {ticket.reference} of order {order.reference} was refunded or cancelled "
            "in the shop but has already been scanned"
        )
    return outcome


def cancel_tickets(ticket_ids: Sequence[int], ticket_type_id: int, *, release: int) -> None:
    """Cancel these tickets of one type (status 5) and give ``release`` sold units of the
    type back to its stock (and its event's shared pool). The caller's transaction holds it."""
    if ticket_ids:
        (
            Ticket.update(status=TicketStatus.CANCELLED, updated_at=utcnow())
            .where(Ticket.id.in_(list(ticket_ids)))
            .execute()
        )
    if release > 0:
        ticket_type = (
            TicketType.select(TicketType, Event)
            .join(Event)
            .where(TicketType.id == ticket_type_id)
            .get()
        )
        stock.release(
            stock.StockPlan({ticket_type_id: release}, {ticket_type_id: ticket_type}), paid=True
        )


def _unissued(order: Order) -> bool:
    """Whether the order is paid but its tickets are held back (fraud review)."""
    return order.fraud_review == FraudReview.HELD


def _live_count(order_id: int, ticket_type_id: int) -> int:
    return (
        Ticket.select()
        .where(
            Ticket.order == order_id,
            Ticket.ticket_type == ticket_type_id,
            Ticket.status != TicketStatus.CANCELLED,
        )
        .count()
    )


def live_tickets_by_type(order_id: int) -> dict[int, int]:
    """Ticket type id -> tickets not cancelled."""
    counts: dict[int, int] = {}
    rows = tuples(
        Ticket.select(Ticket.ticket_type).where(
            Ticket.order == order_id, Ticket.status != TicketStatus.CANCELLED
        )
    )
    for (type_id,) in rows:
        counts[type_id] = counts.get(type_id, 0) + 1
    return counts
