"""Where tickets get their attendee: ``POST /tp-api/events/{id}/tickets/personalize``.

Tickets not in status 1 (Created) are skipped, so a shop may re-submit the whole list.
When the last Created ticket of an order for an event is personalised, delivery of that
order's tickets (PDF and e-mail) is written to the outbox in the same transaction, and so is
each holder's own ticket as it is personalised (services.delivery.holder_mail).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from tp_api.db import is_postgres, lock_rows, tuples, utcnow, write_transaction
from tp_api.models import Event, Order, Question, Ticket, TicketStatus
from tp_api.services.delivery import holder_mail, outbox
from tp_api.services.errors import Conflict, InvalidInput, NotFound, Said
from tp_api.services.events.catalogue import event_scope
from tp_api.services.events.question_reads import questions_of, root_event_id
from tp_api.services.orders import answers as ticket_answers
from tp_api.services.validation import email_address, required_str, to_int
from tp_api.services.webhooks import notify

MAX_TICKETS_PER_REQUEST = 1000


@dataclass(frozen=True)
class AttendeeInput:
    ticket_id: str
    first_name: str
    last_name: str
    email: str
    phone: str
    # The ``answers`` extension: {question id: value}; None when the body had none.
    answers: dict[int, Any] | None = field(default=None, compare=False)


@dataclass(frozen=True)
class PersonaliseOutcome:
    all_personalised: bool
    personalised: int
    skipped: int
    deliveries_queued: int


def parse_attendees(body: Any) -> list[AttendeeInput]:
    """Validate the request body: ``{"tickets": [{ticket_id, first_name, ...}]}``."""
    tickets = body.get("tickets") if isinstance(body, dict) else None
    if not isinstance(tickets, list) or not tickets:
        raise InvalidInput("Tickets not specified", code="tickets_missing")
    if len(tickets) > MAX_TICKETS_PER_REQUEST:
        raise InvalidInput(
            Said("At most {limit} tickets per request", limit=MAX_TICKETS_PER_REQUEST)
        )
    return [_parse_attendee(item, i) for i, item in enumerate(tickets)]


def _parse_attendee(item: Any, index: int) -> AttendeeInput:
    if not isinstance(item, dict):
        raise InvalidInput(Said("tickets[{index}] must be an object", index=index))
    ref = required_str(item, "ticket_id", max_len=32, label=f"tickets[{index}].ticket_id")
    where = f"ticket {ref}"
    email = required_str(item, "email", max_len=254, label=f"email of {where}")
    email_address(email, f"email of {where}")
    return AttendeeInput(
        ticket_id=ref,
        first_name=required_str(item, "first_name", max_len=200, label=f"first_name of {where}"),
        last_name=required_str(item, "last_name", max_len=200, label=f"last_name of {where}"),
        email=email,
        phone=required_str(item, "tel", max_len=50, label=f"tel of {where}"),
        answers=ticket_answers.parse_answers(item, ref),
    )


def personalise_tickets(
    account_id: int, event_id: int, *, wp_user_id: int | str | None, body: Any
) -> PersonaliseOutcome:
    """Assign attendees to the user's tickets of the event, all or nothing.

    Checks run in the order of the document's error table: the event, the user, the body,
    then each ticket's owner (account, then external user).
    """
    event = Event.get_or_none(
        (Event.id == event_id) & (Event.account == account_id) & Event.deleted_at.is_null()
    )
    if event is None:
        raise NotFound(
            Said("Event not found ({event_id})", event_id=event_id), code="event_not_found"
        )
    if wp_user_id is None or (isinstance(wp_user_id, str) and not wp_user_id.strip()):
        raise InvalidInput("Wordpress user not specified", code="wp_user_missing")
    user = to_int(wp_user_id, "wp_user_id", minimum=0)
    attendees = parse_attendees(body)
    with write_transaction():
        _lock_orders_of(attendees)
        tickets = _owned_tickets(account_id, event, user, attendees)
        return _apply(account_id, event, tickets, attendees)


def _lock_orders_of(attendees: list[AttendeeInput]) -> None:
    """On PostgreSQL, lock the orders of the tickets named, in id order.

    Two requests personalising tickets of the same order then run one after the other, so
    the second sees the first's tickets as done (and queues the delivery), and a ticket is
    never personalised twice. SQLite's write transaction already serialises them.
    """
    if not is_postgres():
        return
    refs = sorted({a.ticket_id for a in attendees})
    order_ids = Ticket.select(Ticket.order).where(Ticket.reference.in_(refs))
    list(lock_rows(Order.select(Order.id).where(Order.id.in_(order_ids)).order_by(Order.id)))


def _owned_tickets(
    account_id: int, event: Event, wp_user_id: int, attendees: list[AttendeeInput]
) -> dict[str, Ticket]:
    refs = sorted({a.ticket_id for a in attendees})
    tickets = {
        t.reference: t
        for t in Ticket.select(Ticket, Order).join(Order).where(Ticket.reference.in_(refs))
    }
    scope = set(event_scope(event))
    for ref in refs:
        ticket = tickets.get(ref)
        if ticket is None:
            raise InvalidInput(
                Said("Ticket not found ({reference})", reference=ref), code="ticket_not_found"
            )
        if ticket.order.account_id != account_id:
            raise InvalidInput("User unauthorized for ticket", code="ticket_wrong_account")
        if ticket.order.wp_user_id != wp_user_id:
            raise InvalidInput("Wordpress user unauthorized for ticket", code="ticket_wrong_user")
        if ticket.event_id not in scope:
            raise InvalidInput(
                Said(
                    "Ticket {reference} is not for event {event_id}",
                    reference=ref,
                    event_id=event.id,
                ),
                code="ticket_wrong_event",
            )
    return tickets


def _apply(
    account_id: int, event: Event, tickets: dict[str, Ticket], attendees: list[AttendeeInput]
) -> PersonaliseOutcome:
    now = utcnow()
    questions = questions_of([root_event_id(event)])
    changed_groups: set[tuple[int, int]] = set()
    personalised = skipped = 0
    done: list[Ticket] = []
    for attendee in attendees:
        ticket = tickets[attendee.ticket_id]
        if ticket.status != TicketStatus.CREATED or ticket.is_deprecated:
            skipped += 1
            continue
        ticket.first_name, ticket.last_name = attendee.first_name, attendee.last_name
        ticket.email, ticket.phone = attendee.email, attendee.phone
        ticket.updated_at = now
        if _complete(ticket, questions, attendee):
            ticket.status = TicketStatus.ACTIVE
            ticket.personalised_at = now
            personalised += 1
            done.append(ticket)
            changed_groups.add((ticket.order_id, ticket.event_id))
        ticket.save()
    notify.tickets_personalized(account_id, done)
    groups = {(t.order_id, t.event_id) for t in tickets.values()}
    waiting = _tickets_waiting(groups)
    queued = 0
    for order_id, ticket_event_id in sorted(changed_groups):
        if (order_id, ticket_event_id) not in waiting:
            queued += _queue_delivery(account_id, order_id, ticket_event_id)
    for ticket in done:
        # The holder's own ticket, when their address is not the buyer's (holder_mail).
        holder_mail.queue_holder_ticket(account_id, ticket, ticket.order.billing_email)
    return PersonaliseOutcome(not waiting, personalised, skipped, queued)


def _complete(ticket: Ticket, questions: list[Question], attendee: AttendeeInput) -> bool:
    """Store the attendee's answers; whether every required question of the ticket's type
    now has one (a ticket without questions is complete with its name)."""
    if not questions:
        if attendee.answers:
            # No question is asked for this event: any answer names an unknown question.
            ticket_answers.save_answers(ticket, [], attendee.answers)
        return True
    asked = ticket_answers.asked_for(questions, ticket)
    if attendee.answers:
        ticket_answers.save_answers(ticket, asked, attendee.answers)
    return not ticket_answers.unanswered(ticket, asked)


def _tickets_waiting(groups: set[tuple[int, int]]) -> set[tuple[int, int]]:
    """The (order, event) groups that still have a ticket awaiting personalisation."""
    if not groups:
        return set()
    order_ids = sorted({order_id for order_id, _ in groups})
    rows = tuples(
        Ticket.select(Ticket.order, Ticket.event)
        .where(
            Ticket.order.in_(order_ids),
            Ticket.status == TicketStatus.CREATED,
            Ticket.is_deprecated == False,  # noqa: E712 - peewee expression, not a comparison
        )
        .distinct()
    )
    return {(order_id, event_id) for order_id, event_id in rows} & groups


def _queue_delivery(account_id: int, order_id: int, event_id: int) -> int:
    versions = tuples(
        Ticket.select(Ticket.id, Ticket.version)
        .where(Ticket.order == order_id, Ticket.event == event_id)
        .order_by(Ticket.id)
    )
    # The same set of ticket versions is delivered once; a re-issued ticket makes a new set.
    digest = hashlib.sha256(repr(list(versions)).encode()).hexdigest()[:16]
    return int(
        outbox.enqueue(
            outbox.DELIVER_TICKETS,
            {"order_id": order_id, "event_id": event_id},
            account_id=account_id,
            dedupe_key=f"deliver:{order_id}:{event_id}:{digest}",
        )
    )


def locked_ticket(account_id: int, reference: str) -> Ticket | None:
    """The account's ticket with this reference (its order joined), row-locked until the
    caller's write transaction ends; None if the account has no such ticket."""
    query = (
        Ticket.select(Ticket, Order)
        .join(Order)
        .where(Ticket.reference == reference, Order.account == account_id)
    )
    return lock_rows(query).first()


