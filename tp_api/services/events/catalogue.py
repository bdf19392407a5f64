"""Events and ticket types: reading the catalogue and loading it from JSON."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from tp_api.db import write_transaction
from tp_api.models import Event, TicketType
from tp_api.services.actors import SYSTEM, Actor
from tp_api.services.audit_trail import created
from tp_api.services.errors import InvalidInput, NotFound, Said
from tp_api.services.events import event_audit
from tp_api.services.validation import (
    optional_bool,
    optional_cents,
    optional_int,
    optional_str,
    optional_timestamp,
    require_object,
    required_str,
)

MAX_EVENTS_PER_LOAD = 1000


@dataclass
class EventNode:
    """An event with its ticket types and (for a top-level event) its child events."""

    event: Event
    ticket_types: list[TicketType] = field(default_factory=list)
    children: list[EventNode] = field(default_factory=list)


def get_event(account_id: int, event_id: int) -> Event:
    """The account's (not deleted) event, or NotFound. Another account's event is not found."""
    event = (
        Event.select()
        .where(Event.id == event_id, Event.account == account_id, Event.deleted_at.is_null())
        .first()
    )
    if event is None:
        raise NotFound("Event not found", code="event_not_found")
    return event


def event_scope(event: Event) -> list[int]:
    """The event's id and its children's ids: a parent event covers its sub-dates."""
    children = Event.select(Event.id).where(Event.parent == event.id)
    return [event.id, *(child.id for child in children)]


def event_tree(account_id: int) -> list[EventNode]:
    """Every top-level event of the account with its ticket types and children, in two queries.

    Deleted top-level events are left out; deleted children are kept (with ``deleted_at``
    set) so a shop can take their products offline. The counters are read as they are: the
    partner catalogue releases lapsed holds first (partner_catalogue.py).
    """
    events = list(
        Event.select()
        .where(Event.account == account_id)
        .order_by(Event.start_date.asc(nulls="LAST"), Event.id)
    )
    types = (
        TicketType.select().join(Event).where(Event.account == account_id).order_by(TicketType.id)
    )
    nodes = {event.id: EventNode(event) for event in events}
    for ticket_type in types:
        nodes[ticket_type.event_id].ticket_types.append(ticket_type)
    roots = []
    for event in events:
        node = nodes[event.id]
        if event.parent_id is None:
            if event.deleted_at is None:
                roots.append(node)
        elif event.parent_id in nodes:
            nodes[event.parent_id].children.append(node)
    return roots


def load_events(account_id: int, data: Any, *, actor: Actor = SYSTEM) -> list[EventNode]:
    """Create events (children and ticket types included) from the ``GET /tp-api/events`` shape.

    ``id`` fields are ignored; everything is created in one transaction, or nothing is. The
    audit trail has one ``event.created`` per event loaded, with its values.
    """
    actor.require("events:write")
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list) or not data:
        raise InvalidInput("Expected a JSON array of events")
    if len(data) > MAX_EVENTS_PER_LOAD:
        raise InvalidInput(Said("At most {limit} events per load", limit=MAX_EVENTS_PER_LOAD))
    with write_transaction():
        nodes = [
            _create_event(
                account_id, require_object(item, f"events[{i}]"), parent=None, where=f"events[{i}]"
            )
            for i, item in enumerate(data)
        ]
        for node in nodes:
            values = created(event_audit.event_values(node.event))
            event_audit.event_changed(account_id, actor, "event.created", node.event, values)
    return nodes


def _create_event(
    account_id: int, data: dict[str, Any], *, parent: Event | None, where: str
) -> EventNode:
    params = data.get("event_params") or {}
    if not isinstance(params, dict):
        raise InvalidInput(Said("{where}.event_params must be an object", where=where))
    event = Event.create(
        account=account_id,
        parent=parent,
        name=required_str(data, "name", max_len=300, label=f"{where}.name"),
        city=optional_str(data, "city", max_len=200),
        location=optional_str(data, "location", max_len=300),
        start_date=optional_timestamp(data, "start_date"),
        end_date=optional_timestamp(data, "end_date"),
        timezone=optional_str(data, "timezone", max_len=64) or "UTC",
        price_cents=optional_cents(data, "price") or 0,
        stock=optional_int(data, "stock", maximum=10_000_000) or 0,
        status=_status(data),
        featured=optional_bool(data, "featured", default=False),
        thumbnail=optional_str(data, "thumbnail", max_len=500) or None,
        password=optional_str(data, "password", max_len=200) or None,
        event_params=json.dumps(params),
        manage_price_per_ticket=optional_bool(data, "manage_price_per_ticket", default=True),
        manage_stock_per_ticket=optional_bool(data, "manage_stock_per_ticket", default=True),
    )
    node = EventNode(event)
    for i, item in enumerate(_list(data, "tickets", where)):
        node.ticket_types.append(
            _create_ticket_type(event, require_object(item, f"{where}.tickets[{i}]"))
        )
    children = _list(data, "children", where)
    if children and parent is not None:
        raise InvalidInput(Said("{where}: child events cannot have children", where=where))
    for i, item in enumerate(children):
        child_where = f"{where}.children[{i}]"
        node.children.append(
            _create_event(
                account_id, require_object(item, child_where), parent=event, where=child_where
            )
        )
    return node


def _create_ticket_type(event: Event, data: dict[str, Any]) -> TicketType:
    return TicketType.create(
        event=event,
        name=required_str(data, "name", max_len=300),
        price_cents=optional_cents(data, "price") or 0,
        stock=optional_int(data, "stock", maximum=10_000_000) or 0,
        status=_status(data),
        date=optional_timestamp(data, "date"),
        enabled=optional_bool(data, "enabled", default=True),
    )


def _status(data: dict[str, Any]) -> int:
    status = optional_int(data, "status", maximum=99)
    return 1 if status is None else status


def _list(data: dict[str, Any], name: str, where: str) -> list[Any]:
    value = data.get(name) or []
    if not isinstance(value, list):
        raise InvalidInput(Said("{where}.{name} must be an array", where=where, name=name))
    return value
