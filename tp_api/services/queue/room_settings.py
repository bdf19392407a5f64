"""An event's waiting room: switched on and off, its rate, start and ticket types.

Changes are the seller's (admin API ``PUT /api/v1/events/{id}/queue``, the console) and go
to the audit trail. The rate and the start decide the turns of people who join after the
change; a turn once given is kept (services.queue.schedule), so nobody already waiting is
moved back.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from peewee import fn

from tp_api.db import lock_rows, tuples, utcnow, write_transaction
from tp_api.models import Event, TicketType, WaitingRoom
from tp_api.services import audit_trail
from tp_api.services.actors import Actor
from tp_api.services.errors import InvalidInput, Said
from tp_api.services.events.catalogue import event_scope
from tp_api.services.events.event_catalogue import find_event

MAX_RATE = 100_000
DEFAULT_RATE = 100


@dataclass(frozen=True)
class RoomSettings:
    """An event's waiting room as the seller set it (``enabled`` False: no line)."""

    event_id: int
    enabled: bool
    rate_per_minute: int
    starts_at: datetime | None
    return_url: str
    ticket_type_ids: tuple[int, ...]  # empty: every ticket type of the event

    def covers(self, ticket_type_id: int) -> bool:
        """Whether an order for this ticket type needs a turn in the line."""
        return self.enabled and (not self.ticket_type_ids or ticket_type_id in self.ticket_type_ids)


@dataclass(frozen=True)
class RoomChange:
    """What the seller asks for; None keeps the current value."""

    enabled: bool | None = None
    rate_per_minute: int | None = None
    starts_at: datetime | None = None
    return_url: str | None = None
    ticket_type_ids: tuple[int, ...] | None = None


def room_of(event: Event) -> RoomSettings:
    """The event's waiting room (switched off if it never had one)."""
    row = WaitingRoom.get_or_none(WaitingRoom.event == event.id)
    if row is None:
        return RoomSettings(event.id, False, DEFAULT_RATE, None, "", ())
    return _settings(row)


def rooms_for_types(ticket_type_ids: Iterable[int]) -> dict[int, RoomSettings]:
    """The switched-on rooms covering any of these ticket types, by ticket type id.

    A ticket type of a sub-date is covered by the room of its top-level event. One query.
    """
    ids = list(ticket_type_ids)
    if not ids:
        return {}
    rows = list(
        tuples(
            TicketType.select(TicketType.id, WaitingRoom.id)
            .join(Event)
            .join(WaitingRoom, on=(WaitingRoom.event == fn.COALESCE(Event.parent, Event.id)))
            .where(TicketType.id.in_(ids), WaitingRoom.enabled == True)  # noqa: E712
        )
    )
    if not rows:
        return {}
    room_ids = {room_id for _, room_id in rows}
    rooms = {r.id: _settings(r) for r in WaitingRoom.select().where(WaitingRoom.id.in_(room_ids))}
    return {type_id: rooms[room_id] for type_id, room_id in rows if rooms[room_id].covers(type_id)}


def configure(
    account_id: int, id_or_slug: str, change: RoomChange, *, actor: Actor
) -> RoomSettings:
    """Set up or change an event's waiting room. Raises NotFound or InvalidInput."""
    actor.require("events:write")
    with write_transaction():
        event = find_event(account_id, id_or_slug)
        before = room_of(event)
        after = _apply(event, before, change)
        now = utcnow()
        WaitingRoom.insert(
            event=event.id, enabled=False, starts_at=now, updated_at=now
        ).on_conflict_ignore().execute()
        lock_rows(WaitingRoom.select(WaitingRoom.id).where(WaitingRoom.event == event.id)).execute()
        WaitingRoom.update(
            enabled=after.enabled,
            rate_per_minute=after.rate_per_minute,
            starts_at=after.starts_at or now.replace(microsecond=0),
            return_url=after.return_url,
            ticket_type_ids=" ".join(str(i) for i in after.ticket_type_ids),
            updated_at=now,
        ).where(WaitingRoom.event == event.id).execute()
        saved = room_of(event)
        changes = audit_trail.changed(_audited(before), _audited(saved))
        if changes:
            audit_trail.record(
                account_id, actor, "event.queue_changed", ("event", event.id, event.name), changes
            )
    return saved


def _apply(event: Event, before: RoomSettings, change: RoomChange) -> RoomSettings:
    rate = before.rate_per_minute if change.rate_per_minute is None else change.rate_per_minute
    if not 1 <= rate <= MAX_RATE:
        raise InvalidInput(
            Said("ratePerMinute must be between 1 and {most}", most=MAX_RATE),
            code="queue_rate_invalid",
        )
    return_url = before.return_url if change.return_url is None else change.return_url.strip()
    if return_url and not _web_address(return_url):
        raise InvalidInput(
            "returnUrl must be an http:// or https:// address", code="queue_return_url_invalid"
        )
    types = before.ticket_type_ids if change.ticket_type_ids is None else change.ticket_type_ids
    _check_types(event, types)
    enabled = before.enabled if change.enabled is None else change.enabled
    starts_at = change.starts_at or before.starts_at
    if enabled and not before.enabled and change.starts_at is None:
        starts_at = None  # switched on without a start: the line opens now
    return RoomSettings(event.id, enabled, rate, starts_at, return_url, tuple(sorted(set(types))))


def _web_address(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.hostname) and len(url) <= 2000


def _check_types(event: Event, type_ids: tuple[int, ...]) -> None:
    if not type_ids:
        return
    own = {
        type_id
        for (type_id,) in tuples(
            TicketType.select(TicketType.id).where(TicketType.event.in_(event_scope(event)))
        )
    }
    strangers = sorted(set(type_ids) - own)
    if strangers:
        raise InvalidInput(
            Said(
                "Ticket type {ids} is not a ticket type of this event",
                ids=", ".join(str(i) for i in strangers),
            ),
            code="queue_ticket_type_invalid",
        )


def _settings(row: WaitingRoom) -> RoomSettings:
    return RoomSettings(
        row.event_id,
        bool(row.enabled),
        int(row.rate_per_minute),
        row.starts_at,
        row.return_url,
        tuple(int(i) for i in row.ticket_type_ids.split()),
    )


def _audited(room: RoomSettings) -> dict[str, object]:
    return {
        "queue_enabled": room.enabled,
        "queue_rate_per_minute": room.rate_per_minute,
        "queue_starts_at": room.starts_at,
        "queue_return_url": room.return_url,
        "queue_ticket_types": list(room.ticket_type_ids),
    }
