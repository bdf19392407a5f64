"""GET /tp-api/users/get-ticket, /tp-api/orders/get-ticket and the signed files behind them."""

from __future__ import annotations

import io
import re
from urllib.parse import urlsplit

import pypdf
import pytest
import zxingcpp
from PIL import Image

from config.tickets import scan_public_key
from pdf.signing import derive_signing_key, key_id, verify_ticket_code
from tp_api.models import Ticket, TicketStatus
from tp_api.services.orders import personalise
from tp_api.services.orders.personalise import AttendeeInput


@pytest.fixture
def paid(factory):
    seller = factory.seller()
    event = factory.event(seller, name="Summer Festival")
    outcome = factory.order(seller, factory.ticket_type(event), quantity=2, wp_user_id=7)
    return seller, event, outcome


def get_ticket(client, key, **params):
    query = "&".join(f"{k}={v}" for k, v in {"key": key, **params}.items())
    return client.get(f"/tp-api/users/get-ticket?{query}")


def get_order(client, key, **params):
    query = "&".join(f"{k}={v}" for k, v in {"key": key, **params}.items())
    return client.get(f"/tp-api/orders/get-ticket?{query}")


def fetch(client, url):
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == "http://tickets.test"
    response = client.get(f"{parts.path}?{parts.query}")
    response.get_data()  # read the file, then let go of it
    response.close()
    return response


def decode_png(data: bytes) -> str:
    [result] = zxingcpp.read_barcodes(Image.open(io.BytesIO(data)))
    return str(result.text)


def test_ticket_qr_link_and_file(client, factory, paid, settings):
    seller, event, outcome = paid
    tickets = factory.personalise_all(seller, outcome)
    response = get_ticket(client, seller.key, wp_user_id=7, ticket_id=tickets[0].reference)
    assert response.status_code == 200 and response.mimetype == "application/json"
    url = response.get_json()
    assert re.fullmatch(
        rf"http://tickets.test/files/tickets/ticket_{tickets[0].reference}"
        r"\.png\?secret=[\w.-]+",
        url,
    )
    file = fetch(client, url)
    assert file.status_code == 200 and file.mimetype == "image/png"
    assert "private" in file.headers["Cache-Control"]
    code = decode_png(file.data)
    key = derive_signing_key(settings.secret_key).public_key()
    decoded = verify_ticket_code(code, {key_id(key): key})
    assert (decoded.reference, decoded.event_id, decoded.version) == (
        tickets[0].reference,
        event.id,
        1,
    )
    assert scan_public_key(settings)["key_id"] == key_id(key)


def test_order_pdf_link_and_file(client, factory, paid):
    seller, _, outcome = paid
    tickets = factory.personalise_all(seller, outcome)
    response = get_order(client, seller.key, wp_user_id=7, order_id=outcome.reference)
    assert response.status_code == 200
    url = response.get_json()
    # The link and the file name carry the order's public number, not its row id.
    assert url.startswith(
        f"http://tickets.test/files/tickets/order_{outcome.number}_tickets?secret="
    )
    file = fetch(client, url)
    assert file.status_code == 200 and file.mimetype == "application/pdf"
    assert (
        file.headers["Content-Disposition"] == f"inline; filename=TP-{outcome.number}-tickets.pdf"
    )
    reader = pypdf.PdfReader(io.BytesIO(file.data))
    assert len(reader.pages) == 2
    texts = [re.sub(r"\s+", " ", p.extract_text()) for p in reader.pages]
    for ticket, text in zip(tickets, texts, strict=True):
        assert f"{ticket.first_name} {ticket.last_name}" in text
        assert ticket.reference in text and outcome.reference in text
    # Served again from the store, byte for byte (rendered once per version).
    assert fetch(client, url).data == file.data


@pytest.mark.parametrize(
    ("params", "status", "body"),
    [
        ({"ticket_id": "x"}, 400, "Wordpress user not specified"),
        ({"wp_user_id": 7}, 400, "Ticket id not specified"),
        ({"wp_user_id": 7, "ticket_id": "nosuchticket"}, 401, "Ticket not found"),
    ],
)
def test_ticket_link_errors(client, paid, params, status, body):
    seller, _, _ = paid
    response = get_ticket(client, seller.key, **params)
    assert (response.status_code, response.get_data(as_text=True)) == (status, body)
    assert response.mimetype == "text/plain"


def test_ticket_link_for_another_user_account_or_an_inactive_ticket(client, factory, paid):
    seller, _, outcome = paid
    ticket = Ticket.get(Ticket.order == outcome.order_id)
    response = get_ticket(client, seller.key, wp_user_id=7, ticket_id=ticket.reference)
    assert (response.status_code, response.get_data(as_text=True)) == (401, "File not found")
    factory.personalise_all(seller, outcome)
    response = get_ticket(client, seller.key, wp_user_id=8, ticket_id=ticket.reference)
    assert (response.status_code, response.get_data(as_text=True)) == (
        401,
        "Not allowed to see this ticket",
    )
    intruder = factory.seller()
    response = get_ticket(client, intruder.key, wp_user_id=7, ticket_id=ticket.reference)
    assert (response.status_code, response.get_data(as_text=True)) == (401, "Ticket not found")
    Ticket.update(status=TicketStatus.CANCELLED).where(Ticket.id == ticket.id).execute()
    response = get_ticket(client, seller.key, wp_user_id=7, ticket_id=ticket.reference)
    assert (response.status_code, response.get_data(as_text=True)) == (401, "File not found")


