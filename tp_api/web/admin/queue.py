"""The waiting room in the admin API: ``/api/v1/events/{id}/queue`` (settings and figures)
and ``POST /api/v1/queue/join`` (seed 001). Polling a place needs no key: the token is the
credential (tp_api.web.queue_poll)."""

from __future__ import annotations

from flask import Response, g

from tp_api.schemas.queue import (
    QueueFigures,
    QueueItemOut,
    QueueJoin,
    QueuePlaceOut,
    QueueSettingsOut,
    QueueSettingsUpdate,
)
from tp_api.services.events.event_catalogue import find_event
from tp_api.services.queue.figures import room_figures
from tp_api.services.queue.room_settings import RoomChange, configure, room_of
from tp_api.services.queue.schedule import PURCHASE_WINDOW
from tp_api.services.queue.waiting_room import QueueStatus
from tp_api.web.admin import bp
from tp_api.web.api_routes import model_response, operation
from tp_api.web.parts import parts

_ONE = "/events/<id_or_slug>/queue"


def settings_out(id_or_slug: str) -> QueueSettingsOut:
    """An event's waiting room with its figures, as the API and the console show it."""
    event = find_event(g.caller.account_id, id_or_slug)
    room = room_of(event)
    figures = room_figures(parts().waiting_rooms, event, room)
    return QueueSettingsOut(
        event_id=event.id,
        queue_enabled=room.enabled,
        rate_per_minute=room.rate_per_minute,
        starts_at=room.starts_at,
        return_url=room.return_url,
        ticket_type_ids=list(room.ticket_type_ids),
        purchase_window_seconds=int(PURCHASE_WINDOW.total_seconds()),
        figures=QueueFigures(**figures.__dict__),
    )


def place_out(status: QueueStatus) -> QueuePlaceOut:
    """A place as its holder sees it."""
    return QueuePlaceOut(
        token=status.token,
        event_id=status.event_id,
        place=status.place,
        status=status.state,
        position=status.position,
        estimated_wait_seconds=status.estimated_wait_s,
        admit_at=status.admit_at,
        expires_at=status.window_ends_at,
        items=[QueueItemOut(ticket_type_id=t, quantity=q) for t, q in sorted(status.items.items())],
        return_url=status.return_url if status.state == "admitted" and status.return_url else None,
        poll_after_seconds=status.poll_after_s,
    )


@operation(
    bp,
    _ONE,
    "GET",
    summary="Get an event's waiting room",
    tag="Waiting room",
    scopes=("events:read",),
    response=QueueSettingsOut,
    errors=(404,),
)
def get_queue(id_or_slug: str) -> QueueSettingsOut:
    """The settings and the figures of the line now."""
    return settings_out(id_or_slug)


@operation(
    bp,
    _ONE,
    "PUT",
    summary="Set up an event's waiting room",
    tag="Waiting room",
    scopes=("events:write",),
    body=QueueSettingsUpdate,
    response=QueueSettingsOut,
    errors=(400, 404),
)
def put_queue(id_or_slug: str, body: QueueSettingsUpdate) -> QueueSettingsOut:
    """Switch the line on or off, set its rate, start, return address and ticket types."""
    configure(
        g.caller.account_id,
        id_or_slug,
        RoomChange(
            enabled=body.queue_enabled,
            rate_per_minute=body.rate_per_minute,
            starts_at=body.starts_at,
            return_url=body.return_url,
            ticket_type_ids=None if body.ticket_type_ids is None else tuple(body.ticket_type_ids),
        ),
        actor=g.caller.actor,
    )
    return settings_out(id_or_slug)


@operation(
    bp,
    "/queue/join",
    "POST",
    summary="Join an event's line",
    tag="Waiting room",
    scopes=("orders:write",),
    body=QueueJoin,
    response=QueuePlaceOut,
    status=201,
    errors=(400, 404, 409),
)
def join_queue(body: QueueJoin) -> Response:
    """A new place (201), or the customer's live place again (200)."""
    items: dict[int, int] = {}
    for item in body.items:
        items[item.ticket_type_id] = items.get(item.ticket_type_id, 0) + item.quantity
    status, created = parts().waiting_rooms.join(
        g.caller.account_id, str(body.event_id), body.customer_id, items
    )
    return model_response(place_out(status), 201 if created else 200)
