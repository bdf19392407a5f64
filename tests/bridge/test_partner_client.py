"""bridge.partner_client against the real service on loopback, and (with `responses`) against
the failures a real network brings: timeouts, refused connections, 429 and 5xx."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import requests
import responses

from bridge.partner_client import (
    Attendee,
    BadRequest,
    Conflict,
    Forbidden,
    NotFound,
    PartnerClient,
    PartnerError,
    PartnerUnavailable,
    RateLimited,
    ServerError,
    TicketStatus,
    Unauthorized,
    UnexpectedResponse,
)
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


def attendee(ref: str, **changes: str) -> Attendee:
    fields = {
        "first_name": "Jane",
        "last_name": "Doe",
        "email": "jane@example.com",
        "tel": "+31612345678",
        **changes,
    }
    return Attendee(ticket_id=ref, **fields)


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

    def refused(call) -> PartnerError:
        with pytest.raises(PartnerError) as caught:
            call()
        return caught.value

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
        error = refused(call)
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


# --- failures, with `responses` ---------------------------------------------------------------

API = "https://tp.example/tp-api"
KEY = "tp_live_secret_key_value"


def mocked(**kw) -> tuple[PartnerClient, list[float]]:
    sleeps: list[float] = []
    return PartnerClient(API, KEY, sleep=sleeps.append, **kw), sleeps


@responses.activate
def test_gets_are_retried_after_5xx_with_growing_backoff():
    responses.get(f"{API}/events", status=503, body="Service Unavailable")
    responses.get(f"{API}/events", status=502, body="Bad Gateway")
    responses.get(f"{API}/events", json=[])
    client, sleeps = mocked()
    assert client.list_events() == ()
    assert len(responses.calls) == 3
    # Backoff 0.5 s then 1 s, each jittered down by at most half.
    assert 0.25 <= sleeps[0] <= 0.5 and 0.5 <= sleeps[1] <= 1.0
    call = responses.calls[0].request
    assert call.req_kwargs["timeout"] == (3.05, 10)
    assert f"key={KEY}" in call.url


@responses.activate
def test_after_the_last_retry_the_server_error_is_raised_with_its_text():
    responses.get(f"{API}/users/7/events", status=500, body="Internal server error")
    client, sleeps = mocked(retries=2)
    with pytest.raises(ServerError) as caught:
        client.user_events(7)
    assert (caught.value.status, caught.value.message) == (500, "Internal server error")
    assert len(responses.calls) == 3 and len(sleeps) == 2


@responses.activate
def test_connection_errors_and_timeouts_are_retried_then_raised_without_the_key():
    responses.get(f"{API}/events", body=requests.ConnectionError(f"refused: {API}?key={KEY}"))
    responses.get(f"{API}/events", body=requests.ReadTimeout(f"{API}/events?key={KEY}"))
    responses.get(f"{API}/events", body=requests.ConnectTimeout(f"{API}/events?key={KEY}"))
    client, sleeps = mocked()
    with pytest.raises(PartnerUnavailable) as caught:
        client.list_events()
    assert caught.value.message == "GET /events: timed out"
    assert len(responses.calls) == 3 and len(sleeps) == 2
    # Neither the text nor the chain (what a logged traceback shows) holds the key.
    assert caught.value.__cause__ is None and caught.value.__context__ is None
    assert KEY not in repr(caught.value) and KEY not in repr(client)


@responses.activate
def test_retry_after_is_honoured_up_to_the_cap():
    responses.get(
        f"{API}/events",
        status=429,
        body="Rate limit exceeded (6000 per 1 minute); retry after Retry-After seconds",
        headers={"Retry-After": "3"},
    )
    responses.get(f"{API}/events", json=[])
    client, sleeps = mocked()
    assert client.list_events() == ()
    assert sleeps == [3.0]


@responses.activate
def test_a_retry_after_beyond_the_cap_is_raised_at_once():
    responses.get(
        f"{API}/events",
        status=429,
        body="Too many failed authentication attempts",
        headers={"Retry-After": "900"},
    )
    client, sleeps = mocked(max_retry_after=10)
    with pytest.raises(RateLimited) as caught:
        client.list_events()
    assert caught.value.retry_after == 900.0
    assert caught.value.message == "Too many failed authentication attempts"
    assert len(responses.calls) == 1 and sleeps == []


@responses.activate
def test_retry_after_as_an_http_date(time_machine):
    time_machine.move_to("2026-06-01T10:00:00Z", tick=False)
    when = datetime(2026, 6, 1, 10, 0, 5, tzinfo=UTC)
    headers = {"Retry-After": when.strftime("%a, %d %b %Y %H:%M:%S GMT")}
    responses.get(f"{API}/events", status=503, body="busy", headers=headers)
    responses.get(f"{API}/events", status=503, body="busy", headers=headers)
    client, sleeps = mocked(retries=1)
    with pytest.raises(ServerError):
        client.list_events()
    assert sleeps == [5.0]
    responses.reset()
    time_machine.move_to(when + timedelta(seconds=60), tick=False)
    responses.get(f"{API}/events", status=503, body="busy", headers=headers)
    responses.get(f"{API}/events", json=[])
    assert client.list_events() == ()
    assert sleeps == [5.0, 0.0]  # a date in the past means: now


@responses.activate
def test_posts_are_never_retried():
    responses.post(f"{API}/events/4/tickets/personalize", status=503, body="busy")
    responses.post(f"{API}/orders/create", body=requests.ConnectionError("down"))
    responses.post(
        f"{API}/orders/create", status=429, body="slow down", headers={"Retry-After": "1"}
    )
    client, sleeps = mocked(retries=5)
    with pytest.raises(ServerError):
        client.personalize(4, 7, [attendee("abcd")])
    with pytest.raises(PartnerUnavailable):
        client.create_order({"wp_order_id": "wc_1"})
    with pytest.raises(RateLimited):
        client.create_order({"wp_order_id": "wc_1"})
    assert len(responses.calls) == 3 and sleeps == []
    sent = json.loads(responses.calls[0].request.body)
    assert sent == {
        "tickets": [
            {
                "ticket_id": "abcd",
                "first_name": "Jane",
                "last_name": "Doe",
                "email": "jane@example.com",
                "tel": "+31612345678",
            }
        ]
    }
    assert "wp_user_id=7" in responses.calls[0].request.url


@responses.activate
def test_client_errors_are_not_retried():
    responses.get(f"{API}/events/3/tickets", status=400, body="Wordpress user not specified")
    client, sleeps = mocked()
    with pytest.raises(BadRequest):
        client.event_tickets(3, 7)
    assert len(responses.calls) == 1 and sleeps == []


@responses.activate
def test_other_statuses_redirects_and_bad_json_are_unexpected():
    responses.get(f"{API}/events", status=405, body="Method Not Allowed")
    responses.get(
        f"{API}/users/7/events",
        status=301,
        headers={"Location": f"https://elsewhere.example/tp-api/users/7/events?key={KEY}"},
    )
    responses.get(f"{API}/events/3/tickets", body="<html>proxy error page</html>")
    responses.get(f"{API}/users/get-ticket", json={"url": "not a string"})
    responses.get(f"{API}/orders/get-ticket", json=[{"id": "x"}])
    client, _ = mocked()
    with pytest.raises(PartnerError) as other:
        client.list_events()
    assert type(other.value) is PartnerError and other.value.status == 405
    with pytest.raises(UnexpectedResponse) as moved:
        client.user_events(7)
    # Not followed (the key would go along), and the key is not in the message.
    assert len(responses.calls) == 2
    assert moved.value.message == (
        "GET /users/7/events: redirected to https://elsewhere.example/tp-api/users/7/events"
    )
    with pytest.raises(UnexpectedResponse, match="not JSON"):
        client.event_tickets(3, 7)
    with pytest.raises(UnexpectedResponse, match="expected a URL"):
        client.ticket_download_url(7, "abcd")
    with pytest.raises(UnexpectedResponse, match="expected a URL"):
        client.order_download_url(7, "TP-00001")


@responses.activate
def test_answers_not_shaped_as_documented_are_unexpected():
    ticket = {
        "id": "abcd",
        "event_name": "E",
        "event_start_date": "2025-07-31T18:00:00+00:00",
        "start_date": None,
        "order_id": "TP-00001",
        "name": "GA",
        "first_name": None,
        "last_name": None,
        "email": None,
        "phone": None,
        "status": 1,
        "is_deprecated": False,
    }
    responses.get(f"{API}/events/3/tickets", json=[ticket])
    responses.get(f"{API}/events/3/tickets", json=[{**ticket, "status": "1"}])
    responses.get(f"{API}/events/3/tickets", json=[{**ticket, "start_date": "31 July"}])
    responses.get(f"{API}/events/3/tickets", json={"tickets": []})
    client, _ = mocked()
    [parsed] = client.event_tickets(3, 7)
    assert parsed.event_start_date == datetime(2025, 7, 31, 18, tzinfo=UTC)
    assert parsed.start_date is None and parsed.awaiting_details
    for fragment in ("status is not an integer", "start_date is not an ISO 8601", "JSON array"):
        with pytest.raises(UnexpectedResponse, match=fragment):
            client.event_tickets(3, 7)


def test_arguments_that_would_change_the_path_are_refused():
    client = PartnerClient(API, KEY)
    for bad in ("7/../../orders", -1, True, 7.0):
        with pytest.raises(ValueError):
            client.user_events(bad)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        PartnerClient("ftp://tp.example/tp-api", KEY)