def reissue_ticket(account_id: int, reference: str, attendee: AttendeeInput) -> Ticket:
    """Re-personalise a ticket: new attendee, new version, so old codes and links stop working.

    Only a personalised ticket that has not been scanned can be re-issued. The new version's
    delivery is written to the outbox in the same transaction.
    """
    with write_transaction():
        ticket = locked_ticket(account_id, reference)
        if ticket is None:
            raise NotFound(
                Said("Ticket not found ({reference})", reference=reference),
                code="ticket_not_found",
            )
        if ticket.status != TicketStatus.ACTIVE or ticket.is_deprecated:
            raise Conflict(
                Said(
                    "Ticket {reference} cannot be re-issued in status {status}",
                    reference=reference,
                    status=ticket.status,
                ),
                code="ticket_not_reissuable",
            )
        ticket.first_name, ticket.last_name = attendee.first_name, attendee.last_name
        ticket.email, ticket.phone = attendee.email, attendee.phone
        ticket.version += 1
        ticket.personalised_at = ticket.updated_at = utcnow()
        ticket.save()
        _queue_delivery(account_id, ticket.order_id, ticket.event_id)
        holder_mail.queue_holder_ticket(account_id, ticket, ticket.order.billing_email)
        notify.ticket_reissued(account_id, ticket)
    return ticket
