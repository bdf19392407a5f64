"""Reminder e-mails before an event, queued by the sync daemon (sync.daemon).

Every few minutes the daemon asks for the tickets of events starting within
``TP_REMINDER_HOURS``. Each ticket is claimed by a conditional update (``reminded_at`` from
NULL to now) in the transaction that writes its e-mail to the outbox, so a ticket is reminded
once however many daemons run: a daemon that loses the race changes no row and queues
nothing. On PostgreSQL the candidates are read ``FOR UPDATE SKIP LOCKED``, so daemons take
different tickets instead of waiting on each other; SQLite's write transaction serialises
them.

Who gets what: one e-mail per order, event and address, with those tickets attached. The
address is the ticket's holder's, or the order's billing address for a ticket without one,
so a buyer holding ten tickets of one order gets one reminder, not ten. Only valid tickets
(personalised, not scanned, cancelled or replaced) of paid orders are reminded.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

import peewee
from peewee import JOIN

from pdf import calendar, i18n
from pdf.pages import RenderJob
from tp_api.db import lock_rows, utcnow, write_transaction
from tp_api.models import Account, Event, EventLifecycle, Order, OrderStatus, Ticket, TicketStatus
from tp_api.schemas.text_rules import email_problem
from tp_api.services.delivery import outbox
from tp_api.services.delivery.holder_mail import mail_domain, same_address
from tp_api.services.delivery.outbox import PermanentError
from tp_api.services.delivery.ticket_files import TicketTools, render_job
from tp_api.services.delivery.ticket_mail import TicketMail, event_calendar
from tp_api.services.errors import NotFound

REMIND_TICKETS = "remind_tickets"
DEFAULT_REMINDER_HOURS = 48
# Tickets claimed per transaction, and looked at per run: a run's work is bounded, and the
# next run (minutes later) goes on where this one stopped.
BATCH = 200
RUN_LIMIT = 2000


def queue_reminders(
    hours: int, *, now: datetime | None = None, batch: int = BATCH, limit: int = RUN_LIMIT
) -> int:
    """Queue the reminders of tickets whose event starts within ``hours`` (0: none).

    Returns how many tickets this call claimed. Safe to run in several daemons at once.
    """
    if hours <= 0:
        return 0
    now = now or utcnow()
    claimed = looked_at = 0
    for event_id in due_events(now, now + timedelta(hours=hours)):
        while looked_at < limit:
            seen, got = _remind_batch(event_id, now, min(batch, limit - looked_at))
            looked_at += seen
            claimed += got
            if seen < batch:
                break
        if looked_at >= limit:
            break
    return claimed


def due_events(now: datetime, until: datetime) -> list[int]:
    """The events starting after ``now`` and at or before ``until`` that send reminders: a
    date of an event follows its parent's switch too. Earliest first."""
    return [event.id for event in due_events_query(now, until)]


def due_events_query(now: datetime, until: datetime) -> peewee.Select:
    """The query of :func:`due_events` (a range of the index on events' start)."""
    parent = Event.alias()
    return (
        Event.select(Event.id)
        .join(parent, JOIN.LEFT_OUTER, on=(Event.parent == parent.id))
        .where(
            Event.start_date > now,
            Event.start_date <= until,
            Event.deleted_at.is_null(),
            Event.lifecycle != EventLifecycle.CANCELLED,
            Event.send_reminders == True,  # noqa: E712 - peewee expression
            parent.id.is_null() | (parent.send_reminders == True),  # noqa: E712
        )
        .order_by(Event.start_date, Event.id)
    )


def unreminded_tickets_query(event_id: int, size: int) -> peewee.Select:
    """Up to ``size`` of the event's valid tickets of paid orders not yet reminded, with
    their order's address: one range of the index on (event, status, reminded_at)."""
    return (
        Ticket.select(
            Ticket.id,
            Ticket.reference,
            Ticket.order,
            Ticket.email,
            Order.id,
            Order.billing_email,
            Order.account,
        )
        .join(Order)
        .where(
            Ticket.event == event_id,
            Ticket.status == TicketStatus.ACTIVE,
            Ticket.reminded_at.is_null(),
            Ticket.is_deprecated == False,  # noqa: E712 - peewee expression
            Order.status.in_(sorted(OrderStatus.PAID)),
        )
        .order_by(Ticket.id)
        .limit(size)
    )


