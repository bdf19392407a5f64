"""Where the seller creates and edits events and ticket types (admin API).

Events made here start as drafts; tp_api.services.events.event_lifecycle moves them on. Each
change is one write transaction.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import peewee

from tp_api.db import is_postgres, lock_rows, utcnow, write_transaction
from tp_api.models import Event, EventLifecycle, OrderLine, ProductMapping, TicketType
from tp_api.schemas.events import (
    EventCreate,
    EventDateCreate,
    EventUpdate,
    TicketTypeCreate,
    TicketTypeUpdate,
)
from tp_api.services.actors import SYSTEM, Actor
from tp_api.services.audit_trail import changed, created
from tp_api.services.errors import Conflict, NotFound, Said, Unprocessable
from tp_api.services.events import event_audit
from tp_api.services.events.event_capacity import change_capacity
from tp_api.services.events.event_catalogue import event_and_dates, find_event
from tp_api.services.orders import availability
from tp_api.services.webhooks import notify

# Event columns an update may set, by schema field (the lifecycle has its own actions).
_EVENT_FIELDS = {k: v for k, v in event_audit.EVENT_FIELDS.items() if k != "lifecycle"}
_TYPE_FIELDS = event_audit.TYPE_FIELDS
# Fields an update may set to null (null means none: no slug, no end, doors open any time).
_NULLABLE = ("slug", "ends_at", "admission_opens_minutes")
_CLOSED = (EventLifecycle.CANCELLED, EventLifecycle.ARCHIVED, EventLifecycle.COMPLETED)


def create_event(account_id: int, data: EventCreate, *, actor: Actor = SYSTEM) -> Event:
    """Create a draft event with its ticket types and child dates, all or nothing."""
    actor.require("events:write")
    with slug_guard(data.slug):
        event = _insert_event(
            account_id,
            parent=None,
            title=data.title,
            starts_at=data.starts_at,
            ends_at=data.ends_at,
            capacity=data.capacity,
            ticket_types=data.ticket_types,
            slug=data.slug,
            description=data.description,
            timezone=data.timezone,
            location=data.venue_name,
            city=data.city,
            currency=data.currency,
            allow_reentry=data.allow_reentry,
            require_personalisation=data.require_personalisation,
            send_reminders=data.send_reminders,
            admission_opens_minutes=data.admission_opens_minutes,
        )
        for date in data.dates:
            insert_date(account_id, event, date)
        _record_created(account_id, actor, event)
    return event


def _record_created(account_id: int, actor: Actor, event: Event) -> None:
    event_audit.event_changed(
        account_id, actor, "event.created", event, created(event_audit.event_values(event))
    )
    owners = Event.select(Event.id).where((Event.id == event.id) | (Event.parent == event.id))
    for ticket_type in TicketType.select().where(TicketType.event.in_(owners)):
        values = created(event_audit.type_values(ticket_type))
        event_audit.type_changed(account_id, actor, "ticket_type.created", ticket_type, values)


def insert_date(account_id: int, parent: Event, date: EventDateCreate) -> Event:
    """A new date of ``parent`` with its ticket types; place and rules are the parent's."""
    return _insert_event(
        account_id,
        parent=parent,
        title=date.title,
        starts_at=date.starts_at,
        ends_at=date.ends_at,
        capacity=date.capacity,
        ticket_types=date.ticket_types,
        timezone=parent.timezone,
        location=parent.location,
        city=parent.city,
        currency=parent.currency,
        allow_reentry=parent.allow_reentry,
        require_personalisation=parent.require_personalisation,
        send_reminders=parent.send_reminders,
        # Null: the date's doors open as its event's (tp_api.services.door.admission).
        admission_opens_minutes=date.admission_opens_minutes,
    )


def _insert_event(
    account_id: int,
    *,
    parent: Event | None,
    title: str,
    starts_at: datetime,
    ends_at: datetime | None,
    capacity: int | None,
    ticket_types: list[TicketTypeCreate],
    **fields: Any,
) -> Event:
    prices = [t.price for t in ticket_types]
    event = Event.create(
        account=account_id,
        parent=parent,
        name=title,
        start_date=starts_at,
        end_date=ends_at,
        lifecycle=EventLifecycle.DRAFT,
        # Without a shared capacity each type is its own pool; stock then shows their sum.
        manage_stock_per_ticket=capacity is None,
        stock=capacity if capacity is not None else sum(t.quantity for t in ticket_types),
        price_cents=min(prices) if prices else 0,
        **fields,
    )
    for ticket_type in ticket_types:
        _insert_ticket_type(event, ticket_type)
    return event


