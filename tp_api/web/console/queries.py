"""What the seller's console shows, read in a fixed handful of grouped queries per page.

No function here runs a query per row: lists are fetched whole and joined in Python, so a
page costs the same number of queries with 3 events or 3,000 (tests count them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import peewee

from tp_api.db import tuples, utcnow
from tp_api.models import (
    Event,
    OrderLine,
    OrderStatus,
    OutboxEntry,
    ProductMapping,
    Shop,
    ShopOrder,
    SyncRun,
    TicketType,
)
from tp_api.models import Order as OrderRow
from tp_api.services.events.catalogue import get_event
from tp_api.services.orders.availability import units_left
from tp_api.services.shops.sync_requests import SYNC_SHOP_NOW, is_sync_requested

RUNS_PER_SHOP = 5
PROBLEMS_PER_SHOP = 5


@dataclass(frozen=True)
class TicketTypeSales:
    """One ticket type's stock and sales."""

    ticket_type: TicketType
    event_name: str
    sold: int
    reserved: int
    available: int
    revenue_cents: int


@dataclass
class EventSales:
    """A top-level event (with its dates) and the sales of all its ticket types."""

    event: Event
    ticket_types: list[TicketTypeSales] = field(default_factory=list)

    @property
    def sold(self) -> int:
        return sum(t.sold for t in self.ticket_types)

    @property
    def available(self) -> int:
        return sum(t.available for t in self.ticket_types)

    @property
    def revenue_cents(self) -> int:
        return sum(t.revenue_cents for t in self.ticket_types)


EVENTS_PER_PAGE = 50


@dataclass(frozen=True)
class EventSalesPage:
    """A page of events with their sales; ``next_offset`` is None on the last page."""

    events: list[EventSales]
    next_offset: int | None


def _top_events(account_id: int) -> peewee.ModelSelect[Event]:
    return (
        Event.select()
        .where(Event.account == account_id, Event.deleted_at.is_null(), Event.parent.is_null())
        .order_by(Event.start_date.desc(nulls="LAST"), Event.id.desc())
    )


def events_with_sales(
    account_id: int, *, offset: int = 0, limit: int = EVENTS_PER_PAGE
) -> EventSalesPage:
    """A page of the account's live top-level events, latest date first, each with the sales
    per ticket type of the event and its dates. Four queries, whatever the page size."""
    tops = list(_top_events(account_id).offset(max(0, offset)).limit(limit + 1))
    more = len(tops) > limit
    return EventSalesPage(_with_sales(tops[:limit]), offset + limit if more else None)


def event_with_sales(account_id: int, event_id: int) -> EventSales:
    """One top-level event with its sales; a date of an event shows its parent. NotFound for
    another account's event."""
    event = get_event(account_id, event_id)
    if event.parent_id is not None:
        event = get_event(account_id, event.parent_id)
    return _with_sales([event])[0]


def event_choices(account_id: int, *, limit: int = 200) -> list[Event]:
    """The latest top-level events, for a picker (one query, names and dates only)."""
    return list(_top_events(account_id).select(Event.id, Event.name, Event.start_date).limit(limit))


def event_names(account_id: int, event_ids: list[int]) -> dict[int, str]:
    """Event id -> name, for the account's events among ``event_ids`` (one query)."""
    if not event_ids:
        return {}
    rows = Event.select(Event.id, Event.name).where(
        Event.id.in_(event_ids), Event.account == account_id
    )
    return {event.id: event.name for event in rows}


def _with_sales(tops: list[Event]) -> list[EventSales]:
    """The events with their (not deleted) dates' and their own ticket types' sales."""
    if not tops:
        return []
    top_ids = [e.id for e in tops]
    children = list(Event.select().where(Event.parent.in_(top_ids), Event.deleted_at.is_null()))
    by_id = {e.id: e for e in [*tops, *children]}
    top_of = {e.id: e.parent_id or e.id for e in by_id.values()}
    types = list(
        TicketType.select().where(TicketType.event.in_(list(by_id))).order_by(TicketType.id)
    )
    revenue = _revenue_per_type([t.id for t in types])
    grouped = {e.id: EventSales(e) for e in tops}
    for ticket_type in types:
        event = by_id[ticket_type.event_id]
        grouped[top_of[event.id]].ticket_types.append(
            TicketTypeSales(
                ticket_type=ticket_type,
                event_name=event.name,
                sold=ticket_type.sold,
                reserved=ticket_type.reserved,
                available=units_left(ticket_type, event),
                revenue_cents=revenue.get(ticket_type.id, 0),
            )
        )
    return list(grouped.values())


