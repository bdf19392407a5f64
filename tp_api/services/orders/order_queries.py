"""Reading an account's orders for the admin API: filtered lists and one order in full."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from tp_api.db import tuples
from tp_api.models import Event, Order, OrderLine, Refund, Ticket, TicketType
from tp_api.models.orders import parse_order_reference
from tp_api.services.cursors import decode_cursor, encode_cursor
from tp_api.services.errors import InvalidInput, NotFound
from tp_api.services.orders import order_search
from tp_api.services.orders.answers import ShownAnswer, shown_for_tickets
from tp_api.services.orders.order_input import normalise_wp_order_id


@dataclass(frozen=True)
class OrderFilter:
    event_id: int | None = None
    status: str | None = None
    date_from: datetime | None = None
    date_to: datetime | None = None
    email: str | None = None
    wp_order_id: str | None = None
    # Free text from a search box: an order reference, a shop order number, or part of the
    # buyer's e-mail address or name.
    search: str | None = None


@dataclass
class OrderDetail:
    order: Order
    lines: list[OrderLine] = field(default_factory=list)
    tickets: list[Ticket] = field(default_factory=list)
    refunds: list[Refund] = field(default_factory=list)
    # Each ticket's answers to the seller's questions, by ticket id.
    answers: dict[int, list[ShownAnswer]] = field(default_factory=dict)


@dataclass(frozen=True)
class OrderPage:
    orders: list[Order]
    next_cursor: str | None


def list_orders(
    account_id: int, filters: OrderFilter, *, limit: int, cursor: str | None
) -> OrderPage:
    """A page of the account's orders, newest first (keyset on the id, so new orders never
    shift later pages). The cursor names the page's last order by its public number: the row
    id would tell a tenant how many orders the whole platform has taken."""
    query = Order.select().where(Order.account == account_id)
    before = _row_id_of_cursor(account_id, cursor)
    if before is not None:
        query = query.where(Order.id < before[0])
    if filters.event_id is not None and filters == OrderFilter(event_id=filters.event_id):
        # Only the event: take the newest orders of each of its ticket types from the
        # (ticket_type, order) index instead of matching every order of a big event.
        candidates = _newest_orders_of_event(
            account_id, filters.event_id, limit + 1, before[0] if before else None
        )
        query = query.where(Order.id.in_(candidates))
    elif (text := _indexed_text(filters.search)) is not None:
        others = _filtered(account_id, query, replace(filters, search=None))
        rows = _text_search(text, others, limit + 1, before[0] if before else None)
        return _page(rows, limit)
    else:
        query = _filtered(account_id, query, filters)
    return _page(list(query.order_by(Order.id.desc()).limit(limit + 1)), limit)


def _page(rows: list[Order], limit: int) -> OrderPage:
    more = len(rows) > limit
    rows = rows[:limit]
    return OrderPage(rows, encode_cursor(rows[-1].number) if more and rows else None)


def _row_id_of_cursor(account_id: int, cursor: str | None) -> tuple[int] | None:
    key = decode_cursor(cursor, int)
    if key is None:
        return None
    row_id = (
        Order.select(Order.id).where(Order.account == account_id, Order.number == key[0]).scalar()
    )
    if row_id is None:
        raise InvalidInput("cursor is not a cursor this list returned", code="invalid_cursor")
    return (row_id,)


def _newest_orders_of_event(
    account_id: int, event_id: int, count: int, before: int | None
) -> list[int]:
    """The ``count`` newest order ids with a line of the event (or its dates)."""
    scope = Event.select(Event.id).where(
        ((Event.id == event_id) | (Event.parent == event_id)) & (Event.account == account_id)
    )
    type_ids = [
        t for (t,) in tuples(TicketType.select(TicketType.id).where(TicketType.event.in_(scope)))
    ]
    found: set[int] = set()
    for type_id in type_ids:
        query = (
            OrderLine.select(OrderLine.order)
            .distinct()
            .where(OrderLine.ticket_type == type_id)
            .order_by(OrderLine.order.desc())
            .limit(count)
        )
        if before is not None:
            query = query.where(OrderLine.order < before)
        found.update(order_id for (order_id,) in tuples(query))
    return sorted(found, reverse=True)[:count]


def _filtered(account_id: int, query: Any, filters: OrderFilter) -> Any:
    if filters.status:
        query = query.where(Order.status == filters.status)
    if filters.date_from is not None:
        query = query.where(Order.created_at >= filters.date_from)
    if filters.date_to is not None:
        query = query.where(Order.created_at <= filters.date_to)
    if filters.email:
        query = query.where(Order.billing_email == filters.email)
    if filters.wp_order_id:
        query = query.where(Order.wp_order_id == normalise_wp_order_id(filters.wp_order_id))
    if filters.search and filters.search.strip():
        query = query.where(_matches(filters.search.strip()))
    if filters.event_id is not None:
        scope = Event.select(Event.id).where(
            ((Event.id == filters.event_id) | (Event.parent == filters.event_id))
            & (Event.account == account_id)
        )
        types = TicketType.select(TicketType.id).where(TicketType.event.in_(scope))
        with_lines = OrderLine.select(OrderLine.order).where(OrderLine.ticket_type.in_(types))
        query = query.where(Order.id.in_(with_lines))
    return query


def _indexed_text(search: str | None) -> str | None:
    """The search box's text when it is words to find through the SQLite index (not a
    reference or a number, which have their own indexed lookups); None otherwise."""
    wanted = (search or "").strip()[:200]
    if not wanted or parse_order_reference(wanted) is not None:
        return None
    if not order_search.uses_index(wanted):
        raise InvalidInput(
            "Type at least 3 characters of a name or e-mail address, or an order number",
            code="search_too_short",
        )
    return wanted


def _text_search(text: str, others: Any, count: int, before: int | None) -> list[Order]:
    """The newest orders of ``others`` whose buyer's words hold ``text``, or whose shop
    order number is it (``wc_123`` is both a word and a number)."""
    found = order_search.newest_matching(text, others, count, before)
    by_number = others.where(Order.wp_order_id == normalise_wp_order_id(text))
    seen = {order.id for order in found}
    extra = [o for o in by_number.order_by(Order.id.desc()).limit(count) if o.id not in seen]
    return sorted(found + extra, key=lambda order: order.id, reverse=True)[:count]


def _matches(text: str) -> Any:
    """A reference (``TP-00123``) or a number, looked up by index (words go through
    :func:`_text_search`)."""
    wanted = text[:200]
    number = parse_order_reference(wanted)
    if number is not None and wanted[:3].upper() == "TP-":
        return Order.number == number
    # A bare number: our order number or the shop's.
    return (Order.number == number) | (Order.wp_order_id == normalise_wp_order_id(wanted))


def get_order(account_id: int, number: int) -> OrderDetail:
    """The account's order by its public number, with its lines, tickets and refunds (four
    queries), or NotFound."""
    return _detail(Order.get_or_none((Order.number == number) & (Order.account == account_id)))


def get_order_by_id(account_id: int, order_id: int) -> OrderDetail:
    """The same, by the internal row id (for the service's own follow-up work)."""
    return _detail(Order.get_or_none((Order.id == order_id) & (Order.account == account_id)))


def order_number(order_id: int) -> int:
    """The public number of the order with this row id."""
    return int(Order.select(Order.number).where(Order.id == order_id).scalar())


def _detail(order: Order | None) -> OrderDetail:
    if order is None:
        raise NotFound("Order not found", code="order_not_found")
    tickets = list(Ticket.select().where(Ticket.order == order.id).order_by(Ticket.id))
    return OrderDetail(
        order,
        list(OrderLine.select().where(OrderLine.order == order.id).order_by(OrderLine.id)),
        tickets,
        list(Refund.select().where(Refund.order == order.id).order_by(Refund.id)),
        shown_for_tickets([t.id for t in tickets]),
    )
