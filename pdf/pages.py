"""What goes on a ticket: plain values, so the domain can prepare them without weasyprint."""

from __future__ import annotations

import base64
from dataclasses import dataclass


@dataclass(frozen=True)
class TicketPage:
    """Everything printed on one ticket, already formatted for the reader."""

    event_name: str
    event_date: str
    venue: str
    tier: str
    attendee_name: str
    order_reference: str
    ticket_reference: str
    qr_png: bytes
    # The attendee's answers the seller shows on the ticket: (question, answer) pairs.
    details: tuple[tuple[str, str], ...] = ()

    @property
    def qr_data_uri(self) -> str:
        """The QR code as a ``data:`` URI: weasyprint embeds it without fetching anything."""
        return "data:image/png;base64," + base64.b64encode(self.qr_png).decode("ascii")


@dataclass(frozen=True)
class Branding:
    """The seller's look: name, accent colour and an optional logo (a ``data:`` URI)."""

    seller_name: str
    accent_color: str = "#1f4e79"
    logo_data_uri: str | None = None


@dataclass(frozen=True)
class RenderJob:
    """One PDF to render: its pages, look, language and the template scope."""

    pages: tuple[TicketPage, ...]
    branding: Branding
    locale: str | None
    account_id: int | None = None
    event_id: int | None = None
