"""Ticket downloads: signed expiring links, QR codes and order PDFs, each made once.

The partner API hands out links (``get-ticket``); the file routes check them and serve the
file from the store, rendering it first if nobody has yet. A link names one file at one
version: re-issuing a ticket changes the version, so every older link and QR code stops
working (revocation without a revocation list).

Rendering a PDF needs weasyprint, which the domain does not import: callers pass a
``render`` function (``pdf.render.TicketRenderer.render_job``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from pdf import i18n
from pdf.apple_pass import PassSigner
from pdf.google_pass import GoogleIssuer
from pdf.pages import Branding, RenderJob, TicketPage
from pdf.qr import qr_png
from pdf.signing import FileLinkSigner, LinkError, LinkExpired, sign_ticket_code
from tp_api.models import Account, Event, Order, Ticket, TicketStatus, TicketType
from tp_api.models.orders import parse_order_reference
from tp_api.services.delivery.file_store import FileStore
from tp_api.services.errors import Forbidden, InvalidInput, NotFound
from tp_api.services.orders.answers import ShownAnswer, shown_for_tickets

Render = Callable[[RenderJob], bytes]

# Personalised tickets, whether or not they have been scanned yet, can be shown and printed.
DOWNLOADABLE = (TicketStatus.ACTIVE, TicketStatus.SCANNED_IN, TicketStatus.SCANNED_OUT)


@dataclass(frozen=True)
class Wallets:
    """The wallet passes this install offers (none unless configured; docs/tickets.md)."""

    apple: PassSigner | None = None
    google: GoogleIssuer | None = None
    # Signs the Apple pass links of e-mails to guests, who have no "my tickets" page to ask
    # for a fresh hour-long link: theirs must work for days.
    mail_links: FileLinkSigner | None = None

    def names(self) -> tuple[str, ...]:
        """``apple`` and/or ``google``: the wallets configured."""
        return tuple(
            name for name, part in (("apple", self.apple), ("google", self.google)) if part
        )


@dataclass(frozen=True)
class TicketTools:
    """The key, link signer, store and base URL that ticket files need (built at start-up)."""

    signing_key: Ed25519PrivateKey
    links: FileLinkSigner
    store: FileStore
    public_url: str
    # (account id, shop user id, locale) -> a signed link to the customer's "my tickets"
    # page; None where no page is served (then e-mails carry no such link).
    page_url: Callable[[int, int, str], str] | None = None
    wallets: Wallets = Wallets()


class LinkRefused(Forbidden):
    """A file link that is missing, altered, expired, for another file or revoked."""

    default_code = "link_refused"


def ticket_code(tools: TicketTools, ticket: Ticket) -> str:
    """The signed scan code printed in the ticket's QR code."""
    return sign_ticket_code(tools.signing_key, ticket.reference, ticket.event_id, ticket.version)


def qr_file_name(reference: str) -> str:
    return f"ticket_{reference}.png"


def order_file_name(order_number: int) -> str:
    """The order PDF's name in its link: ``order_<number>_tickets`` (the public number)."""
    return f"order_{order_number}_tickets"


# --- links (the partner API's get-ticket endpoints) ------------------------------------------


def ticket_link(
    tools: TicketTools, account_id: int, wp_user_id: int | None, reference: str | None
) -> str:
    """``GET /tp-api/users/get-ticket``: a signed URL of the ticket's QR PNG, valid one hour."""
    ticket = customer_ticket(account_id, wp_user_id, reference)
    name = qr_file_name(ticket.reference)
    return file_url(tools, name, tools.links.sign(name, str(ticket.version)))


def customer_ticket(account_id: int, wp_user_id: int | None, reference: str | None) -> Ticket:
    """The account's ticket ``reference`` if shop user ``wp_user_id`` may download it now.

    Raises the partner API's documented errors (user or ticket missing, another user's
    ticket, a ticket not personalised, cancelled or replaced).
    """
    if wp_user_id is None:
        raise InvalidInput("Wordpress user not specified", code="wp_user_missing")
    if not reference:
        raise InvalidInput("Ticket id not specified", code="ticket_id_missing")
    ticket = (
        Ticket.select(Ticket, Order)
        .join(Order)
        .where(Ticket.reference == reference[:32], Order.account == account_id)
        .first()
    )
    if ticket is None:
        raise NotFound("Ticket not found", code="download_not_found")
    if ticket.order.wp_user_id != wp_user_id:
        raise Forbidden("Not allowed to see this ticket", code="download_forbidden")
    if ticket.status not in DOWNLOADABLE or ticket.is_deprecated:
        raise NotFound("File not found", code="file_not_found")
    return ticket


