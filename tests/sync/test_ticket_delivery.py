"""Personalised orders are e-mailed with their PDF: through a real SMTP server on loopback."""

from __future__ import annotations

import dataclasses
import io
import re
from datetime import timedelta
from email.message import Message
from pathlib import Path

import pypdf
import pytest

from config.workers import outbox_worker
from tests.smtp_inbox import free_port
from tp_api.models import Event, Order, OutboxEntry
from tp_api.services.delivery import outbox

# Holders with the buyer's address: the order's e-mail is the only job (the tests of the
# outbox's mechanics below look at that one job).
BUYER = "jane@example.com"


@pytest.fixture
def worker_for(settings):
    def build(port: int):
        configured = dataclasses.replace(
            settings, smtp_host="127.0.0.1", smtp_port=port, mail_from="tickets@festival.test"
        )
        return outbox_worker(configured)

    return build


def pdf_text(message: Message) -> str:
    [attachment] = [p for p in message.walk() if p.get_content_type() == "application/pdf"]
    reader = pypdf.PdfReader(io.BytesIO(attachment.get_payload(decode=True)))
    return " ".join(re.sub(r"\s+", " ", page.extract_text()) for page in reader.pages)


def body_text(message: Message) -> str:
    [part] = [p for p in message.walk() if p.get_content_type() == "text/plain"]
    return part.get_payload(decode=True).decode()


def test_personalised_order_is_mailed_once_in_its_language(factory, smtp, worker_for):
    controller, inbox = smtp
    seller = factory.seller("Festival BV")
    event = factory.event(seller, name="Zomerfestival")
    outcome = factory.order(
        seller,
        factory.ticket_type(event),
        quantity=2,
        locale="nl_NL",
        my_tickets_url="https://shop.test/mijn-tickets",
    )
    tickets = factory.personalise_all(seller, outcome)
    worker = worker_for(controller.port)
    assert worker.run_once() == 1
    [message] = inbox.messages
    assert message["To"] == "jane@example.com"
    assert message["Subject"] == "Je tickets voor Zomerfestival"
    assert "Festival BV" in message["From"] and "tickets@festival.test" in message["From"]
    assert "https://shop.test/mijn-tickets" in body_text(message)
    assert outcome.reference in body_text(message)
    text = pdf_text(message)
    for ticket in tickets:
        assert ticket.reference in text and f"{ticket.first_name} Doe" in text
    assert "Bestelling" in text
    assert OutboxEntry.get(OutboxEntry.kind == outbox.DELIVER_TICKETS).done_at is not None
    # Then each holder's own ticket (tests/sync/test_holder_mail.py); the order's e-mail
    # is not sent again.
    while worker.run_once():
        pass
    assert [m["To"] for m in inbox.messages] == [
        "jane@example.com",
        "a0@example.com",
        "a1@example.com",
    ]


def test_english_is_the_default(factory, smtp, worker_for):
    controller, inbox = smtp
    seller = factory.seller()
    outcome = factory.order(seller, factory.ticket_type(factory.event(seller, name="Fest")))
    factory.personalise_all(seller, outcome)
    worker_for(controller.port).run_once()
    assert inbox.messages[0]["Subject"] == "Your tickets for Fest"


def test_smtp_down_is_retried_with_backoff_and_never_lost(factory, smtp, worker_for, time_machine):
    time_machine.move_to("2026-06-01T10:00:00Z", tick=False)
    controller, inbox = smtp
    seller = factory.seller()
    outcome = factory.order(seller, factory.ticket_type(factory.event(seller)))
    factory.personalise_all(seller, outcome, email=BUYER)
    down = worker_for(free_port())  # nothing listens there
    assert down.run_once() == 1
    entry = OutboxEntry.get()
    assert entry.done_at is None and entry.attempts == 1
    assert "Connection refused" in entry.last_error or "Errno" in entry.last_error
    assert entry.not_before > entry.created_at
    # Not due yet: nothing is claimed.
    up = worker_for(controller.port)
    assert up.run_once() == 0
    time_machine.shift(timedelta(minutes=2))
    assert down.run_once() == 1
    assert OutboxEntry.get().attempts == 2
    time_machine.shift(timedelta(minutes=5))
    assert up.run_once() == 1
    assert len(inbox.messages) == 1
    assert OutboxEntry.get().done_at is not None


def test_an_order_without_an_address_fails_for_good(factory, smtp, worker_for):
    controller, inbox = smtp
    seller = factory.seller()
    outcome = factory.order(seller, factory.ticket_type(factory.event(seller)))
    Order.update(billing_email="").execute()
    factory.personalise_all(seller, outcome, email=BUYER)
    worker = worker_for(controller.port)
    worker.run_once()
    entry = OutboxEntry.get(OutboxEntry.kind == outbox.DELIVER_TICKETS)
    assert entry.failed_at is not None and "no billing e-mail" in entry.last_error
    assert inbox.messages == []
    # The holder has an address of their own, so they still get their ticket.
    worker.run_once()
    assert [m["To"] for m in inbox.messages] == [BUYER]


def test_a_claimed_job_is_not_claimed_twice_until_its_lease_ends(factory, time_machine):
    time_machine.move_to("2026-06-01T10:00:00Z", tick=False)
    seller = factory.seller()
    outcome = factory.order(seller, factory.ticket_type(factory.event(seller)))
    factory.personalise_all(seller, outcome, email=BUYER)
    assert len(outbox.claim([outbox.DELIVER_TICKETS])) == 1
    assert outbox.claim([outbox.DELIVER_TICKETS]) == []
    time_machine.shift(outbox.DEFAULT_LEASE + timedelta(seconds=1))
    assert len(outbox.claim([outbox.DELIVER_TICKETS])) == 1


