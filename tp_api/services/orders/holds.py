"""Where an unpaid order's stock hold lapses (``TP_UNPAID_HOLD_SECONDS``).

An unpaid order reserves its units until ``Order.hold_expires_at``; after it the hold no
longer counts. No worker is needed for that: every reservation first releases the lapsed
holds of the ticket types it takes from, in its own write transaction and before the
conditional UPDATE of stock.py, so the counters that UPDATE checks are true and the
one-UPDATE oversell guarantee stands. The daemon's :func:`sweep` releases the rest.

Lock order (PostgreSQL): order rows first (``SKIP LOCKED``: an order another transaction
is paying or expiring is left to it; a new order that then finds too few units waits for
those transactions and tries once more, see :func:`take`), then the ticket type and event
rows in ascending id order, as stock.py does, as ``NO KEY UPDATE``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from tp_api.db import database, is_postgres, lock_rows, utcnow, write_transaction
from tp_api.models import Event, Order, OrderLine, OrderStatus, TicketType
from tp_api.services.errors import OutOfStock
from tp_api.services.orders import stock
from tp_api.services.webhooks import notify

DEFAULT_UNPAID_HOLD_SECONDS = 3600
SWEEP_BATCH = 200


def hold_deadline(now: datetime, hold_seconds: int) -> datetime:
    """When a hold taken at ``now`` lapses."""
    return now + timedelta(seconds=hold_seconds)


def take(
    stock_plan: stock.StockPlan,
    *,
    paid: bool,
    now: datetime | None = None,
    wait_for_lapsed: bool = False,
) -> None:
    """Reserve the plan's units after releasing the lapsed holds on its ticket types.

    Call inside a write transaction; raises OutOfStock like stock.reserve. With
    ``wait_for_lapsed`` (PostgreSQL), lapsed holds that another transaction is releasing are
    waited for instead of refused: only for a caller whose transaction holds no other
    order's row lock (a new order), or two waiters could wait for each other.
    """
    moment = now or utcnow()
    if not _any_lapsed(moment):
        # The common case on every order: one indexed probe, nothing to release or wait for.
        stock.reserve(stock_plan, paid=paid)
        return
    if not (wait_for_lapsed and is_postgres()):
        # SQLite has one writer at a time: every lapsed hold is released here.
        release_expired(moment, ticket_type_ids=stock_plan.quantities, probed=True)
        stock.reserve(stock_plan, paid=paid)
        return
    try:
        # In a savepoint, so that a refusal gives back every row lock this attempt took.
        with database.atomic():
            release_expired(moment, ticket_type_ids=stock_plan.quantities, probed=True)
            stock.reserve(stock_plan, paid=paid)
        return
    except OutOfStock:
        # release_expired skips lapsed orders another transaction has locked (a sweep, a
        # late payment): their units are on their way back, and refusing now would turn a
        # buyer away from tickets that are free a moment later. So wait for those
        # transactions and try once more. The savepoint's rollback let go of the ticket
        # type rows they may need, so the wait cannot close a cycle.
        if not _wait_for_lapsed(moment, stock_plan.quantities):
            raise
    release_expired(moment, ticket_type_ids=stock_plan.quantities)
    stock.reserve(stock_plan, paid=paid)


def release_expired(
    now: datetime,
    *,
    ticket_type_ids: Iterable[int] | None = None,
    limit: int | None = None,
    probed: bool = False,
) -> int:
    """Mark lapsed unpaid orders ``expired`` and give their units back. Returns how many.

    With ``ticket_type_ids`` only orders holding one of those types. Call inside a write
    transaction; each order's ``order.expired`` webhook is queued in it.
    """
    if not probed and not _any_lapsed(now):
        # The common case: one indexed probe instead of the locking query (``probed``: the
        # caller has just made it).
        return 0
    due = _locked_due_orders(now, ticket_type_ids, limit)
    if not due:
        return 0
    quantities: dict[int, int] = {}
    types: dict[int, TicketType] = {}
    for order in due:
        held = stock.held_by_order(order.id)
        for type_id, n in held.quantities.items():
            quantities[type_id] = quantities.get(type_id, 0) + n
        types.update(held.ticket_types)
    _lock_stock_rows(set(quantities) | set(ticket_type_ids or ()), types)
    # One release for all orders: rows in ascending id order once, not once per order.
    stock.release(stock.StockPlan(quantities, types), paid=False)
    (
        Order.update(status=OrderStatus.EXPIRED, hold_expires_at=None, updated_at=now)
        .where(Order.id.in_([o.id for o in due]))
        .execute()
    )
    for order in due:
        order.status = OrderStatus.EXPIRED
        notify.order_expired(order)
    return len(due)


def sweep(now: datetime | None = None, *, batch: int = SWEEP_BATCH) -> int:
    """Release every lapsed hold (the daemon's periodic job), in batches. Returns how many."""
    total = 0
    while True:
        with write_transaction():
            done = release_expired(now or utcnow(), limit=batch)
        total += done
        if done < batch:
            return total


def _any_lapsed(now: datetime) -> bool:
    # Only unpaid, uncancelled orders keep a deadline (it is cleared when paid, cancelled or
    # expired), so the index on hold_expires_at answers this alone.
    return bool(
        Order.select(Order.id)
        .where(Order.hold_expires_at.is_null(False), Order.hold_expires_at <= now)
        .limit(1)
        .exists()
    )


def settle_lapsed(now: datetime | None = None) -> int:
    """Release the holds that have lapsed, if any, before availability is read for others.

    Readers of stock figures (the partner catalogue, the stock push) call it so that a lapsed
    hold is free in what they show and push even when no daemon is running. The common case,
    nothing lapsed, is one indexed EXISTS and no write.
    """
    moment = now or utcnow()
    if not _any_lapsed(moment):
        return 0
    return sweep(moment)


def _locked_due_orders(
    now: datetime, ticket_type_ids: Iterable[int] | None, limit: int | None
) -> list[Order]:
    query = Order.select().where(
        Order.status == OrderStatus.PENDING,
        Order.hold_expires_at.is_null(False),
        Order.hold_expires_at <= now,
    )
    if ticket_type_ids is not None:
        ids = sorted(ticket_type_ids)
        query = query.where(
            Order.id.in_(OrderLine.select(OrderLine.order).where(OrderLine.ticket_type.in_(ids)))
        )
    query = query.order_by(Order.id)
    if limit is not None:
        query = query.limit(limit)
    return list(lock_rows(query, skip_locked=True))


def _wait_for_lapsed(now: datetime, ticket_type_ids: Iterable[int]) -> bool:
    """Block until no other transaction holds a lapsed unpaid order of these types (PostgreSQL).

    Returns whether there was any such order: the caller then releases and reserves again.
    """
    ids = sorted(ticket_type_ids)
    waited = list(
        lock_rows(
            Order.select(Order.id)
            .where(
                Order.status == OrderStatus.PENDING,
                Order.hold_expires_at.is_null(False),
                Order.hold_expires_at <= now,
                Order.id.in_(
                    OrderLine.select(OrderLine.order).where(OrderLine.ticket_type.in_(ids))
                ),
            )
            .order_by(Order.id)
        )
    )
    return bool(waited)


def _lock_stock_rows(type_ids: set[int], types: dict[int, TicketType]) -> None:
    """Lock every ticket type and event row this transaction will change, ascending, before
    changing any: releasing and then reserving would otherwise take them out of order."""
    if not is_postgres() or not type_ids:
        return
    # NO KEY UPDATE, the lock an UPDATE of the counters takes anyway: a plain FOR UPDATE
    # also waits for every transaction that inserted a ticket or order line pointing at the
    # row (their foreign keys hold KEY SHARE locks), and such a transaction may be waiting
    # for the order rows this one holds.
    rows = list(
        lock_rows(
            TicketType.select(TicketType.id, TicketType.event)
            .where(TicketType.id.in_(sorted(type_ids)))
            .order_by(TicketType.id),
            "NO KEY UPDATE",
        )
    )
    event_ids = sorted({row.event_id for row in rows} | {t.event_id for t in types.values()})
    list(
        lock_rows(
            Event.select(Event.id).where(Event.id.in_(event_ids)).order_by(Event.id),
            "NO KEY UPDATE",
        )
    )
