"""Where tickets are issued: one per unit of a paid order's ticket lines.

A paid order gets its tickets when it is created paid or paid later (submit), after a
cancelled order was paid after all (ingest), and when a held order is approved after a
fraud review (services.fraud.review). An order held for review gets none.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tp_api.db import insert_rows, utcnow
from tp_api.models import FraudReview, Order, OrderLine, Ticket, TicketStatus
from tp_api.services.orders import cancellation, stock
from tp_api.services.orders.references import new_ticket_reference
from tp_api.services.webhooks import notify


@dataclass(frozen=True)
class LineUnits:
    """Some units of an order line, to issue tickets for (not all of its quantity)."""

    id: int
    ticket_type_id: int
    quantity: int


def issue_tickets(
    order: Order,
    lines: Sequence[OrderLine | LineUnits],
    events: dict[int, int],
    *,
    announce: bool = True,
) -> int:
    """One ticket (status Created) per unit of each ticket line, each announced with a
    ``ticket.created`` webhook event (unless ``announce`` is False: the caller raises them
    after the order's own events, notify.tickets_created). Returns how many.

    ``events`` maps each ticket type id to its event id. An order held for fraud review gets
    none (its units stay taken): approving it issues them (services.fraud.review).
    """
    ticket_lines = [line for line in lines if line.ticket_type_id is not None]
    if not ticket_lines or order.fraud_review == FraudReview.HELD:
        return 0
    now = utcnow()
    rows = [
        {
            "reference": new_ticket_reference(),
            "order": order.id,
            "order_line": line.id,
            "ticket_type": line.ticket_type_id,
            "event": events[line.ticket_type_id],  # type: ignore[index] # ticket lines only
            "status": TicketStatus.CREATED,
            "first_name": "",
            "last_name": "",
            "email": "",
            "phone": "",
            "version": 1,
            "is_deprecated": False,
            "personalised_at": None,
            "created_at": now,
            "updated_at": now,
        }
        for line in ticket_lines
        for _ in range(line.quantity)
    ]
    insert_rows(Ticket, rows)
    if announce:
        notify.tickets_created(order.account_id, order.id, [str(r["reference"]) for r in rows])
    return len(rows)


def issue_missing_tickets(order: Order, refunded: dict[int, int] | None = None) -> stock.StockPlan:
    """Issue tickets for every unit of the order that has no live ticket and was not refunded
    (after a cancelled order was paid after all). Returns the units issued, for the caller to
    take from stock.
    """
    held = stock.held_by_order(order.id)
    for type_id, units in (refunded or {}).items():
        if type_id in held.quantities:
            held.quantities[type_id] = max(0, held.quantities[type_id] - units)
    live = cancellation.live_tickets_by_type(order.id)
    missing = {t: q - live.get(t, 0) for t, q in held.quantities.items() if q > live.get(t, 0)}
    issuing: list[LineUnits] = []
    for line in order.lines:
        line_type = line.ticket_type_id
        need = missing.get(line_type, 0) if line_type else 0
        if line_type and need > 0:
            take = min(need, line.quantity)
            missing[line_type] -= take
            issuing.append(LineUnits(line.id, line_type, take))
    issue_tickets(order, issuing, held.event_of_type())
    quantities: dict[int, int] = {}
    for unit in issuing:
        quantities[unit.ticket_type_id] = quantities.get(unit.ticket_type_id, 0) + unit.quantity
    return stock.StockPlan(quantities, {t: held.ticket_types[t] for t in quantities})
