"""Wallet passes of tickets: Apple Wallet ``.pkpass`` files and "Save to Google Wallet" links.

Both carry the ticket's signed scan code (the text of its QR image) as their QR barcode, so
the door accepts a pass exactly as it accepts the printed ticket, and refuses it once the
ticket is re-issued or transferred (its version, inside the code, changes). Passes are not
updated afterwards: there is no pass web service or push (docs/tickets.md).

An Apple pass is a file behind the same signed, expiring links as the QR image
(``/files/tickets/ticket_<ref>.pkpass?secret=…``), built when fetched. A Google link holds
the whole pass in a JWT and is made when asked for.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TypeGuard
from urllib.parse import urlsplit

from pdf import apple_pass, google_pass, i18n
from pdf.signing import FileLinkSigner
from tp_api.db import utcnow
from tp_api.models import Account, Event, Order, Ticket, TicketType
from tp_api.services.delivery.ticket_files import (
    LinkRefused,
    TicketTools,
    current_ticket,
    customer_ticket,
    events_with_parents,
    file_url,
    granted_version,
    ticket_code,
)
from tp_api.services.errors import NotFound

APPLE = "apple"
GOOGLE = "google"


def pass_file_name(reference: str) -> str:
    """The Apple pass's name in its link: ``ticket_<reference>.pkpass``."""
    return f"ticket_{reference}.pkpass"


def wallet_link(
    tools: TicketTools,
    account_id: int,
    wp_user_id: int | None,
    reference: str | None,
    wallet: str,
) -> str:
    """``GET /tp-api/users/get-wallet-pass`` (an extension): the ticket's Apple pass as a
    signed URL valid like the QR link, or its "Save to Google Wallet" link.

    Raises NotFound (``wallet_not_configured``) for a wallet this install does not offer,
    and the errors of ``get-ticket`` for a ticket the user may not download.
    """
    if wallet not in tools.wallets.names():
        raise NotFound("Wallet not configured", code="wallet_not_configured")
    ticket = customer_ticket(account_id, wp_user_id, reference)
    if wallet == APPLE:
        return apple_link(tools, ticket, tools.links)
    return google_link(tools, ticket)


def apple_link(tools: TicketTools, ticket: Ticket, links: FileLinkSigner) -> str:
    """A link to the ticket's current ``.pkpass``, signed by ``links`` (their lifetime)."""
    name = pass_file_name(ticket.reference)
    return file_url(tools, name, links.sign(name, str(ticket.version)))


def pkpass_for_link(tools: TicketTools, reference: str, secret: str | None) -> bytes:
    """The signed ``.pkpass`` a link grants. NotFound when Apple Wallet is not configured,
    LinkRefused for a bad, expired or revoked link."""
    signer = tools.wallets.apple
    if signer is None:
        raise NotFound("Not Found", code="wallet_not_configured")
    name = pass_file_name(reference)
    ticket = current_ticket(reference, _granted_pass_version(tools, secret, name))
    return apple_pass.pkpass(_apple_content(tools, ticket), signer)


def google_link(tools: TicketTools, ticket: Ticket) -> str:
    """The ticket's "Save to Google Wallet" link (a JWT signed with the service account)."""
    issuer = tools.wallets.google
    if issuer is None:
        raise NotFound("Wallet not configured", code="wallet_not_configured")
    facts = _facts(ticket)
    parts = urlsplit(tools.public_url)
    host = parts.hostname or "localhost"
    event_ticket = google_pass.EventTicket(
        class_suffix=f"{host}.event-{ticket.event_id}",
        object_suffix=f"{host}.ticket-{ticket.reference}-v{ticket.version}",
        issuer_name=facts.organization,
        event_name=facts.event_name,
        venue_name=facts.location,
        venue_address=facts.venue,
        start=facts.start,
        end=facts.end,
        holder=facts.holder,
        tier=facts.tier,
        order_reference=facts.order_reference,
        ticket_reference=ticket.reference,
        scan_code=ticket_code(tools, ticket),
        language=i18n.language(facts.locale),
    )
    origins = [f"{parts.scheme}://{parts.netloc}"]
    return google_pass.save_url(event_ticket, issuer, origins=origins, issued_at=utcnow())