def _remind_batch(event_id: int, now: datetime, size: int) -> tuple[int, int]:
    """Claim up to ``size`` of the event's unreminded tickets and queue their e-mails, in one
    transaction. Returns (tickets looked at, tickets claimed)."""
    with write_transaction():
        # Rows another daemon is claiming right now are left to it (PostgreSQL).
        candidates = list(lock_rows(unreminded_tickets_query(event_id, size), skip_locked=True))
        groups: dict[tuple[int, str], list[Ticket]] = defaultdict(list)
        for ticket in candidates:
            if not _claim(ticket.id, now):
                continue  # another daemon reminded it first
            to = (ticket.email or "").strip() or (ticket.order.billing_email or "").strip()
            if to:
                groups[(ticket.order_id, to.casefold())].append(ticket)
        for tickets in groups.values():
            _queue(event_id, tickets)
    return len(candidates), sum(len(t) for t in groups.values())


def _claim(ticket_id: int, now: datetime) -> bool:
    # The claim itself: only one transaction can move reminded_at from NULL.
    updated = (
        Ticket.update(reminded_at=now)
        .where(Ticket.id == ticket_id, Ticket.reminded_at.is_null())
        .execute()
    )
    return bool(updated)


def _queue(event_id: int, tickets: list[Ticket]) -> None:
    first = tickets[0]
    to = (first.email or "").strip() or first.order.billing_email.strip()
    ids = sorted(t.id for t in tickets)
    digest = hashlib.sha256(repr(ids).encode()).hexdigest()[:16]
    outbox.enqueue(
        REMIND_TICKETS,
        {"order_id": first.order_id, "event_id": event_id, "ticket_ids": ids, "to": to},
        account_id=first.order.account_id,
        dedupe_key=f"remind:{event_id}:{digest}",
    )


# --- preparing the message (the outbox worker) ------------------------------------------------


def prepare_reminder(
    tools: TicketTools, data: dict[str, Any], *, job_id: int, now: datetime | None = None
) -> TicketMail | None:
    """The reminder e-mail of a job, or None when there is nothing left to remind of: the
    event started, was cancelled or deleted, or none of the tickets is still valid and
    still this address's (a ticket transferred since then went to its new holder).

    Raises PermanentError for a malformed job or address.
    """
    try:
        order_id, event_id, to = int(data["order_id"]), int(data["event_id"]), str(data["to"])
        ids = [int(i) for i in data["ticket_ids"]]
    except (KeyError, TypeError, ValueError):
        raise PermanentError(f"malformed reminder job: {data!r}") from None
    event = Event.get_or_none(Event.id == event_id)
    now = now or utcnow()
    if (
        event is None
        or event.deleted_at is not None
        or event.lifecycle == EventLifecycle.CANCELLED
        or event.start_date is None
        or event.start_date <= now
    ):
        return None
    order = Order.select(Order, Account).join(Account).where(Order.id == order_id).get()
    still = [
        t
        for t in Ticket.select().where(Ticket.id.in_(ids), Ticket.order == order_id)
        if t.status == TicketStatus.ACTIVE
        and not t.is_deprecated
        and same_address(t.email.strip() or order.billing_email, to)
    ]
    if not still:
        return None
    if email_problem(to):
        raise PermanentError(f"{to!r} is not an e-mail address; not sent")
    try:
        job = render_job(tools, order_id, event_id=event_id, ticket_ids=[t.id for t in still])
    except NotFound:
        return None
    billing = same_address(to, order.billing_email)
    name = (order.billing_first_name if billing else still[0].first_name) or to
    return _reminder_mail(tools, order, event, job, to, name, job_id)


def _reminder_mail(
    tools: TicketTools, order: Order, event: Event, job: RenderJob, to: str, name: str, job_id: int
) -> TicketMail:
    page = job.pages[0]
    texts = i18n.texts(order.locale)
    billing = same_address(to, order.billing_email)
    paragraphs = [
        texts["mail_greeting"].format(name=name),
        texts["reminder_body"].format(event=page.event_name, date=page.event_date),
    ]
    if page.venue:
        paragraphs.append(texts["reminder_venue"].format(venue=page.venue))
    if order.my_tickets_url and billing:
        paragraphs.append(texts["mail_my_tickets"].format(url=order.my_tickets_url))
    paragraphs.append(texts["mail_closing"].format(seller=order.account.name))
    domain = mail_domain(tools.public_url)
    ics = event_calendar(event, page.event_name, order.reference, domain)
    return TicketMail(
        to=to,
        subject=texts["reminder_subject"].format(event=page.event_name, date=page.event_date),
        body="\n\n".join(paragraphs) + "\n",
        attachment_name=f"{order.reference}-tickets.pdf",
        job=job,
        message_id=f"<tp-reminder-{job_id}@{domain}>",
        calendar=ics,
        calendar_name=calendar.file_name(page.event_name) if ics else "",
    )