def _insert_ticket_type(event: Event, data: TicketTypeCreate) -> TicketType:
    return TicketType.create(
        event=event,
        name=data.name,
        price_cents=data.price,
        stock=data.quantity,
        date=event.start_date,
        sales_start=data.sales_start,
        sales_end=data.sales_end,
        min_per_order=data.min_per_order,
        max_per_order=data.max_per_order,
        hidden=data.hidden,
    )


def update_event(
    account_id: int, id_or_slug: str, data: EventUpdate, *, actor: Actor = SYSTEM
) -> Event:
    """Change the fields sent; a capacity below what is sold and held is refused."""
    actor.require("events:write")
    changes = data.model_dump(exclude_unset=True)
    with slug_guard(changes.get("slug")):
        event = locked_event(account_id, id_or_slug)
        before = event_audit.event_values(event)
        old_start = event.start_date
        for name, column in _EVENT_FIELDS.items():
            if name in changes and (changes[name] is not None or name in _NULLABLE):
                setattr(event, column, changes[name])
        if "capacity" in changes:
            change_capacity(account_id, event, changes["capacity"])
        if event.end_date is not None and event.start_date is not None:
            if event.end_date < event.start_date:
                raise Unprocessable("endsAt must not be before startsAt", code="invalid_dates")
        event.updated_at = utcnow()
        event.save()
        move_type_dates(event, old_start)
        diff = changed(before, event_audit.event_values(event))
        if diff:
            event_audit.event_changed(account_id, actor, "event.updated", event, diff)
    return event


def move_type_dates(event: Event, old_start: datetime | None) -> None:
    """Ticket types dated at the event's old start (as made here) move with it: tickets,
    their PDFs and the partner API show a ticket type's own date first."""
    if old_start is None or event.start_date == old_start:
        return
    (
        TicketType.update(date=event.start_date)
        .where((TicketType.event == event.id) & (TicketType.date == old_start))
        .execute()
    )


def add_ticket_type(
    account_id: int,
    id_or_slug: str,
    data: TicketTypeCreate,
    *,
    date_id: int | None = None,
    actor: Actor = SYSTEM,
) -> TicketType:
    """Add a ticket type to the event (or to one of its dates)."""
    actor.require("events:write")
    with write_transaction():
        event = locked_event(account_id, id_or_slug)
        target = date_of(event, date_id) if date_id is not None else event
        refuse_if_closed(event)
        ticket_type = _insert_ticket_type(target, data)
        if target.manage_stock_per_ticket:
            Event.update(stock=Event.stock + data.quantity).where(Event.id == target.id).execute()
        values = created(event_audit.type_values(ticket_type))
        event_audit.type_changed(account_id, actor, "ticket_type.created", ticket_type, values)
    return ticket_type


def update_ticket_type(
    account_id: int,
    id_or_slug: str,
    type_id: int,
    data: TicketTypeUpdate,
    *,
    actor: Actor = SYSTEM,
) -> TicketType:
    """Change a ticket type; its quantity cannot go below what is sold and reserved."""
    actor.require("events:write")
    changes = data.model_dump(exclude_unset=True)
    with write_transaction():
        event = locked_event(account_id, id_or_slug)
        ticket_type = _ticket_type_of(event, type_id)
        before = event_audit.type_values(ticket_type)
        old_stock, old_price = ticket_type.stock, ticket_type.price_cents
        for name, column in _TYPE_FIELDS.items():
            nullable = name in ("sales_start", "sales_end", "max_per_order")
            if name in changes and (changes[name] is not None or nullable):
                setattr(ticket_type, column, changes[name])
        if ticket_type.stock < ticket_type.sold + ticket_type.reserved:
            said = Said(
                "quantity {quantity} is below the {held} tickets already sold or reserved",
                quantity=ticket_type.stock,
                held=ticket_type.sold + ticket_type.reserved,
            )
            raise Unprocessable(said, code="quantity_below_sold")
        _check_rules(ticket_type)
        with availability.watching(account_id, [ticket_type.event_id]):
            ticket_type.save()
            owner = Event.get_by_id(ticket_type.event_id)
            if owner.manage_stock_per_ticket and ticket_type.stock != old_stock:
                # Without a shared capacity the event's stock is the sum of its types'.
                stock = Event.stock + (ticket_type.stock - old_stock)
                Event.update(stock=stock).where(Event.id == owner.id).execute()
        diff = changed(before, event_audit.type_values(ticket_type))
        if diff:
            event_audit.type_changed(account_id, actor, "ticket_type.updated", ticket_type, diff)
        if ticket_type.price_cents != old_price:
            notify.ticket_type_price_changed(account_id, ticket_type, old_price, actor.label)
    return ticket_type