# Units of a line still sold (not refunded), and the money they brought.
_KEPT_UNITS = OrderLine.quantity - OrderLine.refunded_quantity
_KEPT_CENTS = _KEPT_UNITS * OrderLine.unit_price_cents


def _paid_lines(*columns: Any) -> peewee.ModelSelect[Any]:
    """Order lines of paid orders, selecting ``columns``."""
    return (
        OrderLine.select(*columns)
        .join(OrderRow)
        .where(OrderRow.status.in_(sorted(OrderStatus.PAID)))
    )


def _revenue_per_type(type_ids: list[int]) -> dict[int, int]:
    """Money taken per ticket type: paid orders' lines, less refunded units."""
    if not type_ids:
        return {}
    rows = tuples(
        _paid_lines(OrderLine.ticket_type, peewee.fn.SUM(_KEPT_CENTS))
        .where(OrderLine.ticket_type.in_(type_ids))
        .group_by(OrderLine.ticket_type)
    )
    return {type_id: int(total or 0) for type_id, total in rows}


def units_left_of_types(type_ids: list[int]) -> dict[int, int]:
    """Units still for sale per ticket type (shared event pools counted). One query."""
    if not type_ids:
        return {}
    rows = TicketType.select(TicketType, Event).join(Event).where(TicketType.id.in_(type_ids))
    return {row.id: units_left(row, row.event) for row in rows}


@dataclass(frozen=True)
class DaySales:
    """Tickets sold and money taken on one day (UTC)."""

    day: date
    tickets: int
    revenue_cents: int


def sales_per_day(account_id: int, event_id: int, *, days: int = 30) -> list[DaySales]:
    """Daily sales of an event (and its dates) over the last ``days`` days, oldest first,
    with the days without sales filled in as zero. One query."""
    event = get_event(account_id, event_id)
    scope = Event.select(Event.id).where(
        ((Event.id == event.id) | (Event.parent == event.id)) & (Event.account == account_id)
    )
    types = TicketType.select(TicketType.id).where(TicketType.event.in_(scope))
    today = utcnow().date()
    first = today - timedelta(days=days - 1)
    # coerce(False): the column's own converter would read the day back as a datetime.
    day = peewee.fn.DATE(OrderRow.created_at).coerce(False)
    rows = tuples(
        _paid_lines(day, peewee.fn.SUM(_KEPT_UNITS), peewee.fn.SUM(_KEPT_CENTS))
        .where(
            OrderLine.ticket_type.in_(types),
            OrderRow.created_at >= datetime.combine(first, datetime.min.time(), tzinfo=UTC),
        )
        .group_by(day)
    )
    # SQLite's DATE() gives text, PostgreSQL's a date.
    found = {_as_date(d): (int(n or 0), int(cents or 0)) for d, n, cents in rows}
    return [
        DaySales(first + timedelta(days=i), *found.get(first + timedelta(days=i), (0, 0)))
        for i in range(days)
    ]


def _as_date(value: date | str) -> date:
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


@dataclass(frozen=True)
class StockDifference:
    """A mapped product whose stock in the shop (as we last set it) is not what we have."""

    mapping: ProductMapping
    ticket_type_name: str
    in_shop: int | None
    ours: int


@dataclass
class ShopStatus:
    """A shop as the console shows it: recent runs, order problems and stock differences."""

    shop: Shop
    runs: list[SyncRun] = field(default_factory=list)
    problems: list[ShopOrder] = field(default_factory=list)
    needs_refund: list[ShopOrder] = field(default_factory=list)
    # Our order's public number for each of ``needs_refund`` bound to one (the console links it).
    order_numbers: dict[int, int] = field(default_factory=dict)
    stock_differences: list[StockDifference] = field(default_factory=list)
    sync_pending: bool = False

    @property
    def last_error(self) -> SyncRun | None:
        return next((r for r in self.runs if r.errors or r.error_text), None)


