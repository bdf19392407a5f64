"""The e-mail that brings an order's tickets to the customer, in the order's language."""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from pdf import calendar, i18n
from pdf.pages import RenderJob
from tp_api.db import utcnow
from tp_api.models import Account, Event, Order
from tp_api.schemas.text_rules import email_problem
from tp_api.services.delivery import wallet_passes
from tp_api.services.delivery.outbox import PermanentError
from tp_api.services.delivery.ticket_files import TicketTools, render_job
from tp_api.services.errors import NotFound


@dataclass(frozen=True)
class TicketMail:
    """Everything for one delivery except the rendered PDF."""

    to: str
    subject: str
    body: str
    attachment_name: str
    job: RenderJob
    message_id: str
    # The event as an .ics file (pdf.calendar), when it has a date; its file name.
    calendar: bytes | None = None
    calendar_name: str = ""


def prepare_delivery(
    tools: TicketTools, order_id: int, event_id: int, *, job_id: int
) -> TicketMail:
    """The delivery of an order's tickets for one event. PermanentError if it cannot be sent.

    The Message-ID is derived from the job, so a resend after a crash is recognisable as the
    same message by mail clients that de-duplicate.
    """
    order = _mailable_order(order_id)
    event = Event.get_or_none(Event.id == event_id)
    try:
        job = render_job(tools, order_id, event_id=event_id)
    except NotFound:
        raise PermanentError(
            f"order {order.reference} has no printable tickets for event {event_id}"
        ) from None
    event_name = job.pages[0].event_name if job.pages else (event.name if event else "")
    texts = i18n.texts(order.locale)
    name = order.billing_first_name or order.billing_last_name or order.billing_email
    paragraphs = [
        texts["mail_greeting"].format(name=name),
        texts["mail_body"].format(order=order.reference, event=event_name),
    ]
    # Guests have no shop user (None, or WooCommerce's 0, shared by every guest): no link.
    if order.wp_user_id and tools.page_url is not None:
        # Our own page, signed for this customer: tickets and downloads without a password.
        page = tools.page_url(order.account_id, order.wp_user_id, order.locale)
        paragraphs.append(texts["mail_page_link"].format(url=page))
    if order.my_tickets_url:
        paragraphs.append(texts["mail_my_tickets"].format(url=order.my_tickets_url))
    # Each ticket's "Add to Apple Wallet" / "Save to Google Wallet" links, when configured.
    wallet = wallet_passes.mail_paragraph(tools, order, [p.ticket_reference for p in job.pages])
    if wallet:
        paragraphs.append(wallet)
    paragraphs.append(texts["mail_closing"].format(seller=order.account.name))
    domain = tools.public_url.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "localhost"
    ics = event_calendar(event, event_name, order.reference, domain)
    return TicketMail(
        to=order.billing_email,
        subject=texts["mail_subject"].format(event=event_name),
        body="\n\n".join(paragraphs) + "\n",
        attachment_name=f"{order.reference}-tickets.pdf",
        job=job,
        message_id=f"<tp-delivery-{job_id}@{domain}>",
        calendar=ics,
        calendar_name=calendar.file_name(event_name) if ics else "",
    )


def event_calendar(
    event: Event | None, title: str, order_reference: str, host: str
) -> bytes | None:
    """The event as an .ics attachment, or None when it has no date to put in a calendar."""
    if event is None or event.start_date is None:
        return None
    entry = calendar.CalendarEntry(
        uid=calendar.event_uid(event.id, host),
        title=title,
        start=event.start_date,
        end=event.end_date,
        location=", ".join(part for part in (event.location, event.city) if part),
        description=order_reference,
    )
    return calendar.calendar_file(entry, utcnow())


def _mailable_order(order_id: int) -> Order:
    """The order (with its account) if its tickets can be mailed; PermanentError if not."""
    order = Order.select(Order, Account).join(Account).where(Order.id == order_id).first()
    if order is None:
        raise PermanentError(f"order {order_id} no longer exists")
    if not order.billing_email:
        raise PermanentError(f"order {order.reference} has no billing e-mail address")
    if email_problem(order.billing_email):
        # A shop order is recorded whatever its address; a malformed one (a list, a header
        # injection) is never sent to, and the failed delivery shows why.
        raise PermanentError(
            f"order {order.reference}: billing e-mail {order.billing_email!r} is not an e-mail "
            "address; not sent"
        )
    return order


def build_message(mail: TicketMail, pdf: bytes, *, sender: str, seller: str) -> EmailMessage:
    """The MIME message: plain text, the PDF attached, and the event's .ics when it has a
    date."""
    message = EmailMessage()
    message["From"] = f"{seller} <{sender}>" if seller else sender
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message["Date"] = format_datetime(utcnow())
    message["Message-ID"] = mail.message_id or make_msgid()
    message.set_content(mail.body)
    message.add_attachment(
        pdf, maintype="application", subtype="pdf", filename=mail.attachment_name
    )
    if mail.calendar is not None:
        message.add_attachment(
            mail.calendar,
            maintype="text",
            subtype="calendar",
            filename=mail.calendar_name,
            params={"method": "PUBLISH"},
        )
    return message
