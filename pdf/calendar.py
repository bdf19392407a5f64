"""An event as an iCalendar file (RFC 5545): attached to ticket e-mails and downloaded from
the "my tickets" page, so the customer's calendar holds the date and the place.

Pure: the caller passes every value. The ``UID`` is stable per event and host, so importing
the file again (after a date changed, say) updates the calendar entry instead of adding one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from icalendar import Calendar
from icalendar import Event as CalendarEvent

PRODUCT_ID = "-//tp-bridge//tickets//EN"
MEDIA_TYPE = "text/calendar"


@dataclass(frozen=True)
class CalendarEntry:
    """What the calendar shows of one event (times in UTC)."""

    uid: str
    title: str
    start: datetime
    end: datetime | None = None
    location: str = ""
    description: str = ""
    url: str = ""


def event_uid(event_id: int, host: str) -> str:
    """The event's UID: the same for every file of this event from this service."""
    return f"tp-event-{event_id}@{host or 'localhost'}"


def calendar_file(entry: CalendarEntry, stamp: datetime) -> bytes:
    """The ``.ics`` text of one event (``METHOD:PUBLISH``: an entry to add, not an
    invitation to answer). ``stamp`` is when the file is made (``DTSTAMP``)."""
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    item = CalendarEvent()
    item.add("uid", entry.uid)
    item.add("dtstamp", _utc(stamp))
    item.add("summary", entry.title)
    item.add("dtstart", _utc(entry.start))
    end = _utc(entry.end) if entry.end is not None else None
    if end is not None and end > _utc(entry.start):
        item.add("dtend", end)
    else:
        # No end known: a zero-length entry is easily missed in a calendar, so the entry
        # gets a length of two hours to show as a block.
        item.add("duration", timedelta(hours=2))
    if entry.location:
        item.add("location", entry.location)
    if entry.description:
        item.add("description", entry.description)
    if entry.url:
        item.add("url", entry.url)
    calendar.add_component(item)
    return bytes(calendar.to_ical())


def file_name(title: str) -> str:
    """A safe file name for the event's ``.ics`` (letters, digits and dashes)."""
    slug = re.sub(r"[^A-Za-z0-9]+", "-", title).strip("-").lower()[:60]
    return f"{slug or 'event'}.ics"


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
