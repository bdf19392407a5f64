"""Joining an event's line and asking where one is in it (seed 001: ``queue.join``, poll).

:class:`WaitingRooms` is built once by the composition root with the line (database or
Redis) and the token signer; the admin API, the hosted waiting-room page and the order gate
use the same one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from tp_api.db import tuples, utcnow
from tp_api.models import Event, TicketType, WaitingRoom
from tp_api.services.errors import Conflict, InvalidInput, NotFound, Said
from tp_api.services.events.catalogue import event_scope
from tp_api.services.events.event_catalogue import find_event
from tp_api.services.queue.line import QueueLine
from tp_api.services.queue.room_settings import RoomSettings, room_of
from tp_api.services.queue.schedule import Place, PlaceState
from tp_api.services.queue.tokens import QueueTokens, invalid_token
from tp_api.services.validation import clean_text

MAX_CUSTOMER_REF = 200
MAX_ITEMS = 20
MAX_QUANTITY = 500
RETURN_URL_TTL = timedelta(seconds=5)
POLL_MIN_S, POLL_MAX_S = 3, 30


@dataclass(frozen=True)
class QueueStatus:
    """A place as its holder sees it."""

    token: str
    event_id: int
    place: int
    state: PlaceState
    position: int  # people ahead who are still waiting (0 once it is this place's turn)
    admit_at: datetime
    window_ends_at: datetime
    estimated_wait_s: int
    items: dict[int, int]
    return_url: str
    customer_ref: str
    poll_after_s: int  # when to ask again (0: the answer will not change by itself)


class WaitingRooms:
    """Every event's waiting room, over one line store and one token signer."""

    def __init__(self, line: QueueLine, tokens: QueueTokens) -> None:
        self.line = line
        self.tokens = tokens
        # event id -> (front, valid until, found at) and (return address, read at).
        self._fronts: dict[int, tuple[int, datetime, datetime]] = {}
        self._return_urls: dict[int, tuple[str, datetime]] = {}

    def join(
        self,
        account_id: int,
        id_or_slug: str,
        customer_ref: str,
        items: dict[int, int],
        *,
        now: datetime | None = None,
    ) -> tuple[QueueStatus, bool]:
        """Join the event's line for ``items`` (ticket type id -> quantity), or get back the
        customer's live place. Returns the status and whether the place is new."""
        event = find_event(account_id, id_or_slug)
        return self._join(event, customer_ref, items, now or utcnow())

    def join_public(
        self,
        event_id: int,
        customer_ref: str,
        items: dict[int, int],
        *,
        now: datetime | None = None,
    ) -> tuple[QueueStatus, bool]:
        """:meth:`join` from the hosted page, which knows the event only by its id."""
        event = (
            Event.select()
            .where(Event.id == event_id, Event.parent.is_null(), Event.deleted_at.is_null())
            .first()
        )
        if event is None:
            raise NotFound("Event not found", code="event_not_found")
        return self._join(event, customer_ref, items, now or utcnow())

    def _join(
        self, event: Event, customer_ref: str, items: dict[int, int], now: datetime
    ) -> tuple[QueueStatus, bool]:
        room = room_of(event)
        if not room.enabled or room.starts_at is None:
            raise Conflict("This event has no waiting room open", code="queue_closed")
        customer_ref = _customer_ref(customer_ref)
        _check_items(event, room, items)
        place, created = self.line.join(
            event.id,
            customer_ref,
            items,
            now=now,
            starts_at=room.starts_at,
            rate=room.rate_per_minute,
        )
        return self._status(place, room.return_url, now), created

    def status(self, token: str, *, now: datetime | None = None) -> QueueStatus:
        """Where the token's place is now. NotFound (``queue_token_invalid``) for a token
        that names no place. A poll: one read of the place; the front of the line and the
        room's return address mostly from this process's memory (:meth:`_front`)."""
        now = now or utcnow()
        event_id, seq = self.tokens.place_of(token)
        place = self.line.place(event_id, seq)
        if place is None:
            raise invalid_token()
        state = place.state(now)
        through = self._front(event_id, now) if state == "waiting" else None
        return_url = self._return_url(event_id, now) if state == "admitted" else ""
        return self._status(place, return_url, now, token=token, through=through)

    def _front(self, event_id: int, now: datetime) -> int:
        """The last place let through by ``now``.

        Turns are fixed at the join and later joins get later turns, so the front found at
        one moment stays the front until the next place's turn: every process keeps it that
        long, and thousands of polls a second cost one read a minute. When every turn has
        come there is no such moment (a new join may go through at once): read each time.
        """
        known = self._fronts.get(event_id)
        if known is not None and known[2] <= now < known[1]:
            return known[0]
        upcoming = self.line.next_turn_after(event_id, now)
        if upcoming is None:
            return self.line.length(event_id)
        front = upcoming[0] - 1
        self._fronts[event_id] = (front, upcoming[1], now)
        return front

    def _return_url(self, event_id: int, now: datetime) -> str:
        """The room's return address, kept by this process for RETURN_URL_TTL (a changed
        address reaches every process within that)."""
        known = self._return_urls.get(event_id)
        if known is not None and known[1] <= now < known[1] + RETURN_URL_TTL:
            return known[0]
        room = WaitingRoom.get_or_none(WaitingRoom.event == event_id)
        url = room.return_url if room is not None else ""
        self._return_urls[event_id] = (url, now)
        return url

    def place_of(self, token: str | None) -> Place:
        """The place a token names (any state); NotFound for a token that names none."""
        event_id, seq = self.tokens.place_of(token)
        place = self.line.place(event_id, seq)
        if place is None:
            raise invalid_token()
        return place

    def _status(
        self,
        place: Place,
        return_url: str,
        now: datetime,
        *,
        token: str = "",
        through: int | None = None,
    ) -> QueueStatus:
        state = place.state(now)
        position = 0
        if state == "waiting":
            if through is None:
                through = self.line.admitted_through(place.event_id, now)
            position = max(0, place.seq - through - 1)
        wait = max(0, math.ceil((place.admit_at - now).total_seconds()))
        return QueueStatus(
            token=token or self.tokens.issue(place.event_id, place.seq),
            event_id=place.event_id,
            place=place.seq,
            state=state,
            position=position,
            admit_at=place.admit_at,
            window_ends_at=place.window_ends_at,
            estimated_wait_s=wait,
            items=dict(place.items),
            return_url=return_url,
            customer_ref=place.customer_ref,
            poll_after_s=poll_after(wait) if state == "waiting" else 0,
        )


