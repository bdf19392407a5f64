"""The outbox handler that e-mails staff users their invitation or password-reset link."""

from __future__ import annotations

import logging
from collections.abc import Callable
from email.message import EmailMessage

from sync.mailer import send_or_give_up
from tp_api.models import OutboxEntry
from tp_api.services.credentials import staff_links
from tp_api.services.delivery import outbox

log = logging.getLogger(__name__)


def staff_mail_handler(
    signer: staff_links.PasswordLinkSigner,
    public_url: str,
    send: Callable[[EmailMessage], None],
    *,
    sender: str,
) -> Callable[[OutboxEntry], None]:
    """A handler for ``staff_mail`` jobs."""

    def deliver(job: OutboxEntry) -> None:
        data = outbox.payload(job)
        mail = staff_links.mail_to_send(signer, public_url, data, sender=sender)
        if mail is None:
            log.info("staff mail %s not sent: the user set a password or is gone", job.id)
            return
        send_or_give_up(send, mail)
        log.info("sent a %s link to %s", data.get("kind"), mail["To"])

    return deliver
