"""A ticket for every holder: each holder with an e-mail address of their own gets their
own ticket (a PDF with only that ticket), and a holder whose ticket is transferred away is
told that its old code no longer works.

Who gets what (docs/tickets.md, "E-mails"): the buyer keeps the order's e-mail with all its
tickets; a holder gets a mail of their own only when their address differs from the order's
billing address (compared without case or surrounding spaces), so a buyer who names
themselves never gets the same ticket twice. Jobs are written to the outbox in the caller's
transaction, keyed per ticket, version and address: a re-issue or transfer (a new version)
or a new address makes new work, a repeat of the same makes none.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any

from pdf import calendar, i18n
from tp_api.db import utcnow
from tp_api.models import Account, Event, Order, Ticket
from tp_api.schemas.text_rules import email_problem
from tp_api.services.delivery import outbox
from tp_api.services.delivery.outbox import PermanentError
from tp_api.services.delivery.ticket_files import DOWNLOADABLE, TicketTools, render_job
from tp_api.services.delivery.ticket_mail import TicketMail, event_calendar
from tp_api.services.errors import NotFound

# What a worker is asked to do (sync.holder_deliveries has the handlers).
MAIL_HOLDER_TICKET = "mail_holder_ticket"
MAIL_TRANSFER_NOTICE = "mail_transfer_notice"


def same_address(first: str, second: str) -> bool:
    """Whether two e-mail addresses are the same person's mailbox, as far as we decide it:
    equal without case and surrounding spaces."""
    return first.strip().casefold() == second.strip().casefold()


def queue_holder_ticket(account_id: int, ticket: Ticket, billing_email: str) -> bool:
    """Queue the holder's own ticket e-mail, when the ticket has an address other than the
    buyer's. Call inside the write transaction that personalised, re-issued or transferred
    the ticket. Returns whether a job was queued (False: no own address, or already queued).
    """
    to = (ticket.email or "").strip()
    if not to or same_address(to, billing_email or ""):
        return False
    return outbox.enqueue(
        MAIL_HOLDER_TICKET,
        {"ticket_id": ticket.id, "version": ticket.version, "to": to},
        account_id=account_id,
        dedupe_key=f"holder:{ticket.reference}:{ticket.version}:{_digest(to)}",
    )


def queue_transfer_notice(
    account_id: int, ticket: Ticket, *, old_email: str, old_name: str, old_version: int
) -> bool:
    """Queue the notice to the holder a ticket was just transferred away from (no
    attachment). Call inside the transfer's transaction; False when they had no address,
    the new holder has the same one, or it was already queued."""
    to = (old_email or "").strip()
    if not to or same_address(to, ticket.email or ""):
        return False
    return outbox.enqueue(
        MAIL_TRANSFER_NOTICE,
        {"ticket_id": ticket.id, "version": old_version, "to": to, "name": old_name},
        account_id=account_id,
        dedupe_key=f"transferred:{ticket.reference}:{old_version}:{_digest(to)}",
    )


def _digest(address: str) -> str:
    # The address itself is in the payload; the key only needs to tell addresses apart.
    return hashlib.sha256(address.strip().casefold().encode()).hexdigest()[:12]


# --- preparing the messages (the outbox worker) -----------------------------------------------


def prepare_holder_mail(
    tools: TicketTools, data: dict[str, Any], *, job_id: int
) -> TicketMail | None:
    """The holder's own ticket e-mail, or None when it was superseded since it was queued
    (the ticket was re-issued, transferred, given another address, cancelled or replaced:
    the newer change queued its own mail, and an old code must not be sent).

    Raises PermanentError for a malformed job or address.
    """
    try:
        ticket_id, version, to = int(data["ticket_id"]), int(data["version"]), str(data["to"])
    except (KeyError, TypeError, ValueError):
        raise PermanentError(f"malformed holder mail job: {data!r}") from None
    ticket = Ticket.get_or_none(Ticket.id == ticket_id)
    if (
        ticket is None
        or ticket.version != version
        or not same_address(ticket.email or "", to)
        or ticket.status not in DOWNLOADABLE
        or ticket.is_deprecated
    ):
        return None
    _check_address(to)
    order = Order.select(Order, Account).join(Account).where(Order.id == ticket.order_id).get()
    try:
        job = render_job(tools, order.id, event_id=ticket.event_id, ticket_ids=[ticket.id])
    except NotFound:
        return None
    page = job.pages[0]
    texts = i18n.texts(order.locale)
    buyer = f"{order.billing_first_name} {order.billing_last_name}".strip() or order.account.name
    paragraphs = [
        texts["mail_greeting"].format(name=ticket.first_name or page.attendee_name or to),
        texts["holder_body"].format(event=page.event_name, order=order.reference, buyer=buyer),
        texts["mail_closing"].format(seller=order.account.name),
    ]
    domain = mail_domain(tools.public_url)
    event = Event.get_or_none(Event.id == ticket.event_id)
    ics = event_calendar(event, page.event_name, order.reference, domain)
    return TicketMail(
        to=to,
        subject=texts["holder_subject"].format(event=page.event_name),
        body="\n\n".join(paragraphs) + "\n",
        attachment_name=f"{ticket.reference}-ticket.pdf",
        job=job,
        message_id=f"<tp-holder-{job_id}@{domain}>",
        calendar=ics,
        calendar_name=calendar.file_name(page.event_name) if ics else "",
    )


@dataclass(frozen=True)
class Notice:
    """A short text-only e-mail."""

    to: str
    subject: str
    body: str
    seller: str
    message_id: str


def prepare_transfer_notice(tools: TicketTools, data: dict[str, Any], *, job_id: int) -> Notice:
    """The notice that a ticket was transferred away from its former holder.

    Always sent once queued: the transfer happened, whatever came after it.
    """
    try:
        ticket_id, to = int(data["ticket_id"]), str(data["to"])
        name = str(data.get("name") or "")
    except (KeyError, TypeError, ValueError):
        raise PermanentError(f"malformed transfer notice job: {data!r}") from None
    _check_address(to)
    ticket = Ticket.get_or_none(Ticket.id == ticket_id)
    if ticket is None:
        raise PermanentError(f"ticket {ticket_id} no longer exists")
    order = Order.select(Order, Account).join(Account).where(Order.id == ticket.order_id).get()
    texts = i18n.texts(order.locale)
    event = event_title(ticket.event_id)
    paragraphs = [
        texts["mail_greeting"].format(name=name or to),
        texts["transfer_body"].format(
            ticket=ticket.reference, event=event, order=order.reference, seller=order.account.name
        ),
        texts["mail_closing"].format(seller=order.account.name),
    ]
    return Notice(
        to=to,
        subject=texts["transfer_subject"].format(event=event),
        body="\n\n".join(paragraphs) + "\n",
        seller=order.account.name,
        message_id=f"<tp-notice-{job_id}@{mail_domain(tools.public_url)}>",
    )


def build_notice(notice: Notice, *, sender: str) -> EmailMessage:
    """The MIME message of a notice: plain text, nothing attached."""
    message = EmailMessage()
    message["From"] = f"{notice.seller} <{sender}>" if notice.seller else sender
    message["To"] = notice.to
    message["Subject"] = notice.subject
    message["Date"] = format_datetime(utcnow())
    message["Message-ID"] = notice.message_id
    message.set_content(notice.body)
    return message


def event_title(event_id: int) -> str:
    """The event's name as tickets print it: ``Parent — Date`` for a date of an event."""
    event = Event.get_or_none(Event.id == event_id)
    if event is None:
        return ""
    parent = Event.get_or_none(Event.id == event.parent_id) if event.parent_id else None
    return f"{parent.name} — {event.name}" if parent else event.name


def mail_domain(public_url: str) -> str:
    """The host of the service's public URL, for Message-IDs."""
    return public_url.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "localhost"


def _check_address(to: str) -> None:
    if email_problem(to):
        # Recorded whatever it was; a malformed address is never sent to.
        raise PermanentError(f"{to!r} is not an e-mail address; not sent")
