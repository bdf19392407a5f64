"""bridge.partner_client against the real service on loopback, and (with `responses`) against
the failures a real network brings: timeouts, refused connections, 429 and 5xx."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
import requests

from bridge.partner_client import (
    BadRequest,
    Conflict,
    Forbidden,
    NotFound,
    PartnerClient,
    PartnerError,
    PartnerUnavailable,
    TicketStatus,
    Unauthorized,
)
from tests.bridge.partner_support import attendee
from tests.factories import order_body
from tp_api.models import Order

ROOT = Path(__file__).resolve().parents[2]
DAY1 = {
    "name": "Day 1",
    "status": 1,
    "stock": 250,
    "price": "15.00",
    "featured": True,
    "manage_price_per_ticket": True,
    "manage_stock_per_ticket": True,
    "start_date": 1753920000,
    "end_date": 1753963200,
    "event_params": {"door": "A"},
    "location": "Vondelpark",
    "tickets": [{"name": "Saturday", "stock": 250, "price": 15.0, "status": 1, "date": None}],
}


# --- against the real service -----------------------------------------------------------------


def test_events_are_parsed_field_by_field(service, factory):
    seller = factory.seller()
    factory.event(seller, name="Summer Festival 2025", stock=500, children=[DAY1])
    client = PartnerClient(service, seller.key)
    raw = requests.get(f"{service}/events", params={"key": seller.key}, timeout=10).json()

    [event] = client.list_events()
    assert (event.id, event.name, event.city) == (raw[0]["id"], "Summer Festival 2025", "Amsterdam")
    assert event.price == Decimal("29.95") and event.stock == 500 and event.status == 1
    assert event.start_date == datetime.fromtimestamp(1785780000, UTC)
    [ticket_type] = event.tickets
    # A JSON number 29.95 arrives as Decimal("29.95"), not as a float's long tail.
    assert ticket_type.price == Decimal("29.95") and ticket_type.enabled is True
    [child] = event.children
    assert (child.name, child.price, child.featured) == ("Day 1", Decimal("15.00"), True)
    assert dict(child.event_params) == {"door": "A"} and child.location == "Vondelpark"
    assert child.deleted_at is None and child.password is None
    assert child.tickets[0].date is None


def test_a_customer_journey_through_the_client(service, two_tickets):
    seller, event, outcome, refs = two_tickets
    client = PartnerClient(service, seller.key)

    [mine] = client.user_events(7)
    assert (mine.id, mine.name) == (event.id, "Summer Festival")
    assert mine.start_date == datetime.fromtimestamp(1785780000, UTC)

    tickets = client.event_tickets(event.id, 7)
    assert [t.id for t in tickets] == refs
    assert all(t.awaiting_details and not t.downloadable for t in tickets)
    assert tickets[0].order_id == outcome.reference and tickets[0].first_name is None

    result = client.personalize(event.id, 7, [attendee(refs[0]), attendee(refs[1], tel="+3161")])
    assert result.all_personalized is True
    assert result.tickets == (attendee(refs[0]), attendee(refs[1], tel="+3161"))

    done = client.event_tickets(event.id, 7)
    assert [t.status for t in done] == [TicketStatus.ACTIVE, TicketStatus.ACTIVE]
    assert (done[1].first_name, done[1].phone) == ("Jane", "+3161")
    assert all(t.downloadable and not t.awaiting_details for t in done)

    qr = client.ticket_download_url(7, refs[0])
    assert qr.startswith(f"http://tickets.test/files/tickets/ticket_{refs[0]}.png?secret=")
    pdf = client.order_download_url(7, outcome.reference)
    assert pdf.startswith(f"http://tickets.test/files/tickets/order_{outcome.number}_tickets?")


def test_errors_carry_the_documented_status_and_exact_text(service, two_tickets):
    seller, event, outcome, refs = two_tickets
    client = PartnerClient(service, seller.key)

    cases = [
        (lambda: PartnerClient(service, "tp_wrong").list_events(), Forbidden, 403, "Unauthorized"),
        (lambda: client.user_events(8), NotFound, 404, "External user has no orders"),
        (lambda: client.event_tickets(999999, 7), NotFound, 404, "Event not found"),
        (
            lambda: client.personalize(event.id, 7, [attendee(refs[0], email="jane.example")]),
            BadRequest,
            400,
            f"email of ticket {refs[0]} is not an e-mail address",
        ),
        (
            lambda: client.personalize(event.id, 8, [attendee(refs[0])]),
            BadRequest,
            400,
            "Wordpress user unauthorized for ticket",
        ),
        (lambda: client.personalize(event.id, 7, []), BadRequest, 400, "Tickets not specified"),
        (lambda: client.ticket_download_url(7, refs[0]), Unauthorized, 401, "File not found"),
        (
            lambda: client.ticket_download_url(8, refs[0]),
            Unauthorized,
            401,
            "Not allowed to see this ticket",
        ),
        (
            lambda: client.order_download_url(7, outcome.reference),
            Unauthorized,
            401,
            "File not found",
        ),
        (
            lambda: client.create_order({"tp_order_id": 999999}),
            NotFound,
            404,
            "Ticket Pulse order does not exist",
        ),
    ]
    for call, kind, status, text in cases:
        with pytest.raises(PartnerError) as caught:
            call()
        error = caught.value
        assert (type(error), error.status, error.message, str(error)) == (kind, status, text, text)
    # All or nothing: the refused personalisation saved no ticket.
    assert all(t.awaiting_details for t in client.event_tickets(event.id, 7))


def test_create_order_sends_decimals_and_dates_and_reads_the_order_id(service, factory):
    seller = factory.seller()
    ticket_type = factory.ticket_type(factory.event(seller, ticket_stock=3))
    client = PartnerClient(service, seller.key)
    body = order_body(ticket_type.id, quantity=2, wp_order_id="wc_1", order_total=Decimal("59.90"))
    body["date_paid"] = datetime(2026, 6, 1, 10, 1, tzinfo=UTC)

    created = client.create_order(body)
    assert created.message == "Order created"
    # The header carries the order's public number: twelve digits, and the reference's own.
    assert created.order_id == Order.get().number and len(str(created.order_id)) == 12
    assert created.reference == f"TP-{created.order_id}"
    assert len(client.event_tickets(ticket_type.event_id, 7)) == 2

    with pytest.raises(Conflict) as sold_out:
        client.create_order(order_body(ticket_type.id, quantity=2, wp_order_id="wc_2"))
    assert sold_out.value.message == (
        f"Not enough tickets left for General Admission (ticket type {ticket_type.id}): "
        "2 requested, 1 available"
    )


def test_a_server_that_never_answers_times_out_and_gets_are_retried():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    accepted: list[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                accepted.append(listener.accept()[0])
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    port = listener.getsockname()[1]
    sleeps: list[float] = []
    client = PartnerClient(
        f"http://127.0.0.1:{port}/tp-api", "tp_secret", timeout=0.2, retries=1, sleep=sleeps.append
    )
    try:
        with pytest.raises(PartnerUnavailable) as caught:
            client.list_events()
        assert caught.value.message == "GET /events: timed out" and caught.value.status is None
        assert len(accepted) == 2 and len(sleeps) == 1
        with pytest.raises(PartnerUnavailable):
            client.personalize(1, 7, [attendee("abcd")])
        assert len(accepted) == 3  # a POST is sent once
    finally:
        listener.close()
        for conn in accepted:
            conn.close()


def test_the_client_stands_alone_without_flask_or_tp_api():
    code = (
        "import sys, bridge.partner_client;"
        "top = {m.split('.')[0] for m in sys.modules};"
        "print(','.join(sorted(top & {'flask', 'tp_api', 'werkzeug', 'config'})))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""
