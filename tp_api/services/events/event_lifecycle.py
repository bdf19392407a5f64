"""Where an event moves through its lifecycle: draft -> published -> completed -> archived,
and cancel, which cancels every ticket and refunds every order in one transaction.

Only a published event sells (the partner API refuses the others); ``sold_out`` is a
published event with nothing left (tp_api.services.events.event_catalogue.effective_status).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import peewee

from tp_api.db import tuples, utcnow, write_transaction
from tp_api.models import (
    Event,
    EventLifecycle,
    Order,
    OrderLine,
    OrderStatus,
    ShopOrder,
    TicketType,
)
from tp_api.services.actors import SYSTEM, Actor
from tp_api.services.audit_trail import created
from tp_api.services.errors import Conflict, Said
from tp_api.services.events import event_audit
from tp_api.services.events.event_admin import locked_event
from tp_api.services.events.event_catalogue import event_and_dates, find_event
from tp_api.services.orders import cancellation
from tp_api.services.orders.refunds import RefundRequest, refund_in_transaction
from tp_api.services.webhooks import notify

# Which states each action may start from.
_PUBLISH_FROM = (EventLifecycle.DRAFT,)
_COMPLETE_FROM = (EventLifecycle.PUBLISHED,)
_ARCHIVE_FROM = (EventLifecycle.COMPLETED, EventLifecycle.CANCELLED)
_CANCEL_FROM = (EventLifecycle.DRAFT, EventLifecycle.PUBLISHED)


@dataclass(frozen=True)
class CancelSummary:
    event: Event
    orders_refunded: int
    orders_cancelled: int
    tickets_cancelled: int


@dataclass(frozen=True)
class CancelPreview:
    """What cancelling an event would do: paid orders refunded, unpaid ones cancelled, and
    how many of the paid ones came from a shop (to be refunded in the shop too)."""

    event: Event
    orders_to_refund: int
    orders_to_cancel: int
    shop_orders_to_refund: int


def publish_event(account_id: int, id_or_slug: str, *, actor: Actor = SYSTEM) -> Event:
    """Put a draft on sale; it needs a start time and at least one ticket type."""
    actor.require("events:write")
    with write_transaction():
        event = _event_in(account_id, id_or_slug, _PUBLISH_FROM, "publish")
        scope = event_and_dates(event.id)
        if event.start_date is None:
            raise Conflict(
                "An event needs startsAt before it is published", code="event_incomplete"
            )
        if not TicketType.select().where(TicketType.event.in_(scope)).exists():
            raise Conflict(
                "An event needs at least one ticket type before it is published",
                code="event_incomplete",
            )
        published = _move(event, EventLifecycle.PUBLISHED, account_id, actor, "event.published")
        notify.event_published(published)
        return published


def complete_event(account_id: int, id_or_slug: str, *, actor: Actor = SYSTEM) -> Event:
    """End sales of a published event (it took place)."""
    actor.require("events:write")
    with write_transaction():
        event = _event_in(account_id, id_or_slug, _COMPLETE_FROM, "complete")
        return _move(event, EventLifecycle.COMPLETED, account_id, actor, "event.completed")


def archive_event(account_id: int, id_or_slug: str, *, actor: Actor = SYSTEM) -> Event:
    """Put a completed or cancelled event away."""
    actor.require("events:write")
    with write_transaction():
        event = _event_in(account_id, id_or_slug, _ARCHIVE_FROM, "archive")
        return _move(event, EventLifecycle.ARCHIVED, account_id, actor, "event.archived")


def cancel_event(
    account_id: int, id_or_slug: str, *, reason: str = "", actor: Actor = SYSTEM
) -> CancelSummary:
    """Cancel the event: every ticket of it (and its dates) is cancelled, every paid order's
    lines for it refunded and every unpaid order cancelled, all in one transaction.

    An order for this event only is refunded in full (fees included); an order that also
    holds tickets of other events is refunded only for this event's lines.
    """
    actor.require("events:write")
    with write_transaction():
        event = _event_in(account_id, id_or_slug, _CANCEL_FROM, "cancel")
        types = _types_of(event)
        lines_by_order = _open_lines_by_order(types)
        refunded = cancelled = tickets = 0
        elsewhere = _orders_with_other_tickets(list(lines_by_order), types)
        for order in _open_orders(account_id, lines_by_order):
            if order.is_paid:
                before = _live_tickets(order.id)
                # An order for this event only is refunded in full (its fees included).
                lines = lines_by_order[order.id] if order.id in elsewhere else None
                refund_in_transaction(
                    order,
                    RefundRequest(reason=reason or "event cancelled", lines=lines),
                    include_used=True,
                )
                tickets += before - _live_tickets(order.id)
                refunded += 1
            else:
                cancellation.cancel_order(order, status=OrderStatus.CANCELLED)
                cancelled += 1
        outcome = {"orders_refunded": refunded, "orders_cancelled": cancelled, "reason": reason}
        cancelled_event = _move(
            event, EventLifecycle.CANCELLED, account_id, actor, "event.cancelled", created(outcome)
        )
        notify.event_cancelled(cancelled_event)
        return CancelSummary(cancelled_event, refunded, cancelled, tickets)


def cancel_preview(account_id: int, id_or_slug: str) -> CancelPreview:
    """What :func:`cancel_event` would do now, changing nothing (for a confirmation page)."""
    event = find_event(account_id, id_or_slug)
    orders = _open_orders(account_id, _open_lines_by_order(_types_of(event)))
    paid = [order.id for order in orders if order.is_paid]
    in_shops = (
        ShopOrder.select(ShopOrder.order).where(ShopOrder.order.in_(paid)).distinct().count()
        if paid
        else 0
    )
    return CancelPreview(event, len(paid), len(orders) - len(paid), in_shops)


def _types_of(event: Event) -> peewee.Select:
    scope = Event.select(Event.id).where((Event.id == event.id) | (Event.parent == event.id))
    return TicketType.select(TicketType.id).where(TicketType.event.in_(scope))


def _open_lines_by_order(types: peewee.Select) -> dict[int, dict[int, int]]:
    """Order id -> {line id: units not refunded} of the lines of ``types``."""
    lines_by_order: dict[int, dict[int, int]] = {}
    rows = tuples(
        OrderLine.select(
            OrderLine.id, OrderLine.order, OrderLine.quantity, OrderLine.refunded_quantity
        ).where(OrderLine.ticket_type.in_(types))
    )
    for line_id, order_id, quantity, refunded in rows:
        if quantity > refunded:
            lines_by_order.setdefault(order_id, {})[line_id] = quantity - refunded
    return lines_by_order


def _open_orders(account_id: int, lines_by_order: dict[int, dict[int, int]]) -> list[Order]:
    """The account's orders among ``lines_by_order`` not cancelled or refunded yet."""
    if not lines_by_order:
        return []
    return list(
        Order.select()
        .where(
            Order.id.in_(list(lines_by_order)),
            Order.account == account_id,
            Order.status.not_in([OrderStatus.CANCELLED, OrderStatus.REFUNDED]),
        )
        .order_by(Order.id)
    )