def test_gives_up_after_max_attempts(factory, time_machine):
    time_machine.move_to("2026-06-01T10:00:00Z", tick=False)
    seller = factory.seller()
    outcome = factory.order(seller, factory.ticket_type(factory.event(seller)))
    factory.personalise_all(seller, outcome, email=BUYER)
    OutboxEntry.update(max_attempts=2).execute()
    for _ in range(2):
        [job] = outbox.claim([outbox.DELIVER_TICKETS])
        outbox.retry_later(job, "boom")
        time_machine.shift(timedelta(hours=7))
    entry = OutboxEntry.get()
    assert entry.failed_at is not None and "gave up after 2 attempts" in entry.last_error


def test_a_worker_that_lost_its_lease_does_not_record_an_outcome(factory, time_machine):
    time_machine.move_to("2026-06-01T10:00:00Z", tick=False)
    seller = factory.seller()
    outcome = factory.order(seller, factory.ticket_type(factory.event(seller)))
    factory.personalise_all(seller, outcome, email=BUYER)
    [slow] = outbox.claim([outbox.DELIVER_TICKETS])
    time_machine.shift(outbox.DEFAULT_LEASE + timedelta(seconds=1))
    [fast] = outbox.claim([outbox.DELIVER_TICKETS])
    assert outbox.complete(fast) is True
    assert outbox.complete(slow) is False
    assert OutboxEntry.get().attempts == 2


def test_the_mailed_pdf_is_the_stored_download(factory, smtp, worker_for, settings, client):
    controller, inbox = smtp
    seller = factory.seller()
    outcome = factory.order(seller, factory.ticket_type(factory.event(seller)), quantity=2)
    factory.personalise_all(seller, outcome, email=BUYER)
    worker_for(controller.port).run_once()
    stored = list((Path(settings.files_dir) / "orders").glob("*.pdf"))
    assert len(stored) == 1  # rendered once, for the e-mail, and kept
    [attachment] = [
        p for p in inbox.messages[0].walk() if p.get_content_type() == "application/pdf"
    ]
    assert attachment.get_payload(decode=True) == stored[0].read_bytes()
    # The partner API's download serves that same file: no second render.
    link = client.get(
        f"/tp-api/orders/get-ticket?key={seller.key}&wp_user_id=7&order_id={outcome.reference}"
    ).get_json()
    parts = link.split("http://tickets.test", 1)[1]
    download = client.get(parts)
    assert download.get_data() == stored[0].read_bytes()
    download.close()
    assert len(list((Path(settings.files_dir) / "orders").glob("*.pdf"))) == 1


def test_the_mail_links_to_the_customers_own_tickets_page(app, client, factory, smtp, worker_for):
    controller, inbox = smtp
    seller = factory.seller("Festival BV")
    event = factory.event(seller, name="Zomerfestival")
    outcome = factory.order(seller, factory.ticket_type(event), quantity=1, locale="nl_NL")
    factory.personalise_all(seller, outcome, email=BUYER)
    assert worker_for(controller.port).run_once() == 1
    body = body_text(inbox.messages[0])
    assert "Bekijk je tickets" in body
    [link] = re.findall(r"http://tickets\.test(/my-tickets/\S+)", body)
    page = client.get(link)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert outcome.reference in text and "Zomerfestival" in text
    assert 'lang="nl"' in text


def test_a_guest_order_gets_no_page_link(factory, smtp, worker_for):
    """WooCommerce guests all have the user id 0: a link for it would show every guest's
    tickets, so a guest's mail carries none."""
    controller, inbox = smtp
    seller = factory.seller()
    outcome = factory.order(seller, factory.ticket_type(factory.event(seller)), wp_user_id=0)
    factory.personalise_all(seller, outcome, wp_user_id=0)
    assert worker_for(controller.port).run_once() == 1
    body = body_text(inbox.messages[0])
    assert outcome.reference in body
    assert "/my-tickets/" not in body


def test_the_mail_carries_the_event_for_the_calendar(factory, smtp, worker_for):
    from icalendar import Calendar

    controller, inbox = smtp
    seller = factory.seller()
    event = factory.event(seller, name="Harbour Jazz", city="Rotterdam", location="Maassilo")
    outcome = factory.order(seller, factory.ticket_type(event))
    factory.personalise_all(seller, outcome, email=BUYER)
    worker_for(controller.port).run_once()
    [part] = [p for p in inbox.messages[0].walk() if p.get_content_type() == "text/calendar"]
    assert part.get_filename() == "harbour-jazz.ics"
    assert part.get_param("method") == "PUBLISH"
    calendar = Calendar.from_ical(part.get_payload(decode=True))
    [entry] = calendar.walk("VEVENT")
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert str(entry["SUMMARY"]) == "Harbour Jazz"
    assert str(entry["LOCATION"]) == "Maassilo, Rotterdam"
    stored = Event.get_by_id(event.id)
    assert entry.decoded("DTSTART").replace(tzinfo=None) == stored.start_date.replace(tzinfo=None)
    assert str(entry["UID"]).startswith(f"tp-event-{event.id}@")
    assert outcome.reference in str(entry["DESCRIPTION"])


def test_an_undated_event_sends_no_calendar(factory, smtp, worker_for):
    controller, inbox = smtp
    seller = factory.seller()
    event = factory.event(seller, name="Some day")
    Event.update(start_date=None, end_date=None).where(Event.id == event.id).execute()
    outcome = factory.order(seller, factory.ticket_type(event))
    factory.personalise_all(seller, outcome, email=BUYER)
    worker_for(controller.port).run_once()
    types = [p.get_content_type() for p in inbox.messages[0].walk()]
    assert "application/pdf" in types and "text/calendar" not in types
