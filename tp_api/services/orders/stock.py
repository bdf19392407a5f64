"""Where stock is reserved, confirmed and released.

Every change is one conditional UPDATE inside the caller's write transaction, e.g.
``UPDATE ticket_type SET reserved = reserved + n WHERE id = ? AND sold + reserved + n <= stock``:
zero rows changed means sold out, so two concurrent orders can never both take the last unit,
on SQLite (whose write transactions are serialised by BEGIN IMMEDIATE) and on PostgreSQL
(where the UPDATE takes the row lock and re-checks the condition).

Rows are always touched in ascending id order, so two transactions never wait on each other
in a cycle (no deadlocks on PostgreSQL).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from tp_api.db import utcnow
from tp_api.models import Event, OrderLine, TicketType
from tp_api.services.errors import InvalidInput, OutOfStock, Said
from tp_api.services.orders import availability
from tp_api.services.orders.sale_rules import check_sale


@dataclass(frozen=True)
class StockPlan:
    """The ticket types (with their events) that an order draws from, and how many units."""

    quantities: dict[int, int]
    ticket_types: dict[int, TicketType]

    def shared_pools(self) -> dict[int, int]:
        """Units per event, for the events whose stock is one pool shared by their types.

        Only these events keep sold/reserved counters: for the others the event's figures are
        the sum of its ticket types', and skipping the extra UPDATE keeps orders fast.
        """
        totals: dict[int, int] = {}
        for type_id, quantity in self.quantities.items():
            ticket_type = self.ticket_types[type_id]
            if not ticket_type.event.manage_stock_per_ticket:
                totals[ticket_type.event_id] = totals.get(ticket_type.event_id, 0) + quantity
        return totals

    def event_of_type(self) -> dict[int, int]:
        """Ticket type id -> event id."""
        return {type_id: t.event_id for type_id, t in self.ticket_types.items()}

    def event(self, event_id: int) -> Event:
        return next(t.event for t in self.ticket_types.values() if t.event_id == event_id)


def plan(account_id: int, quantities: Mapping[int, int], *, sale_rules: bool = False) -> StockPlan:
    """Look up the ticket types an order names, refusing unknown, foreign or closed ones.

    With ``sale_rules`` (a checkout) the event must be published and each ticket type's sale
    window and per-order limits are obeyed too (sale_rules.check_sale).
    """
    ids = sorted(quantities)
    found = (
        {
            t.id: t
            for t in (
                TicketType.select(TicketType, Event)
                .join(Event)
                .where(TicketType.id.in_(ids), Event.account == account_id)
            )
        }
        if ids
        else {}
    )
    for type_id in ids:
        ticket_type = found.get(type_id)
        if ticket_type is None:
            raise InvalidInput(
                Said("Ticket type {type_id} not found", type_id=type_id),
                code="ticket_type_not_found",
            )
        if ticket_type.event.deleted_at is not None:
            raise InvalidInput(
                Said(
                    "Ticket type {name} ({type_id}) belongs to a deleted event",
                    name=ticket_type.name,
                    type_id=type_id,
                ),
                code="ticket_type_not_on_sale",
            )
        if not ticket_type.enabled or ticket_type.status != 1:
            raise InvalidInput(
                Said(
                    "Ticket type {name} ({type_id}) is not on sale",
                    name=ticket_type.name,
                    type_id=type_id,
                ),
                code="ticket_type_not_on_sale",
            )
        if sale_rules:
            check_sale(ticket_type, quantities[type_id], utcnow())
    return StockPlan(dict(quantities), found)


def reserve(stock_plan: StockPlan, *, paid: bool) -> None:
    """Take the plan's units: into ``sold`` for a paid order, else into ``reserved``.

    Must run inside a write transaction; raises OutOfStock naming the ticket type (or the
    event whose shared pool ran out), and the caller's transaction then undoes everything.
    """
    column = "sold" if paid else "reserved"
    for type_id in sorted(stock_plan.quantities):
        quantity = stock_plan.quantities[type_id]
        changed = (
            TicketType.update({column: getattr(TicketType, column) + quantity})
            .where(
                TicketType.id == type_id,
                TicketType.sold + TicketType.reserved + quantity <= TicketType.stock,
            )
            .execute()
        )
        if not changed:
            _raise_out_of_stock(stock_plan.ticket_types[type_id], quantity)
    for event_id, quantity in sorted(stock_plan.shared_pools().items()):
        changed = (
            Event.update({column: getattr(Event, column) + quantity})
            .where(Event.id == event_id, Event.sold + Event.reserved + quantity <= Event.stock)
            .execute()
        )
        if not changed:
            _raise_event_out_of_stock(stock_plan.event(event_id), quantity)
    availability.after_stock_move(stock_plan, +1, "sold")


def confirm(stock_plan: StockPlan) -> None:
    """An unpaid order was paid: move its units from ``reserved`` to ``sold``."""
    _move(stock_plan, reserved=-1, sold=+1)


def release(stock_plan: StockPlan, *, paid: bool) -> None:
    """Give an order's units back (cancellation or refund)."""
    if paid:
        _move(stock_plan, reserved=0, sold=-1)
    else:
        _move(stock_plan, reserved=-1, sold=0)
    availability.after_stock_move(stock_plan, -1, "released")


def _move(stock_plan: StockPlan, *, reserved: int, sold: int) -> None:
    for type_id in sorted(stock_plan.quantities):
        n = stock_plan.quantities[type_id]
        (
            TicketType.update(
                reserved=TicketType.reserved + reserved * n, sold=TicketType.sold + sold * n
            )
            .where(TicketType.id == type_id)
            .execute()
        )
    for event_id, n in sorted(stock_plan.shared_pools().items()):
        (
            Event.update(reserved=Event.reserved + reserved * n, sold=Event.sold + sold * n)
            .where(Event.id == event_id)
            .execute()
        )


def _raise_out_of_stock(ticket_type: TicketType, quantity: int) -> None:
    fresh = TicketType.get_by_id(ticket_type.id)
    raise OutOfStock(
        Said(
            "Not enough tickets left for {name} (ticket type {type_id}): "
            "{quantity} requested, {available} available",
            name=fresh.name,
            type_id=fresh.id,
            quantity=quantity,
            available=fresh.available,
        ),
        details={"ticket_type_id": fresh.id, "requested": quantity, "available": fresh.available},
    )


def _raise_event_out_of_stock(event: Event, quantity: int) -> None:
    fresh = Event.get_by_id(event.id)
    available = max(0, fresh.stock - fresh.sold - fresh.reserved)
    raise OutOfStock(
        Said(
            "Not enough tickets left for {name} (event {event_id}): "
            "{quantity} requested, {available} available",
            name=fresh.name,
            event_id=fresh.id,
            quantity=quantity,
            available=available,
        ),
        details={"event_id": fresh.id, "requested": quantity, "available": available},
    )


def held_by_order(order_id: int) -> StockPlan:
    """The units an existing order holds, from its stored ticket lines."""
    quantities: dict[int, int] = {}
    ticket_types: dict[int, TicketType] = {}
    lines = (
        OrderLine.select(OrderLine, TicketType, Event)
        .join(TicketType)
        .join(Event)
        .where(OrderLine.order == order_id)
    )
    for line in lines:
        ticket_type = line.ticket_type
        assert ticket_type is not None  # the inner join keeps ticket lines only
        quantities[ticket_type.id] = quantities.get(ticket_type.id, 0) + line.quantity
        ticket_types[ticket_type.id] = ticket_type
    return StockPlan(quantities, ticket_types)
