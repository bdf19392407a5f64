"""The dates of an event (the days of a festival, the nights of a run) after it was made:
add one, change its title, times or capacity, remove one nothing was sold for.

A date is an event row under its parent with its own ticket types; place, time zone,
currency and door rules are the parent's. Each change is one write transaction with its
audit entry.
"""

from __future__ import annotations

from tp_api.db import utcnow, write_transaction
from tp_api.models import Event, OrderLine, ProductMapping, TicketType
from tp_api.schemas.events import EventDateCreate, EventDateUpdate
from tp_api.services.actors import SYSTEM, Actor
from tp_api.services.audit_trail import changed, created
from tp_api.services.errors import Conflict, Unprocessable
from tp_api.services.events import event_audit
from tp_api.services.events.event_admin import (
    date_of,
    insert_date,
    locked_event,
    move_type_dates,
    refuse_if_closed,
)
from tp_api.services.events.event_capacity import change_capacity, units_held

# Date fields a change may set, by schema field.
_DATE_FIELDS = {
    "title": "name",
    "starts_at": "start_date",
    "ends_at": "end_date",
    "admission_opens_minutes": "admission_opens_minutes",
}
# Fields a change may set to null (no end; doors open as the event's).
_NULLABLE = ("ends_at", "admission_opens_minutes")


def add_date(
    account_id: int, id_or_slug: str, data: EventDateCreate, *, actor: Actor = SYSTEM
) -> Event:
    """A new date of the event, with its ticket types (it goes on sale with the event)."""
    actor.require("events:write")
    with write_transaction():
        event = locked_event(account_id, id_or_slug)
        refuse_if_closed(event)
        date = insert_date(account_id, event, data)
        # A date sells when its event does: one added to a published event is on sale.
        date.lifecycle = event.lifecycle
        date.save()
        values = created(event_audit.event_values(date))
        event_audit.event_changed(account_id, actor, "event.date_added", date, values)
        for ticket_type in TicketType.select().where(TicketType.event == date.id):
            type_values = created(event_audit.type_values(ticket_type))
            event_audit.type_changed(
                account_id, actor, "ticket_type.created", ticket_type, type_values
            )
    return date


def update_date(
    account_id: int,
    id_or_slug: str,
    date_id: int,
    data: EventDateUpdate,
    *,
    actor: Actor = SYSTEM,
) -> Event:
    """Change the fields sent; a capacity below what is sold and held is refused."""
    actor.require("events:write")
    changes = data.model_dump(exclude_unset=True)
    with write_transaction():
        event = locked_event(account_id, id_or_slug)
        refuse_if_closed(event)
        date = date_of(event, date_id)
        before = event_audit.event_values(date)
        old_start = date.start_date
        for name, column in _DATE_FIELDS.items():
            if name in changes and (changes[name] is not None or name in _NULLABLE):
                setattr(date, column, changes[name])
        if "capacity" in changes:
            change_capacity(account_id, date, changes["capacity"])
        if date.end_date is not None and date.end_date < date.start_date:
            raise Unprocessable("endsAt must not be before startsAt", code="invalid_dates")
        date.updated_at = utcnow()
        date.save()
        move_type_dates(date, old_start)
        diff = changed(before, event_audit.event_values(date))
        if diff:
            event_audit.event_changed(account_id, actor, "event.date_updated", date, diff)
    return date


def remove_date(account_id: int, id_or_slug: str, date_id: int, *, actor: Actor = SYSTEM) -> None:
    """Remove a date nothing was sold or reserved for; one with tickets is kept (cancel the
    event, or end its sales, instead)."""
    actor.require("events:write")
    with write_transaction():
        event = locked_event(account_id, id_or_slug)
        refuse_if_closed(event)
        date = date_of(event, date_id)
        types = TicketType.select(TicketType.id).where(TicketType.event == date.id)
        sold = OrderLine.select().where(OrderLine.ticket_type.in_(types)).exists()
        if sold or units_held(date) or date.sold or date.reserved:
            raise Conflict(
                "This date has tickets sold or reserved, so it stays; end its sales instead",
                code="date_has_tickets",
            )
        if ProductMapping.select().where(ProductMapping.ticket_type.in_(types)).exists():
            # The shop product would keep its last stock and keep selling a removed date.
            raise Conflict(
                "A shop product sells this date's tickets; unmap it in the shop first",
                code="date_mapped",
            )
        now = utcnow()
        Event.update(deleted_at=now, updated_at=now).where(Event.id == date.id).execute()
        event_audit.event_changed(account_id, actor, "event.date_removed", date)
