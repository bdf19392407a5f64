"""The waiting room's webhooks: ``queue.ready`` when a place's turn comes and
``queue.expired`` when its 10 minutes ran out without an order (seed 001's names).

Turns come with time, not with a request, so the sync daemon raises them every few seconds.
Per event and kind a mark says how far the line has been told; the mark's row lock (one
writer on SQLite) makes several daemons raise each notice exactly once, and the events are
written in the same transaction that moves the mark.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from tp_api.db import lock_rows, tuples, utcnow, write_transaction
from tp_api.models import Event, QueueNoticeMark, WaitingRoom
from tp_api.services.queue.schedule import PURCHASE_WINDOW, Place
from tp_api.services.queue.waiting_room import WaitingRooms
from tp_api.services.webhooks import webhook_events

READY, EXPIRED = "queue.ready", "queue.expired"
BATCH = 500


def raise_notices(rooms: WaitingRooms, now: datetime | None = None) -> int:
    """Raise the notices due in every switched-on room; returns how many events were raised
    (places told, whether or not an endpoint listens)."""
    now = now or utcnow()
    raised = 0
    open_rooms = tuples(
        WaitingRoom.select(WaitingRoom.event, Event.account)
        .join(Event)
        .where(WaitingRoom.enabled == True)  # noqa: E712
    )
    for event_id, account_id in list(open_rooms):
        for kind, due in ((READY, now), (EXPIRED, now - PURCHASE_WINDOW)):
            through = rooms.line.admitted_through(event_id, due)
            while (told := _advance(rooms, account_id, event_id, kind, through)) is not None:
                raised += told
    return raised


def _advance(
    rooms: WaitingRooms, account_id: int, event_id: int, kind: str, through: int
) -> int | None:
    """Tell the next places up to ``through`` (at most BATCH); None when none were left."""
    with write_transaction():
        QueueNoticeMark.insert(event=event_id, kind=kind).on_conflict_ignore().execute()
        mark = lock_rows(
            QueueNoticeMark.select().where(
                QueueNoticeMark.event == event_id, QueueNoticeMark.kind == kind
            )
        ).get()
        if through <= mark.through_seq:
            return None
        last = min(through, mark.through_seq + BATCH)
        listening = bool(webhook_events.subscribers(account_id, kind))
        told = 0
        if listening:
            for place in rooms.line.places(event_id, mark.through_seq + 1, last):
                if kind == EXPIRED and place.used:
                    continue  # it bought in time: nothing expired
                webhook_events.emit(account_id, kind, _data(rooms, place, kind))
                told += 1
        # Nobody listening: move on anyway, so an endpoint added later is not sent a backlog
        # of turns long past.
        QueueNoticeMark.update(through_seq=last).where(QueueNoticeMark.id == mark.id).execute()
    return told


def _data(rooms: WaitingRooms, place: Place, kind: str) -> Callable[[], dict[str, Any]]:
    def data() -> dict[str, Any]:
        body: dict[str, Any] = {
            "eventId": place.event_id,
            "customerId": place.customer_ref,
            "place": place.seq,
            "items": [{"ticketTypeId": t, "quantity": q} for t, q in sorted(place.items.items())],
            "admitAt": _iso(place.admit_at),
            "expiresAt": _iso(place.window_ends_at),
        }
        if kind == READY:
            # The shop may send the customer on with it (an e-mail: "it is your turn").
            body["token"] = rooms.tokens.issue(place.event_id, place.seq)
        return body

    return data


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")
