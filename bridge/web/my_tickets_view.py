"""What the "my tickets" page shows, built from partner API answers: events, their orders and
tickets, the attendee form's values and the messages next to its fields.

No Flask here: plain data that the template renders, and the rules for reading the form and
placing the server's messages, so both are tested without a request.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bridge.partner_client import Attendee, NotFound, OwnedTicket, PartnerClient, Question
from pdf.calendar import CalendarEntry, event_uid

# The attendee fields of POST .../tickets/personalize, all required by the API, with the
# lengths it accepts (tp_api/services/orders/personalise.py). The page sends nothing else.
FIELDS = ("first_name", "last_name", "email", "tel")
MAX_LENGTHS = {"first_name": 200, "last_name": 200, "email": 254, "tel": 50}

# The API's 400 texts that name a ticket (and a field): "email of ticket a3f9b is not an
# e-mail address", "tel of ticket a3f9b is required", "Ticket not found (a3f9b)",
# "Ticket a3f9b is not for event 12".
_FIELD_ERROR = re.compile(r"^(first_name|last_name|email|tel) of ticket (\S+) (.+)$")
_TICKET_ERRORS = (
    re.compile(r"^Ticket not found \((\S+)\)$"),
    re.compile(r"^Ticket (\S+) is not for event \d+$"),
)
_TOO_LONG = re.compile(r"^is longer than (\d+) characters$")
# An answer the API refused: "answer 12 of ticket a3f9b must be one of: s, m".
_ANSWER_ERROR = re.compile(r"^answer (\d+) of ticket (\S+) (.+)$")
# The end of such a refusal, and the page's words for it.
_ANSWER_PROBLEMS = (
    ("must be one of", "error_choice"),
    ("must be a list", "error_choice"),
    ("must be yes or no", "error_yes_no"),
    ("must be a date", "error_date"),
    ("is not an e-mail address", "error_email"),
    ("must be a phone number", "error_phone"),
    ("must be a number", "error_number"),
    ("must not contain", "error_characters"),
)


@dataclass
class TicketView:
    """One ticket, with the form's values and messages when it awaits details."""

    ticket: OwnedTicket
    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    error: str | None = None
    # The seller's questions asked for this ticket, in order.
    questions: list[Question] = field(default_factory=list)

    @property
    def names(self) -> list[str]:
        """The form's field names in page order: the attendee's, then one per question."""
        return [*FIELDS, *(answer_name(q) for q in self.questions)]

    @property
    def ref(self) -> str:
        return self.ticket.id

    @property
    def editable(self) -> bool:
        return self.ticket.awaiting_details

    @property
    def status_key(self) -> str:
        """``status_1``..``status_5`` or ``status_replaced``: the text key and CSS modifier."""
        if self.ticket.is_deprecated:
            return "status_replaced"
        return f"status_{self.ticket.status}" if 1 <= self.ticket.status <= 5 else "status_other"

    def field_id(self, name: str) -> str:
        """The id of the input for ``name`` (what labels and error links point at)."""
        return f"t-{self.ref}-{name}"

    def input_name(self, name: str) -> str:
        return f"{self.ref}-{name}"


@dataclass
class OrderView:
    """An order's tickets within one event; ``pdf_ready`` looks at all of the order's tickets."""

    reference: str
    tickets: list[TicketView]
    pdf_ready: bool = False


@dataclass
class EventView:
    """An event of the customer, its orders, and the outcome of its form."""

    id: int
    name: str
    start: datetime | None
    orders: list[OrderView]
    saved: bool = False
    error: str | None = None

    @property
    def tickets(self) -> list[TicketView]:
        return [ticket for order in self.orders for ticket in order.tickets]

    @property
    def editable(self) -> bool:
        return any(ticket.editable for ticket in self.tickets)

    def errors(self) -> list[tuple[str, str]]:
        """(element id, message) of every message, in page order: the error summary."""
        found = [(f"event-{self.id}-form", self.error)] if self.error else []
        for ticket in self.tickets:
            if ticket.error:
                found.append((f"ticket-{ticket.ref}", ticket.error))
            found.extend(
                (ticket.field_id(name), ticket.errors[name])
                for name in ticket.names
                if name in ticket.errors
            )
        return found


