"""An event's attendee list (issue 19): every ticket of the event and its dates with its
holder, order, status and check-in times, filtered, a page at a time or streamed as CSV.

Both read in keyset batches by ticket id with one query for the tickets (with their order,
type and date) and one for the batch's check-ins, so a page costs two queries and the export
holds one batch in memory whatever the number of tickets. Each batch's answers to the
seller's questions are one more query (the CSV has a column per question).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from peewee import fn

from tp_api.db import tuples
from tp_api.models import CheckIn, Event, Order, Question, Ticket, TicketStatus, TicketType
from tp_api.models.orders import format_order_reference
from tp_api.services.csv_text import drain, safe_cell
from tp_api.services.cursors import decode_cursor, encode_cursor
from tp_api.services.events.event_catalogue import event_and_dates, find_event
from tp_api.services.events.question_reads import questions_of
from tp_api.services.orders.answers import answer_text, answers_of

EXPORT_BATCH = 1000
STATUS_NAMES = TicketStatus.NAMES
CSV_COLUMNS = (
    "ticket",
    "status",
    "ticket_type",
    "date",
    "first_name",
    "last_name",
    "email",
    "phone",
    "order",
    "buyer_email",
    "first_check_in",
    "last_check_in",
)


@dataclass(frozen=True)
class AttendeeFilter:
    """Which tickets: by status name, by words of the holder's name or e-mail address, and
    whether they have been admitted."""

    status: str | None = None
    search: str | None = None
    checked_in: bool | None = None


@dataclass(frozen=True)
class Attendee:
    """One ticket as the attendee list shows it."""

    ticket: Ticket
    order_number: int
    buyer_email: str
    ticket_type: str
    date_name: str
    first_check_in: datetime | None
    last_check_in: datetime | None
    # The ticket's answers to the seller's questions: {question id: stored answer}.
    answers: dict[int, str] = field(default_factory=dict)

    @property
    def status(self) -> str:
        return STATUS_NAMES.get(int(self.ticket.status), "created")

    @property
    def order_reference(self) -> str:
        """The order's public reference (``TP-…``), as the console and e-mails show it."""
        return format_order_reference(self.order_number)


@dataclass(frozen=True)
class AttendeePage:
    items: list[Attendee]
    next_cursor: str | None
    # The event's questions (archived ones too: they label old answers), in order.
    questions: list[Question] = field(default_factory=list)


def attendee_page(
    account_id: int,
    id_or_slug: str,
    wanted: AttendeeFilter,
    *,
    limit: int = 50,
    cursor: str | None = None,
) -> AttendeePage:
    """One page of the event's attendees, in ticket order; NotFound for another account's."""
    event = find_event(account_id, id_or_slug)
    after = decode_cursor(cursor, int)
    rows = _batch(event.id, wanted, after[0] if after else 0, limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    return AttendeePage(
        rows,
        encode_cursor(rows[-1].ticket.id) if more and rows else None,
        questions_of([event.id], archived=True),
    )


def export_csv(account_id: int, id_or_slug: str, wanted: AttendeeFilter) -> Iterator[str]:
    """The event's attendees as CSV text chunks, one batch per chunk. The event is looked up
    before the first chunk, so an unknown one is a NotFound answer, not a broken stream."""
    event = find_event(account_id, id_or_slug)
    return _csv_chunks(event.id, wanted)


def _csv_chunks(event_id: int, wanted: AttendeeFilter) -> Iterator[str]:
    out = io.StringIO()
    writer = csv.writer(out)
    # One column per question the event asks or asked, headed by its label.
    questions = questions_of([event_id], archived=True)
    writer.writerow([*CSV_COLUMNS, *(safe_cell(q.label) for q in questions)])
    yield drain(out)
    after = 0
    while True:
        batch = _batch(event_id, wanted, after, EXPORT_BATCH)
        if not batch:
            return
        for row in batch:
            t = row.ticket
            writer.writerow(
                [
                    t.reference,
                    row.status,
                    safe_cell(row.ticket_type),
                    safe_cell(row.date_name),
                    safe_cell(t.first_name),
                    safe_cell(t.last_name),
                    safe_cell(t.email),
                    safe_cell(t.phone),
                    row.order_number,
                    safe_cell(row.buyer_email),
                    _iso(row.first_check_in),
                    _iso(row.last_check_in),
                    *(
                        safe_cell(answer_text(q, row.answers[q.id])) if q.id in row.answers else ""
                        for q in questions
                    ),
                ]
            )
        yield drain(out)
        after = batch[-1].ticket.id


def _batch(event_id: int, wanted: AttendeeFilter, after: int, limit: int) -> list[Attendee]:
    query = (
        Ticket.select(
            Ticket,
            Order.number.alias("order_number"),
            Order.billing_email.alias("buyer_email"),
            TicketType.name.alias("type_name"),
            Event.name.alias("date_name"),
        )
        .join(Order, on=(Ticket.order == Order.id))
        .switch(Ticket)
        .join(TicketType, on=(Ticket.ticket_type == TicketType.id))
        .switch(Ticket)
        .join(Event, on=(Ticket.event == Event.id))
        .where(
            Ticket.event.in_(event_and_dates(event_id)),
            Ticket.is_deprecated == False,  # noqa: E712 - a re-issued ticket's old version
            Ticket.id > after,
        )
        .order_by(Ticket.id)
        .limit(limit)
    )
    query = _filtered(query, wanted)
    tickets = list(query.objects())
    times = _check_in_times([t.id for t in tickets])
    answers = answers_of(t.id for t in tickets)
    return [
        Attendee(
            ticket=t,
            order_number=int(t.order_number),
            buyer_email=str(t.buyer_email),
            ticket_type=str(t.type_name),
            date_name=str(t.date_name),
            first_check_in=times.get(t.id, (None, None))[0],
            last_check_in=times.get(t.id, (None, None))[1],
            answers=answers.get(t.id, {}),
        )
        for t in tickets
    ]


def _filtered(query: Any, wanted: AttendeeFilter) -> Any:
    if wanted.status is not None:
        codes = [code for code, name in STATUS_NAMES.items() if name == wanted.status]
        query = query.where(Ticket.status.in_(codes))
    if wanted.checked_in is not None:
        admitted = CheckIn.select(CheckIn.ticket).where(
            CheckIn.ticket == Ticket.id, CheckIn.result == "ok", CheckIn.direction == "in"
        )
        query = query.where(fn.EXISTS(admitted) if wanted.checked_in else ~fn.EXISTS(admitted))
    for word in (wanted.search or "").split()[:5]:
        query = query.where(
            fn.LOWER(Ticket.first_name).contains(word.lower())
            | fn.LOWER(Ticket.last_name).contains(word.lower())
            | fn.LOWER(Ticket.email).contains(word.lower())
            | fn.LOWER(Order.billing_email).contains(word.lower())
        )
    return query


def _check_in_times(ticket_ids: list[int]) -> dict[int, tuple[datetime | None, datetime | None]]:
    """Each ticket's first and last admission (a refused scan is no admission)."""
    if not ticket_ids:
        return {}
    rows = tuples(
        CheckIn.select(CheckIn.ticket, fn.MIN(CheckIn.at), fn.MAX(CheckIn.at))
        .where(CheckIn.ticket.in_(ticket_ids), CheckIn.result == "ok", CheckIn.direction == "in")
        .group_by(CheckIn.ticket)
    )
    return {int(ticket): (_utc(first), _utc(last)) for ticket, first, last in rows}


def _utc(value: Any) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):  # SQLite's MIN over a text column
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def _iso(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value is not None else ""
