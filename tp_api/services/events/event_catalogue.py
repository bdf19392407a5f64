"""Reading an account's events for the admin API: find by id or slug, list, availability.

Every query is scoped by the caller's account here, in the domain: a view cannot forget it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from peewee import JOIN, ModelSelect, fn

from tp_api.db import utcnow
from tp_api.models import Event, EventLifecycle, TicketType
from tp_api.services.cursors import decode_cursor, encode_cursor
from tp_api.services.errors import NotFound
from tp_api.services.events.catalogue import EventNode


@dataclass(frozen=True)
class EventFilter:
    """The list filters of ``GET /api/v1/events``."""

    status: str | None = None
    search: str | None = None
    date_from: datetime | None = None
    date_to: datetime | None = None
    live_only: bool = False


@dataclass(frozen=True)
class EventPage:
    nodes: list[EventNode]
    next_cursor: str | None


def find_event(account_id: int, id_or_slug: str | int) -> Event:
    """The account's top-level event by id or slug (not deleted), or NotFound."""
    query = Event.select().where(
        Event.account == account_id, Event.parent.is_null(), Event.deleted_at.is_null()
    )
    text = str(id_or_slug)
    if text.isascii() and text.isdigit() and len(text) <= 15:
        event = query.where(Event.id == int(text)).first()
    else:
        event = query.where(Event.slug == text).first()
    if event is None:
        raise NotFound("Event not found", code="event_not_found")
    return event


def event_and_dates(event_id: int) -> ModelSelect[Event]:
    """The ids of the event and its dates not removed (for "the event's ticket types")."""
    return Event.select(Event.id).where(
        ((Event.id == event_id) | (Event.parent == event_id)) & Event.deleted_at.is_null()
    )


def event_node(event: Event) -> EventNode:
    """The event with its ticket types and (not deleted) child dates, in two queries."""
    return _nodes([event])[0]


def list_events(
    account_id: int, filters: EventFilter, *, limit: int, cursor: str | None
) -> EventPage:
    """A page of the account's top-level events in creation order (keyset on the id)."""
    query = Event.select().where(
        Event.account == account_id, Event.parent.is_null(), Event.deleted_at.is_null()
    )
    query = _filtered(query, filters)
    after = decode_cursor(cursor, int)
    if after is not None:
        query = query.where(Event.id > after[0])
    rows = list(query.order_by(Event.id).limit(limit + 1))
    more = len(rows) > limit
    rows = rows[:limit]
    return EventPage(_nodes(rows), encode_cursor(rows[-1].id) if more and rows else None)


def _filtered(query: Any, filters: EventFilter) -> Any:
    if filters.status is not None:
        query = query.where(_status_condition(filters.status))
    if filters.search:
        term = filters.search
        query = query.where(
            Event.name.contains(term) | Event.city.contains(term) | Event.location.contains(term)
        )
    if filters.date_from is not None:
        query = query.where(Event.start_date >= filters.date_from)
    if filters.date_to is not None:
        query = query.where(Event.start_date <= filters.date_to)
    if filters.live_only:
        now = utcnow()
        query = query.where(
            Event.lifecycle == EventLifecycle.PUBLISHED,
            fn.COALESCE(Event.end_date, Event.start_date) >= now,
        )
    return query


def _status_condition(status: str) -> Any:
    sold_out = _sold_out_condition()
    if status == EventLifecycle.SOLD_OUT:
        return (Event.lifecycle == EventLifecycle.PUBLISHED) & sold_out
    if status == EventLifecycle.PUBLISHED:
        return (Event.lifecycle == EventLifecycle.PUBLISHED) & ~sold_out
    return Event.lifecycle == status


def _sold_out_condition() -> Any:
    """SQL for "nothing left": the event or its dates have visible ticket types, and none of
    them has a unit left (in itself and in its event's or date's shared pool, if any)."""
    owner = Event.alias()
    visible = (
        TicketType.select(TicketType.id)
        .join(owner, on=(TicketType.event == owner.id))
        .where(
            (owner.id == Event.id) | (owner.parent == Event.id),
            owner.deleted_at.is_null(),  # a removed date sells nothing
            TicketType.hidden == False,  # noqa: E712 (peewee builds SQL from ==)
            TicketType.enabled == True,  # noqa: E712
        )
    )
    left = visible.where(
        TicketType.sold + TicketType.reserved < TicketType.stock,
        (owner.manage_stock_per_ticket == True)  # noqa: E712
        | (owner.sold + owner.reserved < owner.stock),
    )
    return fn.EXISTS(visible) & ~fn.EXISTS(left)


def effective_status(node: EventNode) -> str:
    """The lifecycle state, with a published event that has nothing left shown as sold out."""
    event = node.event
    if event.lifecycle != EventLifecycle.PUBLISHED:
        return event.lifecycle
    return EventLifecycle.SOLD_OUT if is_sold_out(node) else EventLifecycle.PUBLISHED


def is_sold_out(node: EventNode) -> bool:
    """Same rule as the SQL filter, on loaded rows."""
    visible = [
        (part.event, t)
        for part in (node, *node.children)
        for t in part.ticket_types
        if not t.hidden and t.enabled
    ]
    return bool(visible) and all(
        t.available == 0 or pool_available(owner) == 0 for owner, t in visible
    )


def pool_available(event: Event) -> int | None:
    """Units left in the event's shared pool, or None when it has none."""
    if event.manage_stock_per_ticket:
        return None
    return max(0, event.stock - event.sold - event.reserved)


def _nodes(events: list[Event]) -> list[EventNode]:
    if not events:
        return []
    ids = [e.id for e in events]
    children = list(
        Event.select()
        .where(Event.parent.in_(ids), Event.deleted_at.is_null())
        .order_by(Event.start_date.asc(nulls="LAST"), Event.id)
    )
    nodes = {e.id: EventNode(e) for e in (*events, *children)}
    types = (
        TicketType.select(TicketType)
        .join(Event, JOIN.INNER)
        .where(TicketType.event.in_(list(nodes)))
        .order_by(TicketType.id)
    )
    for ticket_type in types:
        nodes[ticket_type.event_id].ticket_types.append(ticket_type)
    for child in children:
        nodes[child.parent_id].children.append(nodes[child.id])  # type: ignore[index] # a child
    return [nodes[e.id] for e in events]
