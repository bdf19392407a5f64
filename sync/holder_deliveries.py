"""The outbox handlers of the e-mails to ticket holders: their own ticket, the notice that a
ticket was transferred away from them, and the reminder before the event.

Each renders with the same path (ticket_files.render_job) and builds with the same builder
(ticket_mail.build_message) as the order's e-mail, and sends through the same mailer. A job
whose mail was superseded since it was queued (prepare_* returned None) is done without
sending: the change that superseded it queued its own.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from email.message import EmailMessage

from pdf.pages import RenderJob
from sync.mailer import send_or_give_up
from tp_api.models import OutboxEntry
from tp_api.services.delivery import holder_mail, outbox, reminders, ticket_mail
from tp_api.services.delivery.ticket_files import TicketTools

log = logging.getLogger(__name__)

Render = Callable[[RenderJob], bytes]
Send = Callable[[EmailMessage], None]
Handler = Callable[[OutboxEntry], None]


def holder_ticket_handler(
    tools: TicketTools, render: Render, send: Send, *, sender: str
) -> Handler:
    """A handler for ``mail_holder_ticket`` jobs: one ticket, to its holder."""

    def deliver(job: OutboxEntry) -> None:
        mail = holder_mail.prepare_holder_mail(tools, outbox.payload(job), job_id=job.id)
        _send_ticket_mail(job, mail, render, send, sender, "holder ticket")

    return deliver


def reminder_handler(tools: TicketTools, render: Render, send: Send, *, sender: str) -> Handler:
    """A handler for ``remind_tickets`` jobs: the reminder with the address's tickets."""

    def remind(job: OutboxEntry) -> None:
        mail = reminders.prepare_reminder(tools, outbox.payload(job), job_id=job.id)
        _send_ticket_mail(job, mail, render, send, sender, "reminder")

    return remind


def transfer_notice_handler(tools: TicketTools, send: Send, *, sender: str) -> Handler:
    """A handler for ``mail_transfer_notice`` jobs: text only, nothing attached."""

    def notify(job: OutboxEntry) -> None:
        notice = holder_mail.prepare_transfer_notice(tools, outbox.payload(job), job_id=job.id)
        try:
            message = holder_mail.build_notice(notice, sender=sender)
        except ValueError as error:
            raise outbox.PermanentError(
                f"not sent to {notice.to!r}: malformed message: {error}"
            ) from error
        send_or_give_up(send, message)
        log.info("sent the transfer notice of job %s to %s", job.id, notice.to)

    return notify


def _send_ticket_mail(
    job: OutboxEntry,
    mail: ticket_mail.TicketMail | None,
    render: Render,
    send: Send,
    sender: str,
    what: str,
) -> None:
    if mail is None:
        log.info(
            "%s job %s: superseded or nothing left to send; done without sending", what, job.id
        )
        return
    pdf = render(mail.job)
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
    log.info("sent the %s with %d ticket(s) to %s", what, len(mail.job.pages), mail.to)