def poll_after(wait_s: int) -> int:
    """Seconds until a waiting customer should ask again: often near the turn, seldom far
    from it (3 to 30), so 50,000 people waiting ask a few thousand times a second at most."""
    return max(POLL_MIN_S, min(POLL_MAX_S, wait_s // 10))


def _customer_ref(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise InvalidInput("customerId is required", code="queue_customer_missing")
    if len(text) > MAX_CUSTOMER_REF:
        raise InvalidInput(
            Said("customerId must be at most {most} characters", most=MAX_CUSTOMER_REF),
            code="queue_customer_invalid",
        )
    return clean_text(text, "customerId")


def _check_items(event: Event, room: RoomSettings, items: dict[int, int]) -> None:
    """The items must be ticket types the room covers, each in a quantity one order may buy."""
    if not items:
        raise InvalidInput("items must name at least one ticket type", code="queue_items_missing")
    if len(items) > MAX_ITEMS:
        raise InvalidInput(
            Said("items may name at most {most} ticket types", most=MAX_ITEMS),
            code="queue_items_invalid",
        )
    limits = dict(
        tuples(
            TicketType.select(TicketType.id, TicketType.max_per_order).where(
                TicketType.event.in_(event_scope(event)), TicketType.id.in_(list(items))
            )
        )
    )
    for type_id, quantity in items.items():
        if type_id not in limits or not room.covers(type_id):
            raise InvalidInput(
                Said(
                    "Ticket type {type_id} is not sold through this waiting room", type_id=type_id
                ),
                code="queue_items_invalid",
            )
        most = min(MAX_QUANTITY, limits[type_id] or MAX_QUANTITY)
        if not 1 <= quantity <= most:
            raise InvalidInput(
                Said(
                    "The quantity of ticket type {type_id} must be between 1 and {most}",
                    type_id=type_id,
                    most=most,
                ),
                code="queue_items_invalid",
            )
