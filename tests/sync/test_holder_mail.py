"""A ticket for every holder: personalised (partner API), re-issued and transferred tickets
reach their holders by e-mail, through the real outbox worker and a real SMTP server."""

from __future__ import annotations

import dataclasses

import pytest

from config.workers import outbox_worker
from tests.sync.test_ticket_delivery import body_text, pdf_text
from tp_api.models import OutboxEntry, Ticket
from tp_api.services.delivery import holder_mail
from tp_api.services.orders import personalise, ticket_actions
from tp_api.services.orders.personalise import AttendeeInput


@pytest.fixture
def worker(settings, smtp):
    controller, _ = smtp
    configured = dataclasses.replace(
        settings, smtp_host="127.0.0.1", smtp_port=controller.port, mail_from="t@festival.test"
    )
    return outbox_worker(configured)


def drain(worker) -> int:
    ran = 0
    while worker.run_once():
        ran += 1
    return ran


def by_recipient(inbox) -> dict[str, list]:
    found: dict[str, list] = {}
    for message in inbox.messages:
        found.setdefault(message["To"], []).append(message)
    return found


def attendee(ticket: Ticket, first: str, email: str) -> dict[str, str]:
    return {
        "ticket_id": ticket.reference,
        "first_name": first,
        "last_name": "Holder",
        "email": email,
        "tel": "+31600000000",
    }


def order_of(factory, quantity: int, **fields):
    seller = factory.seller("Festival BV")
    event = factory.event(seller, name="Zomerfestival")
    outcome = factory.order(seller, factory.ticket_type(event), quantity=quantity, **fields)
    tickets = list(Ticket.select().where(Ticket.order == outcome.order_id).order_by(Ticket.id))
    return seller, event, outcome, tickets


def test_each_holder_gets_only_their_ticket_and_the_buyer_the_order(factory, smtp, worker):
    _, inbox = smtp
    seller, event, outcome, tickets = order_of(factory, 3, locale="nl_NL")
    body = {
        "tickets": [
            attendee(tickets[0], "Anna", "anna@example.com"),
            attendee(tickets[1], "Bram", "bram@example.com"),
            # The buyer names themselves (another case): no second mail for this ticket.
            attendee(tickets[2], "Jane", "Jane@Example.com"),
        ]
    }
    personalise.personalise_tickets(seller.id, event.id, wp_user_id=7, body=body)
    assert drain(worker) == 3
    mails = by_recipient(inbox)
    assert sorted(mails) == ["anna@example.com", "bram@example.com", "jane@example.com"]
    assert all(len(sent) == 1 for sent in mails.values())
    [anna] = mails["anna@example.com"]
    assert anna["Subject"] == "Je ticket voor Zomerfestival"
    assert "Beste Anna," in body_text(anna) and outcome.reference in body_text(anna)
    text = pdf_text(anna)
    assert tickets[0].reference in text and "Anna Holder" in text
    assert tickets[1].reference not in text and tickets[2].reference not in text
    assert [p.get_content_type() for p in anna.walk() if p.get_filename()] == [
        "application/pdf",
        "text/calendar",
    ]
    [order_mail] = mails["jane@example.com"]
    assert all(t.reference in pdf_text(order_mail) for t in tickets)
    # Nothing more to send, however often the worker looks.
    assert drain(worker) == 0 and len(inbox.messages) == 3


def test_the_same_personalisation_twice_queues_nothing_new(factory):
    seller, event, _, tickets = order_of(factory, 1)
    body = {"tickets": [attendee(tickets[0], "Anna", "anna@example.com")]}
    personalise.personalise_tickets(seller.id, event.id, wp_user_id=7, body=body)
    personalise.personalise_tickets(seller.id, event.id, wp_user_id=7, body=body)
    kinds = [e.kind for e in OutboxEntry.select().order_by(OutboxEntry.id)]
    assert kinds == ["deliver_tickets", holder_mail.MAIL_HOLDER_TICKET]
    # And queueing it again in code is refused by its dedupe key.
    assert holder_mail.queue_holder_ticket(seller.id, Ticket.get(), "jane@example.com") is False


