"""Events and ticket types: ``/api/v1/events``."""

from __future__ import annotations

from flask import g

from tp_api.models import EventLifecycle, TicketType
from tp_api.schemas.events import (
    Availability,
    EventCancel,
    EventCreate,
    EventDateCreate,
    EventDateUpdate,
    EventDuplicate,
    EventList,
    EventListQuery,
    EventOut,
    EventUpdate,
    TicketTypeCreate,
    TicketTypeList,
    TicketTypeOut,
    TicketTypeUpdate,
)
from tp_api.services.admin_render import availability_out, event_out, ticket_type_out
from tp_api.services.events import (
    duplication,
    event_admin,
    event_catalogue,
    event_dates,
    event_lifecycle,
)
from tp_api.services.events.event_catalogue import EventFilter
from tp_api.web.admin import bp
from tp_api.web.api_routes import operation

READ, WRITE = ("events:read",), ("events:write",)
_ONE = "/events/<id_or_slug>"


def _event(id_or_slug: str) -> EventOut:
    event = event_catalogue.find_event(g.caller.account_id, id_or_slug)
    return event_out(event_catalogue.event_node(event))


@operation(
    bp,
    "/events",
    "GET",
    summary="List events",
    tag="Events",
    scopes=READ,
    query=EventListQuery,
    response=EventList,
    errors=(400,),
)
def list_events(query: EventListQuery) -> EventList:
    """Top-level events in creation order, filtered; page with ``cursor``."""
    page = event_catalogue.list_events(
        g.caller.account_id,
        EventFilter(query.status, query.search, query.date_from, query.date_to, query.live_only),
        limit=query.limit,
        cursor=query.cursor,
    )
    return EventList(items=[event_out(n) for n in page.nodes], next_cursor=page.next_cursor)


@operation(
    bp,
    "/events",
    "POST",
    summary="Create an event",
    tag="Events",
    scopes=WRITE,
    body=EventCreate,
    response=EventOut,
    status=201,
    errors=(400, 409),
)
def create_event(body: EventCreate) -> EventOut:
    """Create a draft event with its ticket types and dates in one request."""
    event = event_admin.create_event(g.caller.account_id, body, actor=g.caller.actor)
    return _event(str(event.id))


@operation(
    bp,
    _ONE,
    "GET",
    summary="Get an event by id or slug",
    tag="Events",
    scopes=READ,
    response=EventOut,
    errors=(404,),
)
def get_event(id_or_slug: str) -> EventOut:
    """One event with its ticket types, dates and sales."""
    return _event(id_or_slug)


@operation(
    bp,
    _ONE,
    "PATCH",
    summary="Update an event",
    tag="Events",
    scopes=WRITE,
    body=EventUpdate,
    response=EventOut,
    errors=(400, 404, 409, 422),
)
def update_event(id_or_slug: str, body: EventUpdate) -> EventOut:
    """Change the fields sent; the status changes through the lifecycle actions."""
    event = event_admin.update_event(g.caller.account_id, id_or_slug, body, actor=g.caller.actor)
    return _event(str(event.id))


@operation(
    bp,
    _ONE,
    "DELETE",
    summary="Delete a draft event",
    tag="Events",
    scopes=WRITE,
    status=204,
    errors=(404, 409),
)
def delete_event(id_or_slug: str) -> None:
    """Only drafts can be deleted; cancel or archive any other event."""
    event_admin.delete_event(g.caller.account_id, id_or_slug, actor=g.caller.actor)


@operation(
    bp,
    _ONE + "/publish",
    "POST",
    summary="Publish a draft",
    tag="Event lifecycle",
    scopes=WRITE,
    response=EventOut,
    errors=(404, 409),
)
def publish_event(id_or_slug: str) -> EventOut:
    """draft -> published: the event goes on sale."""
    event = event_lifecycle.publish_event(g.caller.account_id, id_or_slug, actor=g.caller.actor)
    return _event(str(event.id))