def shops_with_status(account_id: int) -> list[ShopStatus]:
    """The account's shops, each with its last runs, newest problems, stock differences and
    whether a "sync now" is waiting. Six queries."""
    shops = list(Shop.select().where(Shop.account == account_id).order_by(Shop.name))
    status = {s.id: ShopStatus(s) for s in shops}
    if not shops:
        return []
    ids = list(status)
    for run in _newest_per_shop(SyncRun, SyncRun.select().where(SyncRun.shop.in_(ids))):
        status[run.shop_id].runs.append(run)
    problems = ShopOrder.select().where(ShopOrder.shop.in_(ids), ShopOrder.problem.is_null(False))
    for row in _newest_per_shop(ShopOrder, problems, limit=PROBLEMS_PER_SHOP):
        status[row.shop_id].problems.append(row)
    due = ShopOrder.select().where(ShopOrder.shop.in_(ids), ShopOrder.needs_refund == True)  # noqa: E712
    for row in _newest_per_shop(ShopOrder, due, limit=PROBLEMS_PER_SHOP):
        status[row.shop_id].needs_refund.append(row)
    _add_order_numbers(list(status.values()))
    mappings = (
        ProductMapping.select(ProductMapping, TicketType, Event)
        .join(TicketType)
        .join(Event)
        .where(ProductMapping.shop.in_(ids))
        .order_by(ProductMapping.id)
    )
    for mapping in mappings:
        ours = units_left(mapping.ticket_type, mapping.ticket_type.event)
        if mapping.last_pushed_stock != ours:
            status[mapping.shop_id].stock_differences.append(
                StockDifference(mapping, mapping.ticket_type.name, mapping.last_pushed_stock, ours)
            )
    pending = tuples(
        OutboxEntry.select(OutboxEntry.dedupe_key).where(
            OutboxEntry.kind == SYNC_SHOP_NOW,
            OutboxEntry.account == account_id,
            OutboxEntry.done_at.is_null(),
            OutboxEntry.failed_at.is_null(),
        )
    )
    waiting = {key for (key,) in pending}
    for shop_id, entry in status.items():
        entry.sync_pending = any(is_sync_requested(key, shop_id) for key in waiting)
    return list(status.values())


def _add_order_numbers(statuses: list[ShopStatus]) -> None:
    """One query, and only when some shop order needs a refund (the usual page has none)."""
    bound = {p.order_id for st in statuses for p in st.needs_refund if p.order_id}
    if not bound:
        return
    numbers = dict(
        tuples(OrderRow.select(OrderRow.id, OrderRow.number).where(OrderRow.id.in_(sorted(bound))))
    )
    for st in statuses:
        st.order_numbers = {
            p.order_id: numbers[p.order_id]
            for p in st.needs_refund
            if p.order_id is not None and p.order_id in numbers
        }


def shop_orders_to_refund(order_id: int) -> list[ShopOrder]:
    """The shop orders bound to our order that the seller must refund in the shop: paid there
    for something we cannot sell (tp_api.services.orders.unsellable_orders)."""
    return list(
        ShopOrder.select()
        .where(ShopOrder.order == order_id, ShopOrder.needs_refund == True)  # noqa: E712
        .order_by(ShopOrder.id)
    )


def _newest_per_shop(
    model: type[SyncRun] | type[ShopOrder],
    query: peewee.ModelSelect[Any],
    *,
    limit: int = RUNS_PER_SHOP,
) -> list:
    """The ``limit`` newest rows per shop, in one query (a window function; SQLite and
    PostgreSQL both have ROW_NUMBER)."""
    rank = peewee.fn.ROW_NUMBER().over(partition_by=[model.shop], order_by=[model.id.desc()])
    ranked = query.select_extend(rank.alias("rank")).alias("ranked")
    outer = model.select(ranked.c.id).from_(ranked).where(ranked.c.rank <= limit)
    return list(model.select().where(model.id.in_(outer)).order_by(model.id.desc()))