def mail_paragraph(tools: TicketTools, order: Order, references: Sequence[str]) -> str | None:
    """The ticket e-mail's lines with each ticket's wallet links (None when no wallet is
    configured).

    A customer with a "my tickets" page gets the page's wallet addresses, which fetch a
    fresh pass link when followed; a guest gets the pass links themselves, the Apple one
    signed to last as long as a page link.
    """
    wallets = tools.wallets.names()
    if not wallets or not references:
        return None
    texts = i18n.texts(order.locale)
    page = None
    if order.wp_user_id and tools.page_url is not None:
        page = tools.page_url(order.account_id, order.wp_user_id, order.locale)
    tickets = Ticket.select().where(Ticket.reference.in_(list(references))).order_by(Ticket.id)
    lines = [texts["mail_wallet"]]
    for ticket in tickets:
        for wallet in wallets:
            if page is not None:
                # The page's route (bridge.web.my_tickets): it redirects to a fresh link.
                url = f"{page}/tickets/{ticket.reference}/wallet/{wallet}"
            elif wallet == APPLE:
                url = apple_link(tools, ticket, tools.wallets.mail_links or tools.links)
            else:
                url = google_link(tools, ticket)
            line = texts[f"mail_wallet_{wallet}"].format(reference=ticket.reference, url=url)
            lines.append(line)
    return "\n".join(lines)


def _granted_pass_version(tools: TicketTools, secret: str | None, name: str) -> str:
    """The version an hour-long link or a guest's e-mail link grants."""
    try:
        return granted_version(tools.links, secret, name)
    except LinkRefused as refused:
        mail_links = tools.wallets.mail_links
        # An expired hour-long link says so; any other refusal may be an e-mail link.
        if mail_links is None or refused.code == "link_expired":
            raise
        return granted_version(mail_links, secret, name)


@dataclass(frozen=True)
class _Facts:
    """What a pass shows of a ticket, looked up once."""

    organization: str
    event_name: str
    date_text: str
    start: datetime | None
    end: datetime | None
    location: str
    venue: str
    coordinates: tuple[float, float] | None
    tier: str
    holder: str
    order_reference: str
    locale: str


def _facts(ticket: Ticket) -> _Facts:
    order = Order.select(Order, Account).join(Account).where(Order.id == ticket.order_id).get()
    ticket_type = TicketType.get_by_id(ticket.ticket_type_id)
    events = events_with_parents({ticket.event_id})
    event = events[ticket.event_id]
    top = events.get(event.parent_id) if event.parent_id else None
    location = event.location or (top.location if top else "")
    city = event.city or (top.city if top else "")
    start = ticket_type.date or event.start_date
    return _Facts(
        organization=order.account.name,
        event_name=f"{top.name} — {event.name}" if top else event.name,
        date_text=i18n.format_event_date(start, event.timezone, order.locale),
        start=start,
        end=event.end_date,
        location=location,
        venue=", ".join(part for part in (location, city) if part),
        coordinates=_coordinates(event) or (_coordinates(top) if top else None),
        tier=ticket_type.name,
        holder=f"{ticket.first_name} {ticket.last_name}".strip(),
        order_reference=order.reference,
        locale=order.locale or "",
    )


def _apple_content(tools: TicketTools, ticket: Ticket) -> apple_pass.EventPass:
    facts = _facts(ticket)
    return apple_pass.EventPass(
        serial=ticket.reference,
        organization=facts.organization,
        event_name=facts.event_name,
        date_text=facts.date_text,
        venue=facts.venue,
        tier=facts.tier,
        holder=facts.holder,
        order_reference=facts.order_reference,
        ticket_reference=ticket.reference,
        scan_code=ticket_code(tools, ticket),
        labels=i18n.texts(facts.locale),
        relevant_date=facts.start,
        location=facts.coordinates,
    )


def _coordinates(event: Event) -> tuple[float, float] | None:
    """The venue's ``latitude`` and ``longitude`` from the event's ``event_params``, if the
    seller put them there (numbers within range); else None."""
    try:
        params = json.loads(event.event_params or "{}")
    except ValueError:
        return None
    if not isinstance(params, dict):
        return None
    latitude, longitude = params.get("latitude"), params.get("longitude")
    if not (_number(latitude) and _number(longitude)):
        return None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return None
    return float(latitude), float(longitude)


def _number(value: object) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool)
