"""An event's waiting room in the console: switch it on, set the rate, the start, where
customers go back to and which ticket types it covers; see the line's figures and the link
a shop sends its customers to.

Through the same service as the admin API (services.queue.room_settings); a refusal comes
back with what was typed and the problem beside its field.
"""

from __future__ import annotations

from datetime import datetime
from typing import cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import Response, flash, redirect, render_template, request, url_for

from tp_api.db import tuples
from tp_api.models import Event, TicketType
from tp_api.services.errors import TicketingError
from tp_api.services.events.event_catalogue import event_and_dates
from tp_api.services.queue.figures import room_figures
from tp_api.services.queue.room_settings import (
    MAX_RATE,
    RoomChange,
    RoomSettings,
    configure,
    room_of,
)
from tp_api.web.console import account_id, actor, bp
from tp_api.web.console.event_editor import top_event
from tp_api.web.languages import _, translated
from tp_api.web.parts import parts

# Which field a refusal of the service belongs beside.
_FIELD_OF_CODE = {
    "queue_rate_invalid": "ratePerMinute",
    "queue_return_url_invalid": "returnUrl",
    "queue_ticket_type_invalid": "ticketTypeIds",
}


@bp.route("/events/<int:event_id>/queue", methods=["GET", "POST"])
def event_queue(event_id: int) -> str | tuple[str, int] | Response:
    """The waiting room of one event."""
    event = top_event(event_id)
    room = room_of(event)
    if request.method == "GET":
        return _page(event, room, _values(room, event.timezone), {})
    values = {name: request.form.get(name, "").strip() for name in _FIELDS}
    values["queueEnabled"] = "on" if request.form.get("queueEnabled") else ""
    chosen = request.form.getlist("ticketTypeIds")
    errors: dict[str, str] = {}
    change = _change(values, chosen, event.timezone, errors)
    if change is None:
        return _page(event, room, values, errors, chosen), 422
    try:
        configure(account_id(), str(event.id), change, actor=actor())
    except TicketingError as error:
        errors[_FIELD_OF_CODE.get(error.code, "_form")] = translated(error.message)
        return _page(event, room, values, errors, chosen), error.status
    flash(_("Waiting room saved."))
    return cast(Response, redirect(url_for("console.event_queue", event_id=event.id)))


_FIELDS = ("ratePerMinute", "startsAt", "returnUrl")


def _change(
    values: dict[str, str], chosen: list[str], timezone: str, errors: dict[str, str]
) -> RoomChange | None:
    rate = values["ratePerMinute"]
    if not (rate.isdigit() and 1 <= int(rate) <= MAX_RATE):
        errors["ratePerMinute"] = _("Enter a whole number from 1 to %(most)s.", most=MAX_RATE)
    starts_at = None
    if values["startsAt"]:
        try:
            starts_at = datetime.fromisoformat(values["startsAt"]).replace(tzinfo=_zone(timezone))
        except ValueError:
            errors["startsAt"] = _("Enter a date and time.")
    if not all(c.isdigit() for c in chosen):
        errors["ticketTypeIds"] = _("Choose ticket types from the list.")
    if errors:
        return None
    return RoomChange(
        enabled=values["queueEnabled"] == "on",
        rate_per_minute=int(rate),
        starts_at=starts_at,
        return_url=values["returnUrl"],
        ticket_type_ids=tuple(int(c) for c in chosen),
    )


def _values(room: RoomSettings, timezone: str) -> dict[str, str]:
    starts = room.starts_at.astimezone(_zone(timezone)) if room.starts_at else None
    return {
        "queueEnabled": "on" if room.enabled else "",
        "ratePerMinute": str(room.rate_per_minute),
        "startsAt": starts.strftime("%Y-%m-%dT%H:%M") if starts else "",
        "returnUrl": room.return_url,
    }


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _page(
    event: Event,
    room: RoomSettings,
    values: dict[str, str],
    errors: dict[str, str],
    chosen: list[str] | None = None,
) -> str:
    types = list(
        tuples(
            TicketType.select(TicketType.id, TicketType.name)
            .where(TicketType.event.in_(event_and_dates(event.id)))
            .order_by(TicketType.id)
        )
    )
    picked = set(chosen) if chosen is not None else {str(i) for i in room.ticket_type_ids}
    link = f"{parts().public_url.rstrip('/')}/queue/{event.id}"
    return render_template(
        "console/waiting_room.html",
        event=event,
        room=room,
        values=values,
        errors=errors,
        types=[(str(type_id), name, str(type_id) in picked) for type_id, name in types],
        figures=room_figures(parts().waiting_rooms, event, room),
        link=link,
        example_type=types[0][0] if types else 1,
    )