def load_events(client: PartnerClient, wp_user_id: int) -> list[EventView]:
    """The customer's events with their tickets, grouped by order.

    A parent event's tickets include its sub-dates', and a sub-date may be listed too: each
    ticket is shown once, under the first event that lists it.
    """
    try:
        listed = client.user_events(wp_user_id)
    except NotFound:
        return []  # "External user has no orders": nothing bought (yet)
    seen: set[str] = set()
    events: list[EventView] = []
    for event in listed:
        try:
            tickets = [t for t in client.event_tickets(event.id, wp_user_id) if t.id not in seen]
        except NotFound:
            continue  # deleted between the two calls
        seen.update(t.id for t in tickets)
        if tickets:
            events.append(EventView(event.id, event.name, event.start_date, _orders(tickets)))
    _mark_pdfs(events)
    for view in events:
        _add_questions(client, view)
    return events


def answer_name(question: Question) -> str:
    """The form field (and ``values`` key) of a question's answer."""
    return f"q{question.id}"


def _add_questions(client: PartnerClient, event: EventView) -> None:
    """Give each ticket its questions (one call per event that asks any), and start an
    editable ticket's form with what it already holds."""
    if not any(t.ticket.question_ids for t in event.tickets):
        return
    questions = {q.id: q for q in client.event_questions(event.id)}
    for ticket in event.tickets:
        ticket.questions = [questions[i] for i in ticket.ticket.question_ids if i in questions]
        if ticket.editable:
            held = ticket.ticket
            ticket.values = {
                "first_name": held.first_name or "",
                "last_name": held.last_name or "",
                "email": held.email or "",
                "tel": held.phone or "",
            }
            for question in ticket.questions:
                given = held.answers.get(str(question.id), "")
                if isinstance(given, bool):
                    given = "yes" if given else "no"
                ticket.values[answer_name(question)] = given


def _orders(tickets: list[OwnedTicket]) -> list[OrderView]:
    by_order: dict[str, OrderView] = {}
    for ticket in tickets:
        order = by_order.setdefault(ticket.order_id, OrderView(ticket.order_id, []))
        order.tickets.append(TicketView(ticket))
    return list(by_order.values())


def _mark_pdfs(events: list[EventView]) -> None:
    # The order PDF exists once no ticket of the order (in any event) awaits details and at
    # least one can be printed: the rule of GET /orders/get-ticket.
    tickets_of: dict[str, list[OwnedTicket]] = {}
    for event in events:
        for order in event.orders:
            tickets_of.setdefault(order.reference, []).extend(t.ticket for t in order.tickets)
    for event in events:
        for order in event.orders:
            tickets = tickets_of[order.reference]
            order.pdf_ready = not any(t.awaiting_details for t in tickets) and any(
                t.downloadable for t in tickets
            )


def read_form(event: EventView, form: Mapping[str, Any], t: Mapping[str, str]) -> list[Attendee]:
    """The attendees to send for ``event``, keeping every typed value on its ticket view.

    Only tickets awaiting details are read (the form of any other ticket is ignored). A ticket
    left entirely blank is skipped, so some tickets can be filled in now and others later;
    a partly filled one gets "enter a ..." next to each empty field. Returns [] when there
    is nothing to send; the messages are then on ``event`` and its tickets.
    """
    attendees: list[Attendee] = []
    for ticket in event.tickets:
        if not ticket.editable:
            continue
        ticket.values = {name: form.get(ticket.input_name(name), "") for name in FIELDS}
        cleaned = {name: value.strip() for name, value in ticket.values.items()}
        answers = _read_answers(ticket, form, t)
        if not any(cleaned.values()) and not any(answers.values()):
            ticket.errors.clear()
            continue
        for name in FIELDS:
            if not cleaned[name]:
                ticket.errors[name] = t[f"required_{name}"]
        if not ticket.errors:
            attendees.append(
                Attendee(ticket.ref, **cleaned, answers=answers if ticket.questions else None)
            )
    if not event.errors() and not attendees:
        event.error = t["error_nothing"]
    return [] if event.errors() else attendees


