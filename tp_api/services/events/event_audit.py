"""How changes to events and ticket types are written to the audit trail: the fields a
seller sets (times, place, prices, quantities, sale rules), by their admin-API names."""

from __future__ import annotations

from typing import Any

from tp_api.models import Event, TicketType
from tp_api.services import audit_trail
from tp_api.services.actors import Actor

# Event columns a seller sets, by admin-API field: what an update may change (event_admin)
# and what the audit trail shows.
EVENT_FIELDS = {
    "title": "name",
    "slug": "slug",
    "description": "description",
    "starts_at": "start_date",
    "ends_at": "end_date",
    "timezone": "timezone",
    "venue_name": "location",
    "city": "city",
    "currency": "currency",
    "allow_reentry": "allow_reentry",
    "require_personalisation": "require_personalisation",
    "send_reminders": "send_reminders",
    "admission_opens_minutes": "admission_opens_minutes",
    "lifecycle": "lifecycle",
}
# Ticket-type columns a seller sets (price in cents), by admin-API field.
TYPE_FIELDS = {
    "name": "name",
    "price": "price_cents",
    "quantity": "stock",
    "sales_start": "sales_start",
    "sales_end": "sales_end",
    "min_per_order": "min_per_order",
    "max_per_order": "max_per_order",
    "hidden": "hidden",
}


def event_values(event: Event) -> dict[str, Any]:
    """The event's audited fields as they are now."""
    return {name: getattr(event, column) for name, column in EVENT_FIELDS.items()}


def type_values(ticket_type: TicketType) -> dict[str, Any]:
    """The ticket type's audited fields as they are now."""
    return {name: getattr(ticket_type, column) for name, column in TYPE_FIELDS.items()}


def event_changed(
    account_id: int,
    actor: Actor,
    action: str,
    event: Event,
    changes: dict[str, list[Any]] | None = None,
) -> None:
    """Record ``action`` (e.g. ``event.updated``) on ``event``."""
    audit_trail.record(account_id, actor, action, ("event", event.id, event.name), changes)


def type_changed(
    account_id: int,
    actor: Actor,
    action: str,
    ticket_type: TicketType,
    changes: dict[str, list[Any]] | None = None,
) -> None:
    """Record ``action`` (e.g. ``ticket_type.updated``) on ``ticket_type``."""
    subject = ("ticket_type", ticket_type.id, ticket_type.name)
    audit_trail.record(account_id, actor, action, subject, changes)