def order_link(
    tools: TicketTools, account_id: int, wp_user_id: int | None, order_reference: str | None
) -> str:
    """``GET /tp-api/orders/get-ticket``: a signed URL of the order's PDF, valid one hour."""
    if wp_user_id is None:
        raise InvalidInput("Wordpress user not specified", code="wp_user_missing")
    if not order_reference:
        raise NotFound("Order not specified", code="order_id_missing")
    number = parse_order_reference(order_reference)
    order = (
        Order.get_or_none((Order.number == number) & (Order.account == account_id))
        if (number is not None)
        else None
    )
    if order is None:
        raise NotFound("Order not found", code="download_not_found")
    if order.wp_user_id != wp_user_id:
        raise Forbidden("Not allowed to see this order", code="download_forbidden")
    version = order_pdf_version(order.id)
    if version is None:
        raise NotFound("File not found", code="file_not_found")
    name = order_file_name(order.number)
    return file_url(tools, name, tools.links.sign(name, version))


def file_url(tools: TicketTools, name: str, secret: str) -> str:
    """The address of a file under ``/files/tickets/`` with its signed ``secret``."""
    return f"{tools.public_url}/files/tickets/{name}?secret={secret}"


# --- files (the /files/tickets/... routes) ---------------------------------------------------


def qr_for_link(tools: TicketTools, reference: str, secret: str | None) -> Path:
    """The QR PNG a link grants, made on first use. Raises LinkRefused."""
    version = granted_version(tools.links, secret, qr_file_name(reference))
    ticket = current_ticket(reference, version)
    stored = f"{ticket.reference}-v{ticket.version}.png"
    if not tools.store.exists("qr", stored):
        tools.store.write("qr", stored, qr_png(ticket_code(tools, ticket)))
    return tools.store.path("qr", stored)


def current_ticket(reference: str, version: str) -> Ticket:
    """The ticket a genuine link granted at ``version``, if that is still its downloadable
    version; LinkRefused (revoked) if not."""
    ticket = Ticket.get_or_none(Ticket.reference == reference)
    if (
        ticket is None
        or str(ticket.version) != version
        or ticket.status not in DOWNLOADABLE
        or ticket.is_deprecated
    ):
        raise _revoked()
    return ticket


def order_pdf_for_link(
    tools: TicketTools, order_number: int, secret: str | None, render: Render
) -> Path:
    """The order PDF a link grants, rendered once per set of ticket versions."""
    version = granted_version(tools.links, secret, order_file_name(order_number))
    order_id = Order.select(Order.id).where(Order.number == order_number).scalar()
    if order_id is None or order_pdf_version(order_id) != version:
        raise _revoked()
    return order_pdf(tools, order_id, version, render)


def granted_version(links: FileLinkSigner, secret: str | None, name: str) -> str:
    """The version of file ``name`` that ``secret`` grants; LinkRefused if none.

    Check the link before anything is looked up, so a bad one reveals nothing.
    """
    try:
        granted_name, version = links.read(secret)
    except LinkExpired:
        raise LinkRefused("Forbidden: link expired", code="link_expired") from None
    except LinkError:
        raise LinkRefused("Forbidden", code="link_refused") from None
    if granted_name != name:
        raise LinkRefused("Forbidden", code="link_refused")
    return version


def _revoked() -> LinkRefused:
    # Only a genuine link for this very file gets here: it was revoked by a re-issue,
    # a cancellation, or a change to the order's tickets.
    return LinkRefused("Forbidden: link revoked", code="link_revoked")


def order_pdf(tools: TicketTools, order_id: int, version: str, render: Render) -> Path:
    """The stored PDF of the order's tickets at ``version``, rendering it if it is missing."""
    stored = f"{order_id}-{version}.pdf"
    if not tools.store.exists("orders", stored):
        with tools.store.lock("orders", stored):
            # Another process may have rendered it while we waited for the lock.
            if not tools.store.exists("orders", stored):
                job = render_job(tools, order_id, event_id=None)
                tools.store.write("orders", stored, render(job))
    return tools.store.path("orders", stored)


