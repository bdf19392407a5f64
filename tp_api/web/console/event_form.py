"""The console's event form: what a person typed, turned into the admin API's request
models, and the admin API's validation problems put back next to the fields they are about.

Field names in the page are the admin API's (``title``, ``startsAt``,
``ticketTypes.0.price``), so a validation problem names its input without a mapping table.
Times are typed as local wall-clock times (``<input type="datetime-local">``) in the
event's time zone; prices as ``29.95`` or ``29,95``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel
from werkzeug.datastructures import MultiDict

from tp_api.models import Event, TicketType
from tp_api.schemas.events import (
    EventCreate,
    EventDateCreate,
    EventDateUpdate,
    EventUpdate,
    TicketTypeCreate,
    TicketTypeUpdate,
)
from tp_api.web.api_routes import ValidationFailed, validate
from tp_api.web.languages import N_, _, translated

EVENT_FIELDS = ("title", "slug", "description", "venueName", "city", "currency", "timezone")
TIME_FIELDS = ("startsAt", "endsAt")
# Minutes before the start when tickets become valid at the door; empty: at any time.
DOORS_OPEN = "admissionOpensMinutes"
DATE_FIELDS = ("title", "startsAt", "endsAt", "capacity", DOORS_OPEN)
TYPE_FIELDS = (
    "name",
    "price",
    "quantity",
    "salesStart",
    "salesEnd",
    "minPerOrder",
    "maxPerOrder",
)
TYPE_TIME_FIELDS = ("salesStart", "salesEnd")
# Rows of ticket types a new-event form offers; "Add a ticket type" offers one more.
NEW_TYPE_ROWS = 2
MAX_TYPE_ROWS = 50
_PRICE = re.compile(r"^\s*(\d{1,9})(?:[.,](\d{1,2}))?\s*$")
_INTEGER = re.compile(r"^\s*\d{1,9}\s*$")
# Problems the request models state about two fields at once, said next to the second.
_PAIR_PROBLEMS = {
    "endsAt must not be before startsAt": ("endsAt", N_("Must not be before the start.")),
    "salesEnd must be after salesStart": ("salesEnd", N_("Must be after the start of sales.")),
    "maxPerOrder must not be below minPerOrder": (
        "maxPerOrder",
        N_("Must not be below the minimum."),
    ),
}
# What the request models' own checks say about one field (tp_api.schemas, first letter made
# upper case here), and pydantic's words kept as they are: listed for the catalogue, and
# looked up in the page's language by placed_problem.
_FIELD_PROBLEMS = (
    N_("Must not contain control characters"),
    N_("Must not contain bidirectional control characters"),
    N_("Must be valid Unicode text"),
    N_("Must be an IANA time zone such as Europe/Amsterdam"),
    N_("Must be between the years 1970 and 9998"),
    N_("Must include a time zone, e.g. 2026-09-01T19:00:00Z"),
    N_("Field required"),
)
# pydantic's words with a limit in them, and the same sentence with the limit as a value.
_LIMIT_PROBLEMS = (
    (
        re.compile(r"^String should have at most (?P<limit>\d+) characters$"),
        N_("String should have at most %(limit)s characters"),
    ),
    (
        re.compile(r"^Input should be greater than or equal to (?P<limit>\d+)$"),
        N_("Input should be greater than or equal to %(limit)s"),
    ),
    (
        re.compile(r"^Input should be less than or equal to (?P<limit>\d+)$"),
        N_("Input should be less than or equal to %(limit)s"),
    ),
    (
        re.compile(r"^String should match pattern '(?P<pattern>.*)'$"),
        N_("String should match pattern '%(pattern)s'"),
    ),
)


@dataclass
class EventForm:
    """The form as typed (kept on a refusal) and the problems found, by input name."""

    values: dict[str, str] = field(default_factory=dict)
    types: list[dict[str, str]] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)

    def error(self, name: str) -> str:
        """The problem with input ``name`` ('' when there is none)."""
        return self.errors.get(name, "")


def blank_form(timezone: str, rows: int = NEW_TYPE_ROWS) -> EventForm:
    """An empty new-event form in ``timezone`` with ``rows`` empty ticket types."""
    form = EventForm(values={"timezone": timezone, "currency": "EUR", "sendReminders": "on"})
    form.types = [_blank_type() for _ in range(rows)]
    return form


def read_form(data: MultiDict[str, str], *, with_types: bool = True) -> EventForm:
    """The posted form as typed; ticket-type rows left wholly empty are dropped."""
    form = EventForm(
        values={name: data.get(name, "").strip() for name in (*EVENT_FIELDS, *TIME_FIELDS)}
    )
    # A checkbox left unticked is not posted at all: absent means off.
    form.values["sendReminders"] = "on" if data.get("sendReminders") else ""
    if DOORS_OPEN in data:  # only the event's own form has it (not the duplicate's)
        form.values[DOORS_OPEN] = data[DOORS_OPEN].strip()
    if not with_types:
        return form
    form.types = [row for index in range(MAX_TYPE_ROWS) if (row := _typed_row(data, index))]
    return form


def edit_form(event: Event) -> EventForm:
    """The form of an existing event, its values as stored (times in its own zone)."""
    zone = _zone(event.timezone) or ZoneInfo("UTC")
    return EventForm(
        values={
            "title": event.name,
            "slug": event.slug or "",
            "description": event.description,
            "venueName": event.location,
            "city": event.city,
            "currency": event.currency,
            "timezone": event.timezone,
            "startsAt": _local(event.start_date, zone),
            "endsAt": _local(event.end_date, zone),
            "sendReminders": "on" if event.send_reminders else "",
            DOORS_OPEN: _number(event.admission_opens_minutes),
        }
    )


def _number(value: int | None) -> str:
    return "" if value is None else str(value)


def type_form(ticket_type: TicketType, timezone: str) -> dict[str, str]:
    """One ticket type's row as stored (sale window in the event's zone)."""
    zone = _zone(timezone) or ZoneInfo("UTC")
    cents = ticket_type.price_cents
    return {
        "name": ticket_type.name,
        "price": f"{cents // 100}.{cents % 100:02d}",
        "quantity": str(ticket_type.stock),
        "salesStart": _local(ticket_type.sales_start, zone),
        "salesEnd": _local(ticket_type.sales_end, zone),
        "minPerOrder": str(ticket_type.min_per_order),
        "maxPerOrder": "" if ticket_type.max_per_order is None else str(ticket_type.max_per_order),
        "hidden": "on" if ticket_type.hidden else "",
    }


def event_create(form: EventForm) -> EventCreate | None:
    """The new event the form describes, or None with ``form.errors`` filled."""
    body = _event_body(form, required=True)
    body["ticketTypes"] = [
        _type_body(form, row, f"ticketTypes.{i}.") for i, row in enumerate(form.types)
    ]
    return _validated(EventCreate, body, form)


def event_update(form: EventForm) -> EventUpdate | None:
    """The changes to an event the form describes, or None with ``form.errors`` filled."""
    return _validated(EventUpdate, _event_body(form, required=False), form)


def type_create(form: EventForm, row: dict[str, str]) -> TicketTypeCreate | None:
    """A new ticket type from one row (in the event's zone), or None with errors filled."""
    return _validated(TicketTypeCreate, _type_body(form, row, ""), form)


def type_update(form: EventForm, row: dict[str, str]) -> TicketTypeUpdate | None:
    """The changes to a ticket type from one row (every field sent: an emptied sale window
    or maximum clears it), or None with ``form.errors`` filled."""
    return _validated(TicketTypeUpdate, _type_body(form, row, ""), form)


def date_form(date: Event, timezone: str) -> EventForm:
    """The form of one date of an event as stored (times in the event's zone)."""
    zone = _zone(timezone) or ZoneInfo("UTC")
    capacity = "" if date.manage_stock_per_ticket else str(date.stock)
    return EventForm(
        values={
            "timezone": timezone,
            "title": date.name,
            "startsAt": _local(date.start_date, zone),
            "endsAt": _local(date.end_date, zone),
            "capacity": capacity,
            DOORS_OPEN: _number(date.admission_opens_minutes),
        }
    )


def read_date_form(data: MultiDict[str, str], timezone: str) -> EventForm:
    """A posted date form as typed, with one optional ticket-type row (``ticketTypes.0.``)."""
    form = EventForm(values={name: data.get(name, "").strip() for name in DATE_FIELDS})
    form.values["timezone"] = timezone
    row = _typed_row(data, 0)
    form.types = [row] if row else []
    return form


def _typed_row(data: MultiDict[str, str], index: int) -> dict[str, str] | None:
    """Ticket-type row ``index`` as typed, or None when it was left empty."""
    row = {name: data.get(f"ticketTypes.{index}.{name}", "").strip() for name in TYPE_FIELDS}
    row["hidden"] = "on" if data.get(f"ticketTypes.{index}.hidden") else ""
    # A row offered empty keeps its default minimum; it is still an empty row.
    if any(value for name, value in row.items() if name not in ("minPerOrder", "hidden")):
        return row
    return None


def date_create(form: EventForm) -> EventDateCreate | None:
    """The new date the form describes (and its ticket type, if one was filled in)."""
    body = _date_body(form, required=True)
    body["ticketTypes"] = [
        _type_body(form, row, f"ticketTypes.{i}.") for i, row in enumerate(form.types)
    ]
    return _validated(EventDateCreate, body, form)


def date_update(form: EventForm) -> EventDateUpdate | None:
    """The changes to a date the form describes (an emptied capacity is left as it is)."""
    return _validated(EventDateUpdate, _date_body(form, required=False), form)


def _date_body(form: EventForm, *, required: bool) -> dict[str, Any]:
    body: dict[str, Any] = {"title": form.values.get("title", "")}
    zone = _zone(form.values.get("timezone") or "UTC")
    _put_times(form, body, zone, no_start=_("Enter when the date starts.") if required else "")
    capacity = form.values.get("capacity", "")
    if capacity and not _INTEGER.match(capacity):
        form.errors["capacity"] = _("Enter a whole number.")
    elif capacity:
        body["capacity"] = int(capacity)
    _put_doors_open(form, body)
    return body


def _event_body(form: EventForm, *, required: bool) -> dict[str, Any]:
    values = form.values
    body: dict[str, Any] = {
        name: values.get(name, "") for name in ("title", "description", "venueName", "city")
    }
    body["currency"] = values.get("currency", "").upper() or "EUR"
    body["timezone"] = values.get("timezone") or "UTC"
    if values.get("slug"):
        body["slug"] = values["slug"]
    body["sendReminders"] = values.get("sendReminders") == "on"
    zone = _zone(body["timezone"])
    if zone is None:
        form.errors["timezone"] = _("Not a time zone we know, e.g. Europe/Amsterdam.")
    _put_times(form, body, zone, no_start=_("Enter when the event starts.") if required else "")
    if DOORS_OPEN in values:
        _put_doors_open(form, body)
    return body


def _put_doors_open(form: EventForm, body: dict[str, Any]) -> None:
    # Empty means null: "at any time" on an event, "as the event" on one of its dates.
    typed = form.values.get(DOORS_OPEN, "")
    if typed and not _INTEGER.match(typed):
        form.errors[DOORS_OPEN] = _("Enter a whole number.")
    body[DOORS_OPEN] = int(typed) if typed and DOORS_OPEN not in form.errors else None


def _put_times(
    form: EventForm, body: dict[str, Any], zone: ZoneInfo | None, *, no_start: str
) -> None:
    """Start and end as typed (wall-clock time in ``zone``) into ``body``; an empty start is
    ``no_start``'s problem when one is required, an empty end clears it."""
    for name in TIME_FIELDS:
        typed = form.values.get(name, "")
        if typed:
            body[name] = _aware(typed, zone, name, form.errors)
        elif name == "startsAt" and no_start:
            form.errors[name] = no_start
        elif name == "endsAt":
            body[name] = None


def _type_body(form: EventForm, row: dict[str, str], prefix: str) -> dict[str, Any]:
    errors = form.errors
    body: dict[str, Any] = {"name": row.get("name", ""), "hidden": row.get("hidden") == "on"}
    cents = _cents(row.get("price", ""))
    if cents is None:
        errors[prefix + "price"] = _("Enter a price such as 29.95 (0 for free).")
    body["price"] = cents
    for name in ("quantity", "minPerOrder", "maxPerOrder"):
        typed = row.get(name, "")
        if not typed:
            if name == "quantity":
                errors[prefix + name] = _("Enter how many tickets there are.")
            elif name == "maxPerOrder":
                body[name] = None
            continue
        if not _INTEGER.match(typed):
            errors[prefix + name] = _("Enter a whole number.")
            continue
        body[name] = int(typed)
    zone = _zone(form.values.get("timezone") or "UTC") or ZoneInfo("UTC")
    for name in TYPE_TIME_FIELDS:
        typed = row.get(name, "")
        body[name] = _aware(typed, zone, prefix + name, errors) if typed else None
    return body


def _validated(model: type[BaseModel], body: dict[str, Any], form: EventForm) -> Any:
    # Our own checks (times, prices, numbers) may have failed already: the model's add what
    # they say about the other fields, and never replace ours.
    try:
        parsed = validate(model, body, "body")
    except ValidationFailed as failed:
        for detail in failed.details or []:
            name, message = placed_problem(detail["field"], detail["message"])
            form.errors.setdefault(name, message)
        return None
    return None if form.errors else parsed


def placed_problem(where: str, message: str) -> tuple[str, str]:
    """The input a problem belongs to, and its message for a person (in the page's language
    when it is one we know; another of pydantic's is shown as pydantic says it, in English)."""
    for known, (name, text) in _PAIR_PROBLEMS.items():
        if message == known:
            prefix = where + "." if where and where != "body" else ""
            return prefix + name, translated(text)
    if message.startswith("Input should be a valid datetime"):
        return where, _("Enter a date and time.")
    if message == "String should have at least 1 character":
        return where, _("Fill this in.")  # pydantic's words for an empty field are not a person's
    message = message[:1].upper() + message[1:]
    for pattern, sentence in _LIMIT_PROBLEMS:
        found = pattern.match(message)
        if found:
            return where, translated(sentence) % found.groupdict()
    return where, translated(message)


def _zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _aware(typed: str, zone: ZoneInfo | None, name: str, errors: dict[str, str]) -> str | None:
    try:
        local = datetime.fromisoformat(typed)
    except ValueError:
        errors[name] = _("Enter a date and time.")
        return None
    if local.tzinfo is None:
        local = local.replace(tzinfo=zone or ZoneInfo("UTC"))
    return local.isoformat()


def _local(value: datetime | None, zone: ZoneInfo) -> str:
    if value is None:
        return ""
    return value.astimezone(zone).strftime("%Y-%m-%dT%H:%M")


def _cents(typed: str) -> int | None:
    match = _PRICE.match(typed)
    if match is None:
        return None
    return int(match.group(1)) * 100 + int((match.group(2) or "0").ljust(2, "0"))


def _blank_type() -> dict[str, str]:
    return {name: "" for name in TYPE_FIELDS} | {"minPerOrder": "1", "hidden": ""}
