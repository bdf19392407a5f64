"""When the doors open: an event (or one of its dates) may set how many minutes before its
start tickets become valid at the door (``Event.admission_opens_minutes``). A date without
its own follows its event; null on both means any time (the default). A ticket scanned in
before then is refused as ``not_yet_valid``, online by the engine (tp_api.services.door.
checkin) and offline by the door app, from the opening times in the offline pack."""

from __future__ import annotations

from datetime import datetime, timedelta

import peewee

from tp_api.db import tuples
from tp_api.models import Event


def opens_at(start: datetime | None, minutes: int | None) -> datetime | None:
    """When admission opens for an event starting at ``start``; None when at any time."""
    if start is None or minutes is None:
        return None
    return start - timedelta(minutes=minutes)


def opening_times(scope: list[int]) -> dict[int, datetime | None]:
    """When admission opens, per event of ``scope`` (an event and its dates): one query."""
    parent = Event.alias()
    rows = tuples(
        Event.select(Event.id, Event.start_date, Event.admission_opens_minutes,
                     parent.admission_opens_minutes)
        .join(parent, on=(parent.id == Event.parent), join_type=peewee.JOIN.LEFT_OUTER)
        .where(Event.id.in_(scope))
    )  # fmt: skip
    return {
        event_id: opens_at(start, own if own is not None else inherited)
        for event_id, start, own, inherited in rows
    }
