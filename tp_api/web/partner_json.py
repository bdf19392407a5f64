"""The partner API's JSON shapes, field for field as the Ticket Pulse document shows them."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from typing import Any

from tp_api.models import Event, Question, TicketType
from tp_api.services.customers.owned import OwnedTicket
from tp_api.services.events import question_reads
from tp_api.services.events.catalogue import EventNode
from tp_api.services.orders import sellable
from tp_api.services.orders.answers import TicketQuestions


def unix(value: datetime | None) -> int | None:
    """An aware datetime -> Unix seconds (``null`` stays ``null``)."""
    return int(value.timestamp()) if value is not None else None


def iso(value: datetime | None) -> str | None:
    """An aware datetime -> ``2025-07-31T18:00:00+00:00``."""
    return value.replace(microsecond=0).isoformat() if value is not None else None


def price_string(cents: int) -> str:
    """``2995`` -> ``"29.95"`` (events render prices as strings)."""
    return f"{Decimal(cents) / 100:.2f}"


def price_number(cents: int) -> float:
    """``2995`` -> ``29.95`` (ticket types render prices as numbers)."""
    return float(Decimal(cents) / 100)


def _available(row: TicketType) -> int:
    return max(0, row.stock - row.sold - row.reserved)


def _event_available(node: EventNode) -> int:
    """An event's units left: its shared pool, or its capacity less its ticket types' sales."""
    event = node.event
    if not event.manage_stock_per_ticket:
        taken = event.sold + event.reserved
    else:
        taken = sum(t.sold + t.reserved for t in node.ticket_types)
    return max(0, event.stock - taken)


def ticket_type_json(ticket_type: TicketType, event: Event) -> dict[str, Any]:
    """A ticket type; one that cannot be sold (sellable) is ``enabled: false``, stock 0."""
    on_sale = sellable.type_sellable(ticket_type, event)
    return {
        "id": ticket_type.id,
        "name": ticket_type.name,
        "stock": _available(ticket_type) if on_sale else 0,
        "price": price_number(ticket_type.price_cents),
        "status": ticket_type.status,
        "date": unix(ticket_type.date),
        "enabled": on_sale,
    }


def _event_status(event: Event) -> int:
    # The seed's integer status: an event that cannot be sold reads 0, stock 0.
    return event.status if sellable.event_sellable(event) else 0


def _event_stock(node: EventNode) -> int:
    return _event_available(node) if sellable.event_sellable(node.event) else 0


def _tickets(node: EventNode) -> list[dict[str, Any]]:
    return [ticket_type_json(t, node.event) for t in node.ticket_types]


def event_json(node: EventNode) -> dict[str, Any]:
    """A top-level event of ``GET /tp-api/events``."""
    event = node.event
    return {
        "id": event.id,
        "name": event.name,
        "city": event.city,
        "start_date": unix(event.start_date),
        "end_date": unix(event.end_date),
        "price": price_string(event.price_cents),
        "stock": _event_stock(node),
        "status": _event_status(event),
        "tickets": _tickets(node),
        "children": [child_event_json(child) for child in node.children],
    }


def child_event_json(node: EventNode) -> dict[str, Any]:
    """A child event (sub-date) inside ``children``."""
    event = node.event
    return {
        "id": event.id,
        "name": event.name,
        "status": _event_status(event),
        "stock": _event_stock(node),
        "price": price_string(event.price_cents),
        "featured": event.featured,
        "tickets": _tickets(node),
        "manage_price_per_ticket": event.manage_price_per_ticket,
        "manage_stock_per_ticket": event.manage_stock_per_ticket,
        "start_date": unix(event.start_date),
        "end_date": unix(event.end_date),
        "event_params": json.loads(event.event_params or "{}"),
        "password": event.password,
        "thumbnail": event.thumbnail,
        "location": event.location,
        "deleted_at": unix(event.deleted_at),
    }


def user_event_json(event: Event) -> dict[str, Any]:
    """One entry of ``GET /tp-api/users/{userId}/events``."""
    return {"id": event.id, "name": event.name, "start_date": iso(event.start_date)}


def owned_ticket_json(owned: OwnedTicket) -> dict[str, Any]:
    """One ticket of ``GET /tp-api/events/{eventId}/tickets``."""
    ticket = owned.ticket
    start = ticket.ticket_type.date or ticket.event.start_date
    return {
        "id": ticket.reference,
        "event_name": owned.top_event.name,
        "event_start_date": iso(owned.top_event.start_date),
        "start_date": iso(start),
        "order_id": ticket.order.reference,
        "name": ticket.ticket_type.name,
        "first_name": ticket.first_name or None,
        "last_name": ticket.last_name or None,
        "email": ticket.email or None,
        "phone": ticket.phone or None,
        "status": ticket.status,
        "is_deprecated": ticket.is_deprecated,
    }


def question_json(question: Question) -> dict[str, Any]:
    """One question of ``GET /tp-api/events/{eventId}/questions`` (an extension)."""
    return {
        "id": question.id,
        "type": question.kind,
        "label": {"en": question.label, "nl": question.label_nl or question.label},
        "help": {"en": question.help_text, "nl": question.help_text_nl or question.help_text},
        "required": question.required,
        "ticket_type_ids": question_reads.type_ids_of(question),
        "options": [
            {"value": o.value, "label": {"en": o.label, "nl": o.label_nl or o.label}}
            for o in question_reads.options_of(question)
        ],
    }


def owned_ticket_questions_json(asked: TicketQuestions) -> dict[str, Any]:
    """The fields an owned ticket gains when its event asks questions (an extension)."""
    return {
        "question_ids": asked.question_ids,
        "answers": {str(qid): value for qid, value in asked.answers.items()},
    }