def test_a_reissue_to_a_new_address_mails_the_new_holder_once(factory, smtp, worker):
    _, inbox = smtp
    seller, event, _, tickets = order_of(factory, 1)
    body = {"tickets": [attendee(tickets[0], "Anna", "anna@example.com")]}
    personalise.personalise_tickets(seller.id, event.id, wp_user_id=7, body=body)
    drain(worker)
    new = AttendeeInput(tickets[0].reference, "Carl", "Holder", "carl@example.com", "")
    personalise.reissue_ticket(seller.id, tickets[0].reference, new)
    drain(worker)
    mails = by_recipient(inbox)
    assert len(mails["carl@example.com"]) == 1 and len(mails["anna@example.com"]) == 1
    assert "Carl Holder" in pdf_text(mails["carl@example.com"][0])


def test_a_superseded_holder_mail_is_not_sent(factory, smtp, worker):
    _, inbox = smtp
    seller, event, _, tickets = order_of(factory, 1)
    body = {"tickets": [attendee(tickets[0], "Anna", "anna@example.com")]}
    personalise.personalise_tickets(seller.id, event.id, wp_user_id=7, body=body)
    # Re-issued before the worker ran: Anna's old code must not be mailed to her.
    new = AttendeeInput(tickets[0].reference, "Carl", "Holder", "carl@example.com", "")
    personalise.reissue_ticket(seller.id, tickets[0].reference, new)
    drain(worker)
    assert "anna@example.com" not in by_recipient(inbox)
    assert len(by_recipient(inbox)["carl@example.com"]) == 1
    assert OutboxEntry.select().where(OutboxEntry.done_at.is_null()).count() == 0


def test_a_transfer_mails_the_new_holder_their_ticket_and_tells_the_old_one(factory, smtp, worker):
    _, inbox = smtp
    seller, _, outcome, tickets = order_of(factory, 2)
    factory.personalise_all(seller, outcome)  # a0@ and a1@example.com
    drain(worker)
    before = len(inbox.messages)
    new = AttendeeInput(tickets[0].reference, "Sam", "Smith", "sam@example.com", "")
    ticket_actions.transfer_ticket(seller.id, tickets[0].reference, new)
    assert drain(worker) == 2
    mails = by_recipient(inbox)
    assert len(inbox.messages) == before + 2
    [sam] = mails["sam@example.com"]
    assert sam["Subject"] == "Your ticket for Zomerfestival"
    text = pdf_text(sam)
    assert tickets[0].reference in text and "Sam Smith" in text
    assert tickets[1].reference not in text
    [notice] = [m for m in mails["a0@example.com"] if "transferred" in m["Subject"]]
    assert notice["Subject"] == "Your ticket for Zomerfestival was transferred"
    words = body_text(notice)
    assert tickets[0].reference in words and "no longer work" in words
    assert "Festival BV" in words and outcome.reference in words
    assert [p for p in notice.walk() if p.get_filename()] == []
    # The buyer's order e-mail is not sent again.
    assert len(mails["jane@example.com"]) == 1


def test_the_transfer_notice_speaks_the_orders_language(factory, smtp, worker):
    _, inbox = smtp
    seller, _, outcome, tickets = order_of(factory, 1, locale="nl_NL")
    factory.personalise_all(seller, outcome)
    new = AttendeeInput(tickets[0].reference, "Sam", "Smith", "sam@example.com", "")
    ticket_actions.transfer_ticket(seller.id, tickets[0].reference, new)
    drain(worker)
    [notice] = [m for m in inbox.messages if "overgedragen" in m["Subject"]]
    assert notice["To"] == "a0@example.com"
    assert "werken niet meer" in body_text(notice)
    [sam] = by_recipient(inbox)["sam@example.com"]
    assert sam["Subject"] == "Je ticket voor Zomerfestival"