def _orders_with_other_tickets(order_ids: list[int], types: object) -> set[int]:
    """The orders that also hold unrefunded tickets of other events."""
    if not order_ids:
        return set()
    rows = tuples(
        OrderLine.select(OrderLine.order).where(
            OrderLine.order.in_(order_ids),
            OrderLine.ticket_type.is_null(False),
            OrderLine.ticket_type.not_in(types),
            OrderLine.quantity > OrderLine.refunded_quantity,
        )
    )
    return {order_id for (order_id,) in rows}


def _live_tickets(order_id: int) -> int:
    return sum(cancellation.live_tickets_by_type(order_id).values())


def _event_in(account_id: int, id_or_slug: str, allowed: tuple[str, ...], action: str) -> Event:
    event = locked_event(account_id, id_or_slug)
    if event.lifecycle not in allowed:
        raise Conflict(
            Said(
                "A {state} event cannot {action}; allowed from: {allowed}",
                state=event.lifecycle,
                action=action,
                allowed=", ".join(allowed),
            ),
            code="invalid_transition",
        )
    return event


def _move(
    event: Event,
    lifecycle: str,
    account_id: int,
    actor: Actor,
    action: str,
    also: dict[str, list[Any]] | None = None,
) -> Event:
    now = utcnow()
    change = {"lifecycle": [event.lifecycle, lifecycle], **(also or {})}
    event_audit.event_changed(account_id, actor, action, event, change)
    (
        Event.update(lifecycle=lifecycle, updated_at=now)
        .where((Event.id == event.id) | (Event.parent == event.id))
        .execute()
    )
    event.lifecycle, event.updated_at = lifecycle, now
    return event
