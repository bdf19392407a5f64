"""The outbox handler that renders an order's tickets and e-mails them to the customer."""

from __future__ import annotations

import logging
from collections.abc import Callable
from email.message import EmailMessage

from pdf.pages import RenderJob
from sync.mailer import send_or_give_up
from tp_api.models import OutboxEntry
from tp_api.services.delivery import outbox, ticket_files, ticket_mail
from tp_api.services.delivery.ticket_files import TicketTools

log = logging.getLogger(__name__)


def delivery_handler(
    tools: TicketTools,
    render: Callable[[RenderJob], bytes],
    send: Callable[[EmailMessage], None],
    *,
    sender: str,
) -> Callable[[OutboxEntry], None]:
    """A handler for ``deliver_tickets`` jobs."""

    def deliver(job: OutboxEntry) -> None:
        data = outbox.payload(job)
        try:
            order_id, event_id = int(data["order_id"]), int(data["event_id"])
        except (KeyError, TypeError, ValueError):
            raise outbox.PermanentError(f"malformed delivery job: {data!r}") from None
        mail = ticket_mail.prepare_delivery(tools, order_id, event_id, job_id=job.id)
        pdf = _pdf(tools, render, mail, order_id, event_id)
        try:
            message = ticket_mail.build_message(
                mail, pdf, sender=sender, seller=mail.job.branding.seller_name
            )
        except ValueError as error:
            # A header that cannot be written (a malformed address): no retry mends it.
            raise outbox.PermanentError(
                f"not delivered to {mail.to!r}: malformed message: {error}"
            ) from error
        send_or_give_up(send, message)
        log.info(
            "delivered %d ticket(s) of order %s to %s",
            len(mail.job.pages),
            mail.job.pages[0].order_reference,
            mail.to,
        )

    return deliver


def _pdf(
    tools: TicketTools,
    render: Callable[[RenderJob], bytes],
    mail: ticket_mail.TicketMail,
    order_id: int,
    event_id: int,
) -> bytes:
    """The attachment. When the event's tickets are all of the order's, it is the same
    document as the order PDF download: rendered once, stored, and served from the store."""
    whole = ticket_files.order_pdf_version(order_id)
    if whole is not None and whole == ticket_files.order_pdf_version(order_id, event_id):
        return ticket_files.order_pdf(tools, order_id, whole, render).read_bytes()
    return render(mail.job)
