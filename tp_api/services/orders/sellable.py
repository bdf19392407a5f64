"""The one rule for whether something can be sold now, used by every reader: the partner
catalogue, the partner checkout (through sale_rules), the stock push and shop-order ingestion.

An event sells only while its lifecycle is on sale (published) and it is not deleted; a
ticket type sells only when its event does and it is enabled and active (status 1).
Children share their parent's lifecycle (event_lifecycle moves both), so a child's own row
is enough.
"""

from __future__ import annotations

from tp_api.models import Event, EventLifecycle, TicketType


def event_sellable(event: Event) -> bool:
    """Whether the event (or child date) is on sale: published and not deleted."""
    return event.lifecycle in EventLifecycle.ON_SALE and event.deleted_at is None


def type_sellable(ticket_type: TicketType, event: Event) -> bool:
    """Whether the ticket type, whose event row is ``event``, can be sold now."""
    return event_sellable(event) and bool(ticket_type.enabled) and ticket_type.status == 1


def why_not_sellable(ticket_type: TicketType | None, event: Event | None) -> str | None:
    """None when sellable, else a short reason a seller can read (for a shop order)."""
    if ticket_type is None or event is None:
        return "the ticket type was removed"
    if event.deleted_at is not None:
        return "the event was deleted"
    if event.lifecycle not in EventLifecycle.ON_SALE:
        return f"the event is {event.lifecycle}"
    if not ticket_type.enabled or ticket_type.status != 1:
        return f"ticket type {ticket_type.name} ({ticket_type.id}) is not on sale"
    return None
