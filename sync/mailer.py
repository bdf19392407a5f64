"""Sending e-mail over SMTP (smtplib), with a timeout on every connection."""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.message import EmailMessage

from tp_api.metrics import metrics
from tp_api.services.delivery import outbox


@dataclass(frozen=True)
class SmtpMailer:
    """An SMTP relay. ``security`` is ``none``, ``starttls`` or ``ssl``."""

    host: str
    port: int
    user: str = ""
    password: str = ""
    security: str = "none"
    timeout_s: float = 30.0

    def send(self, message: EmailMessage) -> None:
        """Hand one message to the relay; raises smtplib/OSError errors on failure."""
        if self.security == "ssl":
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                self.host, self.port, timeout=self.timeout_s, context=ssl.create_default_context()
            )
        else:
            client = smtplib.SMTP(self.host, self.port, timeout=self.timeout_s)
        with client:
            if self.security == "starttls":
                client.starttls(context=ssl.create_default_context())
            if self.user:
                client.login(self.user, self.password)
            client.send_message(message)


def counted(send: Callable[[EmailMessage], None]) -> Callable[[EmailMessage], None]:
    """``send``, each message counted as sent or failed (tp_emails_total) as the relay
    answers: a failure is counted at each attempt, as each is a message the relay refused."""

    def send_counted(message: EmailMessage) -> None:
        try:
            send(message)
        except Exception:
            metrics().emails.labels("failed").inc()
            raise
        metrics().emails.labels("sent").inc()

    return send_counted


def send_or_give_up(send: Callable[[EmailMessage], None], message: EmailMessage) -> None:
    """Send ``message``; a failure that retrying cannot mend ends the outbox job
    (PermanentError), any other is raised for the worker to retry later."""
    try:
        send(message)
    except Exception as error:
        reason = permanent_failure(error)
        if reason is None:
            raise
        raise outbox.PermanentError(f"not delivered to {message['To']!r}: {reason}") from error


def permanent_failure(error: BaseException) -> str | None:
    """Why sending can never succeed, or None when trying again later may help.

    An SMTP 5xx answer (a refused recipient, sender or message) is permanent, and so is a
    message whose headers cannot be written (a malformed address); 4xx answers, timeouts and
    connection errors are temporary.
    """
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in error.recipients.values()]
        if codes and all(500 <= code < 600 for code in codes):
            return f"recipient refused: {_describe(error.recipients)}"
        return None
    if isinstance(error, smtplib.SMTPResponseException) and 500 <= error.smtp_code < 600:
        return f"SMTP {error.smtp_code}: {_text(error.smtp_error)}"
    if isinstance(error, smtplib.SMTPNotSupportedError):
        # An internationalised address (``zoë@…``) and a relay without SMTPUTF8.
        return f"the relay cannot send this message: {error}"
    if isinstance(error, ValueError):
        # email.message refuses a header with CR/LF, smtplib an address it cannot encode.
        return f"malformed message: {error}"
    return None


def _describe(recipients: Mapping[str, tuple[int, bytes | str]]) -> str:
    return "; ".join(f"{addr} ({code} {_text(msg)})" for addr, (code, msg) in recipients.items())


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
