"""Finding a guest at the door without a code to scan: by name, ticket reference or order
reference, among the tickets of an event (and its dates) a scanner may use. What it answers
is what the door needs to admit by hand (tp_api.services.door.checkin, ``ticket_reference``):
names and ticket types, never an e-mail address."""

from __future__ import annotations

from typing import Any

import peewee

from tp_api.db import tuples
from tp_api.models import CheckIn, Order, Ticket, TicketType
from tp_api.models.orders import format_order_reference, parse_order_reference
from tp_api.services.door import checkin
from tp_api.services.door.scanner_api import event_in_reach, scope_of
from tp_api.services.door.scanners import ScannerContext
from tp_api.services.errors import InvalidInput

MOST_FOUND = 20
SHORTEST = 2


def find_guests(scanner: ScannerContext, event_id: int, text: str) -> list[dict[str, Any]]:
    """Up to 20 tickets of the event whose attendee's name holds ``text``, or whose ticket or
    order reference it is; each with its status and the first admission if any."""
    event_in_reach(scanner, event_id)
    wanted = " ".join(text.split())[:100]
    if len(wanted) < SHORTEST:
        raise InvalidInput(
            "Type at least 2 characters of a name or a reference", code="q_too_short"
        )
    scope = scope_of(event_id)
    query = (
        Ticket.select(
            Ticket.id,
            Ticket.reference,
            Ticket.first_name,
            Ticket.last_name,
            Ticket.status,
            TicketType.name,
            Order.number,
        )
        .join(TicketType)
        .switch(Ticket)
        .join(Order)
        .where(Ticket.event.in_(scope), Ticket.is_deprecated == False)  # noqa: E712
    )
    number = parse_order_reference(wanted)
    name = peewee.fn.LOWER(Ticket.first_name.concat(" ").concat(Ticket.last_name))
    condition = (Ticket.reference == wanted.lower()) | name.contains(wanted.lower())
    if number is not None:
        condition = condition | (Order.number == number)
    rows = list(
        tuples(
            query.where(condition).order_by(Ticket.last_name, Ticket.first_name).limit(MOST_FOUND)
        )
    )
    firsts = _first_admissions([row[0] for row in rows])
    return [
        {
            "ticketId": reference,
            "attendeeName": f"{first} {last}".strip() or None,
            "tierName": tier,
            "status": status,
            "orderReference": format_order_reference(order_number),
            "firstCheckedInAt": firsts.get(ticket_id),
        }
        for ticket_id, reference, first, last, status, tier, order_number in rows
    ]


def _first_admissions(ticket_ids: list[int]) -> dict[int, str]:
    """When each of these tickets was first admitted (one grouped query)."""
    if not ticket_ids:
        return {}
    rows = tuples(
        CheckIn.select(
            CheckIn.ticket, peewee.fn.MIN(CheckIn.at).python_value(CheckIn.at.python_value)
        )
        .where(
            CheckIn.ticket.in_(ticket_ids),
            CheckIn.direction == checkin.IN,
            CheckIn.result == checkin.OK,
        )
        .group_by(CheckIn.ticket)
    )
    return {
        ticket_id: at.isoformat() if hasattr(at, "isoformat") else str(at) for ticket_id, at in rows
    }