@pytest.mark.parametrize(
    ("params", "status", "body"),
    [
        ({"order_id": "TP-00001"}, 400, "Wordpress user not specified"),
        ({"wp_user_id": 7}, 401, "Order not specified"),
        ({"wp_user_id": 7, "order_id": "TP-99999"}, 401, "Order not found"),
        ({"wp_user_id": 7, "order_id": "garbage"}, 401, "Order not found"),
    ],
)
def test_order_link_errors(client, paid, params, status, body):
    seller, _, _ = paid
    response = get_order(client, seller.key, **params)
    assert (response.status_code, response.get_data(as_text=True)) == (status, body)


def test_order_link_needs_every_ticket_personalised(client, factory, paid):
    seller, event, outcome = paid
    first = Ticket.select().where(Ticket.order == outcome.order_id).order_by(Ticket.id).first()
    personalise.personalise_tickets(
        seller.id,
        event.id,
        wp_user_id=7,
        body={
            "tickets": [
                {
                    "ticket_id": first.reference,
                    "first_name": "A",
                    "last_name": "B",
                    "email": "a@b.nl",
                    "tel": "1",
                }
            ]
        },
    )
    response = get_order(client, seller.key, wp_user_id=7, order_id=outcome.reference)
    assert (response.status_code, response.get_data(as_text=True)) == (401, "File not found")
    response = get_order(client, seller.key, wp_user_id=8, order_id=outcome.reference)
    assert (response.status_code, response.get_data(as_text=True)) == (
        401,
        "Not allowed to see this order",
    )
    intruder = factory.seller()
    response = get_order(client, intruder.key, wp_user_id=7, order_id=outcome.reference)
    assert (response.status_code, response.get_data(as_text=True)) == (401, "Order not found")


def test_expired_altered_reused_and_missing_secrets_get_403(client, factory, paid, time_machine):
    time_machine.move_to("2026-06-01T10:00:00Z", tick=False)
    seller, _, outcome = paid
    tickets = factory.personalise_all(seller, outcome)
    url = get_ticket(client, seller.key, wp_user_id=7, ticket_id=tickets[0].reference).get_json()
    other = get_ticket(client, seller.key, wp_user_id=7, ticket_id=tickets[1].reference).get_json()
    path, secret = urlsplit(url).path, urlsplit(url).query.split("=", 1)[1]
    other_path = urlsplit(other).path
    refused = [
        f"{path}?secret={secret[:-3]}abc",
        f"/files/tickets/ticket_doesnotexist.png?secret={secret}",
        f"{path}",
        f"{path}?secret=",
        f"{other_path}?secret={secret}",
        f"/files/tickets/order_{outcome.number}_tickets?secret={secret}",
    ]
    for attempt in refused:
        response = client.get(attempt)
        # One answer for every bad link: nothing tells which files exist.
        assert (response.status_code, response.get_data(as_text=True)) == (403, "Forbidden")
        assert response.mimetype == "text/plain"
    assert fetch(client, url).status_code == 200
    time_machine.shift(3601)
    expired = fetch(client, url)
    assert (expired.status_code, expired.get_data(as_text=True)) == (403, "Forbidden: link expired")


@pytest.mark.parametrize(
    "path",
    [
        "/files/tickets/../../setup.cfg",
        "/files/tickets/..%2F..%2Fsetup.cfg",
        "/files/tickets/ticket_..%2F..%2Fx.png",
        "/files/tickets/%2Fetc%2Fpasswd",
        "/files/tickets/ticket_abc.png%00.pdf",
        "/files/tickets/order_1_tickets/../x",
    ],
)
def test_no_client_path_reaches_outside_the_store(client, paid, path):
    response = client.get(path + "?secret=x")
    assert response.status_code in (403, 404)
    assert b"[metadata]" not in response.data and b"root:" not in response.data


def test_reissued_ticket_revokes_old_links_and_codes(client, factory, paid, settings):
    seller, _, outcome = paid
    tickets = factory.personalise_all(seller, outcome)
    ref = tickets[0].reference
    old_url = get_ticket(client, seller.key, wp_user_id=7, ticket_id=ref).get_json()
    old_code = decode_png(fetch(client, old_url).data)
    old_order_url = get_order(
        client, seller.key, wp_user_id=7, order_id=outcome.reference
    ).get_json()
    personalise.reissue_ticket(
        seller.id, ref, AttendeeInput(ref, "New", "Holder", "new@example.com", "+31")
    )
    for url in (old_url, old_order_url):
        revoked = fetch(client, url)
        assert (revoked.status_code, revoked.get_data(as_text=True)) == (
            403,
            "Forbidden: link revoked",
        )
    new_url = get_ticket(client, seller.key, wp_user_id=7, ticket_id=ref).get_json()
    new_code = decode_png(fetch(client, new_url).data)
    key = derive_signing_key(settings.secret_key).public_key()
    assert verify_ticket_code(new_code, {key_id(key): key}).version == 2
    assert verify_ticket_code(old_code, {key_id(key): key}).version == 1  # scanner rejects v1
    new_pdf = fetch(
        client, get_order(client, seller.key, wp_user_id=7, order_id=outcome.reference).get_json()
    )
    text = pypdf.PdfReader(io.BytesIO(new_pdf.data)).pages[0].extract_text()
    assert "New Holder" in re.sub(r"\s+", " ", text)