@operation(
    bp,
    _ONE + "/complete",
    "POST",
    summary="Mark an event completed",
    tag="Event lifecycle",
    scopes=WRITE,
    response=EventOut,
    errors=(404, 409),
)
def complete_event(id_or_slug: str) -> EventOut:
    """published -> completed: sales end."""
    event = event_lifecycle.complete_event(g.caller.account_id, id_or_slug, actor=g.caller.actor)
    return _event(str(event.id))


@operation(
    bp,
    _ONE + "/archive",
    "POST",
    summary="Archive an event",
    tag="Event lifecycle",
    scopes=WRITE,
    response=EventOut,
    errors=(404, 409),
)
def archive_event(id_or_slug: str) -> EventOut:
    """completed or cancelled -> archived."""
    event = event_lifecycle.archive_event(g.caller.account_id, id_or_slug, actor=g.caller.actor)
    return _event(str(event.id))


@operation(
    bp,
    _ONE + "/cancel",
    "POST",
    summary="Cancel an event and refund its orders",
    tag="Event lifecycle",
    scopes=WRITE + ("orders:write",),
    body=EventCancel,
    response=EventOut,
    errors=(400, 404, 409),
)
def cancel_event(id_or_slug: str, body: EventCancel) -> EventOut:
    """Every ticket is cancelled and every order refunded (or cancelled when unpaid)."""
    summary = event_lifecycle.cancel_event(
        g.caller.account_id, id_or_slug, reason=body.reason, actor=g.caller.actor
    )
    return _event(str(summary.event.id))


@operation(
    bp,
    _ONE + "/duplicate",
    "POST",
    summary="Duplicate an event with new dates",
    tag="Events",
    scopes=WRITE,
    body=EventDuplicate,
    response=EventOut,
    status=201,
    errors=(400, 404, 409),
)
def duplicate_event(id_or_slug: str, body: EventDuplicate) -> EventOut:
    """A draft copy; dates and sale windows move by the same offset as the start."""
    event = duplication.duplicate_event(g.caller.account_id, id_or_slug, body, actor=g.caller.actor)
    return _event(str(event.id))


@operation(
    bp,
    _ONE + "/availability",
    "GET",
    summary="Live availability",
    tag="Events",
    scopes=READ,
    response=Availability,
    errors=(404,),
)
def event_availability(id_or_slug: str) -> Availability:
    """The compact shape for shop inventory sync; hidden ticket types are left out."""
    event = event_catalogue.find_event(g.caller.account_id, id_or_slug)
    return availability_out(event_catalogue.event_node(event))


@operation(
    bp,
    _ONE + "/dates",
    "POST",
    summary="Add a date to an event",
    tag="Events",
    scopes=WRITE,
    body=EventDateCreate,
    response=EventOut,
    status=201,
    errors=(400, 404, 409),
)
def add_date(id_or_slug: str, body: EventDateCreate) -> EventOut:
    """A new date (a day of a festival) with its ticket types; returns the event."""
    event_dates.add_date(g.caller.account_id, id_or_slug, body, actor=g.caller.actor)
    return _event(id_or_slug)


@operation(
    bp,
    _ONE + "/dates/<int:date_id>",
    "PATCH",
    summary="Update a date of an event",
    tag="Events",
    scopes=WRITE,
    body=EventDateUpdate,
    response=EventOut,
    errors=(400, 404, 409, 422),
)
def update_date(id_or_slug: str, date_id: int, body: EventDateUpdate) -> EventOut:
    """Change a date's title, times or capacity; returns the event."""
    event_dates.update_date(g.caller.account_id, id_or_slug, date_id, body, actor=g.caller.actor)
    return _event(id_or_slug)


