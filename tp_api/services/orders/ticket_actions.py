"""Seller actions on issued tickets: resend an order's tickets, transfer a ticket.

Both write their follow-up work (render and e-mail) to the outbox in the transaction that
decides it.
"""

from __future__ import annotations

import uuid

from tp_api.db import utcnow, write_transaction
from tp_api.models import Ticket, TicketStatus
from tp_api.services import audit_trail
from tp_api.services.actors import SYSTEM, Actor
from tp_api.services.delivery import holder_mail, outbox
from tp_api.services.errors import Conflict, NotFound, Said
from tp_api.services.orders.personalise import AttendeeInput, locked_ticket
from tp_api.services.orders.refunds import locked_order
from tp_api.services.webhooks import notify

_TRANSFERABLE = (TicketStatus.CREATED, TicketStatus.ACTIVE)


def resend_tickets(account_id: int, number: int) -> int:
    """Queue the confirmation e-mail with the order's tickets again (the order by its public
    number), once per event.

    Returns the number of e-mails queued; an order without a personalised, valid ticket has
    nothing to send (409).
    """
    with write_transaction():
        order = locked_order(account_id, number)
        events = sorted(
            {
                t.event_id
                for t in Ticket.select(Ticket.event).where(
                    Ticket.order == order.id,
                    Ticket.status == TicketStatus.ACTIVE,
                    Ticket.is_deprecated == False,  # noqa: E712 (peewee builds SQL from ==)
                )
            }
        )
        if not events:
            raise Conflict(
                Said(
                    "Order {reference} has no personalised ticket to send",
                    reference=order.reference,
                ),
                code="nothing_to_send",
            )
        # Each resend is new work (its own dedupe key); Idempotency-Key guards repeats.
        batch = uuid.uuid4().hex
        for event_id in events:
            outbox.enqueue(
                outbox.DELIVER_TICKETS,
                {"order_id": order.id, "event_id": event_id},
                account_id=account_id,
                dedupe_key=f"resend:{order.id}:{event_id}:{batch}",
            )
    return len(events)


def transfer_ticket(
    account_id: int, reference: str, holder: AttendeeInput, *, actor: Actor = SYSTEM
) -> Ticket:
    """Give a ticket to a new holder: it is re-issued (new version), so the old code, QR and
    PDF stop working; the new holder is sent their ticket and the old one a notice
    (``_queue_transfer_mails``), in the transfer's transaction.

    A ticket already used at the door, cancelled or replaced cannot be transferred.
    """
    actor.require("orders:write")
    with write_transaction():
        ticket = locked_ticket(account_id, reference)
        if ticket is None:
            raise NotFound("Ticket not found", code="ticket_not_found")
        if ticket.status not in _TRANSFERABLE or ticket.is_deprecated:
            raise Conflict(
                "Only a ticket not yet used, cancelled or replaced can be transferred",
                code="ticket_not_transferable",
            )
        now = utcnow()
        before = _holder(ticket)
        old_version = ticket.version
        ticket.first_name, ticket.last_name = holder.first_name, holder.last_name
        ticket.email, ticket.phone = holder.email, holder.phone
        ticket.status = TicketStatus.ACTIVE
        ticket.version += 1
        ticket.personalised_at = ticket.updated_at = now
        ticket.save()
        _queue_transfer_mails(account_id, ticket, before, old_version)
        notify.ticket_reissued(account_id, ticket)
        subject = ("ticket", ticket.id, ticket.reference)
        changes = audit_trail.changed(before, _holder(ticket))
        audit_trail.record(account_id, actor, "ticket.transferred", subject, changes)
    return ticket


def _queue_transfer_mails(
    account_id: int, ticket: Ticket, before: dict[str, str], old_version: int
) -> None:
    """The transferred ticket to its new holder, and a notice to the old one.

    The new holder gets only their ticket; when they have no address of their own (none, or
    the buyer's), the buyer gets the order's tickets again, as before holder e-mails
    existed, so the re-issued ticket always reaches someone. The old holder is told when
    they had an address and it is not the new holder's.
    """
    if not holder_mail.queue_holder_ticket(account_id, ticket, ticket.order.billing_email):
        outbox.enqueue(
            outbox.DELIVER_TICKETS,
            {"order_id": ticket.order_id, "event_id": ticket.event_id},
            account_id=account_id,
            dedupe_key=f"transfer:{ticket.reference}:{ticket.version}",
        )
    holder_mail.queue_transfer_notice(
        account_id,
        ticket,
        old_email=before["email"],
        old_name=before["first_name"],
        old_version=old_version,
    )


def _holder(ticket: Ticket) -> dict[str, str]:
    return {
        "first_name": ticket.first_name,
        "last_name": ticket.last_name,
        "email": ticket.email,
        "phone": ticket.phone,
    }
