"""A person's review of risky orders: the queue, an order's report, approve and reject.

Approving a held order issues its tickets (their units were taken when it was created);
rejecting any reviewed order cancels it through ``orders.cancellation.cancel_order``, which
gives back its units (a held order's too, though it has no tickets). Each decision is in
the audit trail, with who made it.
"""

from __future__ import annotations

from dataclasses import dataclass

import peewee

from tp_api.db import utcnow, write_transaction
from tp_api.models import FraudReview, Order, OrderLine, OrderStatus
from tp_api.schemas.fraud import FraudReportOut
from tp_api.services import audit_trail
from tp_api.services.actors import Actor
from tp_api.services.errors import Conflict, NotFound, Said
from tp_api.services.fraud import reports
from tp_api.services.orders import cancellation, issue, refunds

QUEUE_SIZE = 50
_CLOSED = (OrderStatus.CANCELLED, OrderStatus.REFUNDED)
# Spelled as the partial index ``order_fraud_queue`` (migration 0023) is, so that SQLite's
# planner sees the query implies the index's condition (a bound parameter would not).
_OPEN_SQL = peewee.SQL("\"fraud_review\" IN ('review', 'held')")


@dataclass(frozen=True)
class QueuePage:
    """Open reviews newest first, and the id to pass as ``before_id`` for the next page."""

    orders: list[Order]
    next_before_id: int | None


def review_queue(
    account_id: int, *, actor: Actor, before_id: int | None = None, limit: int = QUEUE_SIZE
) -> QueuePage:
    """The account's flagged and held orders that are still open, newest first."""
    actor.require("orders:read")
    query = Order.select().where(Order.account == account_id, _OPEN_SQL)
    if before_id is not None:
        query = query.where(Order.id < before_id)
    rows = list(query.order_by(Order.id.desc()).limit(limit + 1))
    more = len(rows) > limit
    rows = rows[:limit]
    return QueuePage(rows, rows[-1].id if more and rows else None)


def fraud_report(account_id: int, number: int, *, actor: Actor) -> FraudReportOut:
    """The order's report, by its public number (NotFound for another account's)."""
    actor.require("orders:read")
    order = _order(account_id, number)
    return reports.report_out(order, reports.last_decision(account_id, number))


def approve(account_id: int, number: int, *, actor: Actor) -> Order:
    """Accept a flagged or held order; a held, paid one gets its tickets now.

    Raises Conflict (``fraud_not_open``) when it is not waiting for a review, or is closed.
    """
    actor.require("orders:write")
    with write_transaction():
        order = refunds.locked_order(account_id, number)
        before = _open_review(order)
        order.fraud_review = FraudReview.APPROVED
        order.updated_at = utcnow()
        order.save(only=[Order.fraud_review, Order.updated_at])
        issued = 0
        if before == FraudReview.HELD and order.is_paid:
            # Its units were sold when it was created: only the tickets are missing.
            plan = issue.issue_missing_tickets(order, _refunded_by_type(order.id))
            issued = sum(plan.quantities.values())
        changes: dict[str, list[object]] = {"fraud_review": [before, FraudReview.APPROVED]}
        if issued:
            changes["tickets_issued"] = [0, issued]
        audit_trail.record(account_id, actor, "fraud.approved", _subject(order), changes)
        return order


def reject(account_id: int, number: int, *, actor: Actor) -> cancellation.CancelOutcome:
    """Refuse a flagged or held order: it is cancelled, its unused tickets cancelled and its
    units released (tickets already scanned are left and reported in ``needs_attention``).

    Raises Conflict (``fraud_not_open``) when it is not waiting for a review, or is closed.
    """
    actor.require("orders:write")
    with write_transaction():
        order = refunds.locked_order(account_id, number)
        before = _open_review(order)
        status = order.status
        # The review state is changed after the cancellation: a held order's units are
        # released as units because it is still marked held (it has no tickets).
        outcome = cancellation.cancel_order(order, status=OrderStatus.CANCELLED)
        order.fraud_review = FraudReview.REJECTED
        order.save(only=[Order.fraud_review])
        changes = {
            "fraud_review": [before, FraudReview.REJECTED],
            "status": [status, order.status],
        }
        audit_trail.record(account_id, actor, "fraud.rejected", _subject(order), changes)
        return outcome


def _order(account_id: int, number: int) -> Order:
    order = Order.get_or_none(Order.number == number, Order.account == account_id)
    if order is None:
        raise NotFound("Order not found", code="order_not_found")
    return order


def _open_review(order: Order) -> str:
    if order.fraud_review not in FraudReview.OPEN or order.status in _CLOSED:
        raise Conflict(
            Said(
                "Order {reference} is not waiting for a fraud review",
                reference=order.reference,
            ),
            code="fraud_not_open",
        )
    return str(order.fraud_review)


def _refunded_by_type(order_id: int) -> dict[int, int]:
    refunded: dict[int, int] = {}
    lines = OrderLine.select(OrderLine.ticket_type, OrderLine.refunded_quantity).where(
        OrderLine.order == order_id, OrderLine.ticket_type.is_null(False)
    )
    for line in lines:
        type_id = int(line.ticket_type_id or 0)
        refunded[type_id] = refunded.get(type_id, 0) + line.refunded_quantity
    return refunded


def _subject(order: Order) -> tuple[str, int, str]:
    return ("order", order.number, order.reference)