def order_pdf_version(order_id: int, event_id: int | None = None) -> str | None:
    """A digest of the order's downloadable tickets and their versions.

    None while any ticket still awaits personalisation, or when none can be downloaded.
    """
    tickets = _current_tickets(order_id, event_id)
    if not tickets or any(t.status == TicketStatus.CREATED for t in tickets):
        return None
    printable = [(t.id, t.version) for t in tickets if t.status in DOWNLOADABLE]
    if not printable:
        return None
    return hashlib.sha256(repr(printable).encode()).hexdigest()[:16]


def _current_tickets(order_id: int, event_id: int | None) -> list[Ticket]:
    query = Ticket.select().where(
        Ticket.order == order_id,
        Ticket.is_deprecated == False,  # noqa: E712 - peewee expression
        Ticket.status != TicketStatus.CANCELLED,
    )
    if event_id is not None:
        query = query.where(Ticket.event == event_id)
    return list(query.order_by(Ticket.id))


# --- what the PDF shows ----------------------------------------------------------------------


def render_job(
    tools: TicketTools,
    order_id: int,
    *,
    event_id: int | None,
    ticket_ids: Collection[int] | None = None,
) -> RenderJob:
    """The pages of the order's printable tickets (of one event, or all; only those of
    ``ticket_ids`` when given: one holder's own tickets)."""
    order = Order.select(Order, Account).join(Account).where(Order.id == order_id).get()
    tickets = [t for t in _current_tickets(order_id, event_id) if t.status in DOWNLOADABLE]
    if ticket_ids is not None:
        tickets = [t for t in tickets if t.id in set(ticket_ids)]
    if not tickets:
        raise NotFound("File not found", code="file_not_found")
    types = {
        t.id: t
        for t in TicketType.select().where(
            TicketType.id.in_(sorted({t.ticket_type_id for t in tickets}))
        )
    }
    events = events_with_parents({t.event_id for t in tickets})
    answers = shown_for_tickets([t.id for t in tickets], lang=i18n.language(order.locale))
    pages = tuple(
        _page(tools, order, t, types[t.ticket_type_id], events, answers.get(t.id, []))
        for t in tickets
    )
    ticket_events = {t.event_id for t in tickets}
    scope_event = (
        event_id
        if event_id is not None
        else (next(iter(ticket_events)) if len(ticket_events) == 1 else None)
    )
    return RenderJob(
        pages,
        Branding(order.account.name),
        order.locale or None,
        account_id=order.account_id,
        event_id=scope_event,
    )


def _page(
    tools: TicketTools,
    order: Order,
    ticket: Ticket,
    ticket_type: TicketType,
    events: dict[int, Event],
    answers: list[ShownAnswer],
) -> TicketPage:
    event = events[ticket.event_id]
    top = events.get(event.parent_id) if event.parent_id else None
    name = f"{top.name} — {event.name}" if top else event.name
    location = event.location or (top.location if top else "")
    city = event.city or (top.city if top else "")
    return TicketPage(
        event_name=name,
        event_date=i18n.format_event_date(
            ticket_type.date or event.start_date, event.timezone, order.locale
        ),
        venue=", ".join(part for part in (location, city) if part),
        tier=ticket_type.name,
        attendee_name=f"{ticket.first_name} {ticket.last_name}".strip(),
        order_reference=order.reference,
        ticket_reference=ticket.reference,
        qr_png=qr_png(ticket_code(tools, ticket), box_size=6, border=2),
        details=tuple((a.label, a.text) for a in answers if a.show_on_ticket),
    )


def events_with_parents(event_ids: set[int]) -> dict[int, Event]:
    """The events by id, with their parent events (whose names and places they inherit)."""
    events = {e.id: e for e in Event.select().where(Event.id.in_(sorted(event_ids)))}
    parent_ids = {e.parent_id for e in events.values() if e.parent_id} - set(events)
    if parent_ids:
        events.update({e.id: e for e in Event.select().where(Event.id.in_(sorted(parent_ids)))})
    return events