def _check_rules(ticket_type: TicketType) -> None:
    start, end = ticket_type.sales_start, ticket_type.sales_end
    if start is not None and end is not None and end <= start:
        raise Unprocessable("salesEnd must be after salesStart", code="invalid_sales_window")
    if (
        ticket_type.max_per_order is not None
        and ticket_type.max_per_order < ticket_type.min_per_order
    ):
        raise Unprocessable(
            "maxPerOrder must not be below minPerOrder", code="invalid_per_order_limits"
        )


def remove_ticket_type(
    account_id: int, id_or_slug: str, type_id: int, *, actor: Actor = SYSTEM
) -> None:
    """Remove a ticket type nobody has bought or reserved and no shop product sells (422
    otherwise)."""
    actor.require("events:write")
    with write_transaction():
        event = locked_event(account_id, id_or_slug)
        ticket_type = _ticket_type_of(event, type_id)
        used = OrderLine.select().where(OrderLine.ticket_type == ticket_type.id).exists()
        if used or ticket_type.sold or ticket_type.reserved:
            raise Unprocessable(
                "Cannot remove a ticket type that has sold tickets", code="ticket_type_sold"
            )
        if ProductMapping.select().where(ProductMapping.ticket_type == ticket_type.id).exists():
            # Removing it would drop the mapping with it (cascade): the shop product would keep
            # its last stock and keep selling, and its orders would arrive as "unmapped"
            # instead of flagged for a refund. Disabling it pushes 0 and flags them.
            raise Unprocessable(
                "Cannot remove a ticket type that a shop product sells; disable it instead",
                code="ticket_type_mapped",
            )
        owner = Event.get_by_id(ticket_type.event_id)
        if owner.manage_stock_per_ticket:
            Event.update(stock=Event.stock - ticket_type.stock).where(
                Event.id == owner.id
            ).execute()
        gone = {name: [value, None] for name, value in event_audit.type_values(ticket_type).items()}
        event_audit.type_changed(account_id, actor, "ticket_type.removed", ticket_type, gone)
        ticket_type.delete_instance()


def delete_event(account_id: int, id_or_slug: str, *, actor: Actor = SYSTEM) -> None:
    """Delete a draft (its slug is freed); any other event is cancelled or archived instead."""
    actor.require("events:write")
    with write_transaction():
        event = locked_event(account_id, id_or_slug)
        if event.lifecycle != EventLifecycle.DRAFT:
            said = Said(
                "Only draft events can be deleted; this one is {state} "
                "(cancel or archive it instead)",
                state=event.lifecycle,
            )
            raise Conflict(said, code="event_not_draft")
        now = utcnow()
        (
            Event.update(deleted_at=now, slug=None, updated_at=now)
            .where((Event.id == event.id) | (Event.parent == event.id))
            .execute()
        )
        event_audit.event_changed(account_id, actor, "event.deleted", event)


def locked_event(account_id: int, id_or_slug: str) -> Event:
    """The event, row-locked on PostgreSQL (SQLite's write transaction already excludes)."""
    event = find_event(account_id, id_or_slug)
    if is_postgres():
        lock_rows(Event.select(Event.id).where(Event.id == event.id)).execute()
        event = Event.get_by_id(event.id)
    return event


def date_of(event: Event, date_id: int) -> Event:
    """One (not deleted) date of the event, or NotFound."""
    child = Event.get_or_none(
        (Event.id == date_id) & (Event.parent == event.id) & Event.deleted_at.is_null()
    )
    if child is None:
        raise NotFound("Event date not found", code="event_date_not_found")
    return child


def _ticket_type_of(event: Event, type_id: int) -> TicketType:
    owners = event_and_dates(event.id)
    ticket_type = TicketType.get_or_none((TicketType.id == type_id) & TicketType.event.in_(owners))
    if ticket_type is None:
        raise NotFound("Ticket type not found", code="ticket_type_not_found")
    return ticket_type


def refuse_if_closed(event: Event) -> None:
    """Conflict when the event is cancelled, archived or over: it changes no more."""
    if event.lifecycle in _CLOSED:
        raise Conflict(Said("The event is {state}", state=event.lifecycle), code="event_closed")


@contextmanager
def slug_guard(slug: str | None) -> Iterator[None]:
    """A write transaction that turns a duplicate slug into 409 Conflict.

    The unique (account, slug) index decides, so two concurrent requests for one slug
    cannot both win.
    """
    try:
        with write_transaction():
            yield
    except peewee.IntegrityError:
        if not slug:
            raise
        raise Conflict("Slug is already taken", code="slug_taken") from None