def _read_answers(
    ticket: TicketView, form: Mapping[str, Any], t: Mapping[str, str]
) -> dict[str, Any]:
    """The ticket's answers as typed (kept on the view), by question id; a required one left
    empty gets its message (set aside again if the whole ticket turns out blank)."""
    answers: dict[str, Any] = {}
    for question in ticket.questions:
        name = answer_name(question)
        key = ticket.input_name(name)
        if question.type == "multiple_choice":
            getlist = getattr(form, "getlist", None)
            value: Any = [v for v in (getlist(key) if getlist else [form.get(key, "")]) if v]
        else:
            value = str(form.get(key, "")).strip()
        ticket.values[name] = value
        answers[str(question.id)] = value
        if question.required and not value:
            ticket.errors[name] = t["required_answer"]
    return answers


def place_server_error(event: EventView, message: str, t: Mapping[str, str]) -> None:
    """Put the API's 400 text next to the field (or ticket) it names, else on the form.

    Messages we recognise are shown in the page's language; others as the server wrote them.
    """
    tickets = {ticket.ref: ticket for ticket in event.tickets}
    if (match := _ANSWER_ERROR.match(message)) and match.group(2) in tickets:
        question_id, ref, rest = match.groups()
        words = next((key for start, key in _ANSWER_PROBLEMS if rest.startswith(start)), None)
        if too_long := _TOO_LONG.match(rest):
            shown = t["error_too_long"].format(limit=too_long.group(1))
        else:
            shown = t[words] if words else message
        tickets[ref].errors[f"q{question_id}"] = shown
        return
    if match := _FIELD_ERROR.match(message):
        name, ref, rest = match.groups()
        if ref in tickets:
            tickets[ref].errors[name] = _field_message(name, rest, message, t)
            return
    for pattern in _TICKET_ERRORS:
        if (match := pattern.match(message)) and match.group(1) in tickets:
            tickets[match.group(1)].error = t["error_ticket"].format(message=message)
            return
    event.error = t["error_form"].format(message=message)


def _field_message(name: str, rest: str, message: str, t: Mapping[str, str]) -> str:
    if rest == "is required":
        return t[f"required_{name}"]
    if rest == "is not an e-mail address":
        return t["error_email"]
    if rest.startswith("must not contain"):
        # A control or bidi character (tp_api.schemas.text_rules), e.g. a pasted line break.
        return t["error_characters"]
    if match := _TOO_LONG.match(rest):
        return t["error_too_long"].format(limit=match.group(1))
    return message


def answer_text(question: Question, value: Any, lang: str, t: Mapping[str, str]) -> str:
    """An answer as the page shows it: option labels, Yes/No, the text as given."""
    if question.type == "yes_no" and isinstance(value, bool):
        return t["yes"] if value else t["no"]
    labels = {o.value: o.label.get(lang) or o.label.get("en", o.value) for o in question.options}
    if isinstance(value, list):
        return ", ".join(labels.get(str(v), str(v)) for v in value)
    return labels.get(str(value), str(value))


def answer_choices(question: Question, lang: str, t: Mapping[str, str]) -> list[tuple[str, str]]:
    """The (value, label) pairs a choice or yes/no question offers, in ``lang``."""
    if question.type == "yes_no":
        return [("yes", t["yes"]), ("no", t["no"])]
    return [(o.value, o.label.get(lang) or o.label.get("en") or o.value) for o in question.options]


def calendar_entry(
    client: PartnerClient, wp_user_id: int, event_id: int, host: str
) -> CalendarEntry | None:
    """The customer's event (or date) as a calendar entry; None when it is not one of theirs
    or has no date. The place is the event's city, as the partner API gives it."""
    try:
        owned = next((e for e in client.user_events(wp_user_id) if e.id == event_id), None)
    except NotFound:
        return None
    if owned is None or owned.start_date is None:
        return None
    end, city = None, ""
    for event in client.list_events():
        dates = {child.id: child for child in event.children}
        if event.id == event_id or event_id in dates:
            date = dates.get(event_id)
            end = date.end_date if date is not None else event.end_date
            city = event.city or ""
            break
    return CalendarEntry(
        uid=event_uid(event_id, host),
        title=owned.name,
        start=owned.start_date,
        end=end,
        location=city,
    )
