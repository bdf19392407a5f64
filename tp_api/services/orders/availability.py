"""``ticket_type.availability_changed`` (seed 002): a ticket type sold out, or came back.

A type is available while it has units left to sell (units_left below: its own stock, its
event's shared pool when there is one, and whether it is on sale at all). The webhook is
raised when that crosses zero either way, in the transaction that moved the stock:

- an order, a hold or a shop order took the last unit (reason ``sold``);
- a cancellation, refund or expired hold gave units back to a sold-out type (``released``);
- the seller changed a quantity or the event's shared capacity (``capacity``).

Stock moves derive the state before the move from the counters after it and the units
moved, instead of reading twice: on PostgreSQL two releases of the same type wait on each
other's row lock, and a read taken before the UPDATE could be stale, so both would report
"came back". Nothing is read unless an endpoint listens.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Literal

from tp_api.models import Event, TicketType
from tp_api.services.orders.sellable import type_sellable
from tp_api.services.webhooks import notify

if TYPE_CHECKING:
    from tp_api.services.orders.stock import StockPlan

EVENT_TYPE = "ticket_type.availability_changed"
Reason = Literal["sold", "released", "capacity"]


def units_left(
    ticket_type: TicketType, event: Event, *, moved: int = 0, pool_moved: int = 0
) -> int:
    """Units of a ticket type we can still sell, given its event row; with ``moved`` and
    ``pool_moved`` the units the type and its event's shared pool had before that many
    units were taken from them (negative: given back)."""
    if not type_sellable(ticket_type, event):
        return 0
    left = max(0, ticket_type.stock - ticket_type.sold - ticket_type.reserved + moved)
    if not event.manage_stock_per_ticket:
        left = min(left, max(0, event.stock - event.sold - event.reserved + pool_moved))
    return left


def after_stock_move(stock_plan: StockPlan, taken: int, reason: Reason) -> None:
    """Raise the webhook for each type whose availability crossed zero when the plan's units
    were taken (``taken`` = 1) or given back (-1). Call after the UPDATEs, inside their
    transaction."""
    accounts = {t.event.account_id for t in stock_plan.ticket_types.values()}
    if not any(notify.listening(account, EVENT_TYPE) for account in accounts):
        return  # the order path's cost when nobody listens: a cached lookup per account
    quantities, pools = stock_plan.quantities, stock_plan.shared_pools()
    # A shared pool running dry (or refilling) changes every type of its event.
    where = TicketType.id.in_(sorted(quantities))
    if pools:
        where |= TicketType.event.in_(sorted(pools))
    for ticket_type in (
        TicketType.select(TicketType, Event).join(Event).where(where).order_by(TicketType.id)
    ):
        if not notify.listening(ticket_type.event.account_id, EVENT_TYPE):
            continue
        now = units_left(ticket_type, ticket_type.event)
        before = units_left(
            ticket_type,
            ticket_type.event,
            moved=taken * quantities.get(ticket_type.id, 0),
            pool_moved=taken * pools.get(ticket_type.event_id, 0),
        )
        _announce(ticket_type, before, now, reason)


@contextmanager
def watching(account_id: int, event_ids: Iterable[int]) -> Iterator[None]:
    """Around a seller's change of quantities or capacity (inside its transaction, with the
    event rows locked): raise the webhook for each type of ``event_ids`` that crossed zero."""
    if not notify.listening(account_id, EVENT_TYPE):
        yield
        return
    ids = sorted(set(event_ids))
    before = {t.id: units_left(t, t.event) for t in _types_of_events(ids)}
    yield
    for ticket_type in _types_of_events(ids):
        now = units_left(ticket_type, ticket_type.event)
        _announce(ticket_type, before.get(ticket_type.id, 0), now, "capacity")


def _announce(ticket_type: TicketType, before: int, now: int, reason: Reason) -> None:
    if (before == 0) != (now == 0):
        notify.ticket_type_availability_changed(ticket_type, before, now, reason)


def _types_of_events(event_ids: list[int]) -> list[TicketType]:
    return list(
        TicketType.select(TicketType, Event)
        .join(Event)
        .where(TicketType.event.in_(event_ids))
        .order_by(TicketType.id)
    )