@operation(
    bp,
    _ONE + "/dates/<int:date_id>",
    "DELETE",
    summary="Remove a date nothing was sold for",
    tag="Events",
    scopes=WRITE,
    status=204,
    errors=(404, 409),
)
def remove_date(id_or_slug: str, date_id: int) -> None:
    """A date with tickets sold or reserved, or sold by a shop product, stays (409)."""
    event_dates.remove_date(g.caller.account_id, id_or_slug, date_id, actor=g.caller.actor)


@operation(
    bp,
    _ONE + "/ticket-types",
    "GET",
    summary="List ticket types",
    tag="Ticket types",
    scopes=READ,
    response=TicketTypeList,
    errors=(404,),
)
def list_ticket_types(id_or_slug: str) -> TicketTypeList:
    """The event's ticket types and those of its dates, with availability."""
    event = event_catalogue.find_event(g.caller.account_id, id_or_slug)
    node = event_catalogue.event_node(event)
    types = [t for n in (node, *node.children) for t in n.ticket_types]
    selling = event.lifecycle == EventLifecycle.PUBLISHED
    return TicketTypeList(
        items=[ticket_type_out(t, event.currency, event_on_sale=selling) for t in types]
    )


@operation(
    bp,
    _ONE + "/ticket-types",
    "POST",
    summary="Add a ticket type",
    tag="Ticket types",
    scopes=WRITE,
    body=TicketTypeCreate,
    response=TicketTypeOut,
    status=201,
    errors=(400, 404, 409),
)
def add_ticket_type(id_or_slug: str, body: TicketTypeCreate) -> TicketTypeOut:
    """Add a ticket type to the event."""
    ticket_type = event_admin.add_ticket_type(
        g.caller.account_id, id_or_slug, body, actor=g.caller.actor
    )
    return _type_out(id_or_slug, ticket_type)


@operation(
    bp,
    _ONE + "/dates/<int:date_id>/ticket-types",
    "POST",
    summary="Add a ticket type to a date",
    tag="Ticket types",
    scopes=WRITE,
    body=TicketTypeCreate,
    response=TicketTypeOut,
    status=201,
    errors=(400, 404, 409),
)
def add_date_ticket_type(id_or_slug: str, date_id: int, body: TicketTypeCreate) -> TicketTypeOut:
    """Add a ticket type to one date of the event."""
    ticket_type = event_admin.add_ticket_type(
        g.caller.account_id, id_or_slug, body, date_id=date_id, actor=g.caller.actor
    )
    return _type_out(id_or_slug, ticket_type)


@operation(
    bp,
    _ONE + "/ticket-types/<int:type_id>",
    "PATCH",
    summary="Update a ticket type",
    tag="Ticket types",
    scopes=WRITE,
    body=TicketTypeUpdate,
    response=TicketTypeOut,
    errors=(400, 404, 422),
)
def update_ticket_type(id_or_slug: str, type_id: int, body: TicketTypeUpdate) -> TicketTypeOut:
    """Change price, quantity, sale window, limits or visibility."""
    ticket_type = event_admin.update_ticket_type(
        g.caller.account_id, id_or_slug, type_id, body, actor=g.caller.actor
    )
    return _type_out(id_or_slug, ticket_type)


@operation(
    bp,
    _ONE + "/ticket-types/<int:type_id>",
    "DELETE",
    summary="Remove an unsold ticket type",
    tag="Ticket types",
    scopes=WRITE,
    status=204,
    errors=(404, 422),
)
def remove_ticket_type(id_or_slug: str, type_id: int) -> None:
    """422 when any unit was sold or reserved."""
    event_admin.remove_ticket_type(g.caller.account_id, id_or_slug, type_id, actor=g.caller.actor)


def _type_out(id_or_slug: str, ticket_type: TicketType) -> TicketTypeOut:
    event = event_catalogue.find_event(g.caller.account_id, id_or_slug)
    selling = event.lifecycle == EventLifecycle.PUBLISHED
    return ticket_type_out(ticket_type, event.currency, event_on_sale=selling)
