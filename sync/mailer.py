"""Sending e-mail over SMTP (smtplib), with a timeout on every connection."""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage


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
