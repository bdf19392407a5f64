"""Wiring the outbox worker from settings, and running it until SIGTERM/SIGINT."""

from __future__ import annotations

import logging
import signal
import threading
from datetime import timedelta

from config.settings import Settings
from config.shops import refresh_handler, secret_box, sync_now_handler
from config.tickets import password_links, ticket_tools
from sync.deliveries import delivery_handler
from sync.holder_deliveries import (
    holder_ticket_handler,
    reminder_handler,
    transfer_notice_handler,
)
from sync.mailer import SmtpMailer, counted
from sync.outbox_worker import OutboxWorker, OutboxWorkers
from sync.staff_mail import staff_mail_handler
from sync.webhook_sender import SenderSettings, webhook_handler
from tp_api.services.credentials.staff_links import STAFF_MAIL
from tp_api.services.delivery.holder_mail import MAIL_HOLDER_TICKET, MAIL_TRANSFER_NOTICE
from tp_api.services.delivery.outbox import DELIVER_TICKETS, REFRESH_SHOP_ORDER
from tp_api.services.delivery.reminders import REMIND_TICKETS
from tp_api.services.shops.sync_requests import SYNC_SHOP_NOW
from tp_api.services.webhooks.webhook_events import DELIVER_WEBHOOK

log = logging.getLogger(__name__)


def outbox_worker(settings: Settings) -> OutboxWorkers:
    """The outbox workers: one for ticket e-mails and shop refreshes, and
    ``webhook_workers`` more that only deliver webhooks (each with its own HTTP session)."""
    from pdf.render import TicketRenderer

    renderer = TicketRenderer([settings.templates_dir] if settings.templates_dir else [])
    mailer = SmtpMailer(
        settings.smtp_host,
        settings.smtp_port,
        settings.smtp_user,
        settings.smtp_password,
        settings.smtp_security,
    )
    tools = ticket_tools(settings)
    sender = settings.mail_from
    send = counted(mailer.send)
    handlers = {
        REFRESH_SHOP_ORDER: refresh_handler(settings),
        SYNC_SHOP_NOW: sync_now_handler(settings),
        DELIVER_TICKETS: delivery_handler(tools, renderer.render_job, send, sender=sender),
        MAIL_HOLDER_TICKET: holder_ticket_handler(tools, renderer.render_job, send, sender=sender),
        MAIL_TRANSFER_NOTICE: transfer_notice_handler(tools, send, sender=sender),
        REMIND_TICKETS: reminder_handler(tools, renderer.render_job, send, sender=sender),
        STAFF_MAIL: staff_mail_handler(
            password_links(settings), settings.public_url, send, sender=settings.mail_from
        ),
    }
    lease = timedelta(seconds=settings.outbox_lease_s)
    webhooks = [
        OutboxWorker(
            {
                DELIVER_WEBHOOK: webhook_handler(
                    secret_box(settings), webhook_sender_settings(settings)
                )
            },
            lease=lease,
        )
        for _ in range(settings.webhook_workers)
    ]
    return OutboxWorkers([OutboxWorker(handlers, lease=lease), *webhooks])


def worker_connections(settings: Settings) -> int:
    """Database connections the outbox workers need at once: one per thread (the e-mail
    worker and each webhook worker hold one while they claim and run a job), plus one spare."""
    return 1 + settings.webhook_workers + 1


def webhook_sender_settings(settings: Settings) -> SenderSettings:
    return SenderSettings(
        timeout_s=float(settings.webhook_timeout_s),
        allow_private=settings.webhook_allow_private,
    )


def run_until_signalled(worker: OutboxWorker | OutboxWorkers) -> None:
    """Run the worker; SIGTERM or SIGINT lets the current job finish, then stops."""
    stop = threading.Event()

    def request_stop(signum: int, _frame: object) -> None:
        # Only set a flag: nothing else is safe to do inside a signal handler.
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    log.info("outbox worker started")
    worker.run(stop)
    log.info("outbox worker stopped: %s", worker.stats)
