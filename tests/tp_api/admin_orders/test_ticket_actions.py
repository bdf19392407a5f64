"""POST /api/v1/orders/<id>/resend and POST /api/v1/tickets/<id>/transfer."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import pytest

from config.tickets import ticket_tools
from tests.admin_api import api_error
from tests.tp_api.admin_orders.helpers import auth, tickets_of, two_event_order
from tp_api.models import OutboxEntry, Ticket, TicketStatus
from tp_api.services.delivery.ticket_files import ticket_code
from tp_api.services.door import scanners

NEW_HOLDER = {
    "firstName": "Sam",
    "lastName": "Smith",
    "email": "sam@example.com",
    "phone": "+31611111111",
}


def outbox(prefix: str) -> list[OutboxEntry]:
    return list(
        OutboxEntry.select()
        .where(OutboxEntry.dedupe_key.startswith(prefix))
        .order_by(OutboxEntry.id)
    )


def resend(client, shop, number):
    """POST a resend of the shop's order with this public number."""
    return client.post(f"/api/v1/orders/{number}/resend", json={}, headers=auth(shop.key))


def transfer(client, shop, reference, body=None):
    return client.post(
        f"/api/v1/tickets/{reference}/transfer", json=body or NEW_HOLDER, headers=auth(shop.key)
    )


def test_resend_queues_the_tickets_email(client, factory, shop):
    order = shop.personalised_order(factory, quantity=2)
    response = resend(client, shop, order.number)
    assert response.status_code == 202
    assert response.get_json() == {"emailsQueued": 1}
    (entry,) = outbox(f"resend:{order.id}:")
    assert entry.kind == "deliver_tickets"
    assert json.loads(entry.payload) == {"order_id": order.id, "event_id": shop.event.id}
    assert entry.account_id == shop.seller.id
    assert entry.done_at is None and entry.failed_at is None
    # Each resend is new work.
    assert resend(client, shop, order.number).status_code == 202
    assert len(outbox(f"resend:{order.id}:")) == 2


def test_resend_queues_one_email_per_event(client, factory, shop):
    outcome = two_event_order(factory, shop)
    factory.personalise_all(shop.seller, outcome)
    response = resend(client, shop, outcome.number)
    assert response.get_json() == {"emailsQueued": 2}
    events = {json.loads(e.payload)["event_id"] for e in outbox(f"resend:{outcome.order_id}:")}
    assert events == {t.event_id for t in tickets_of(outcome.order_id)} and len(events) == 2


def test_resend_without_a_personalised_ticket_is_409(client, factory, shop):
    order = shop.order(factory, quantity=2)
    api_error(resend(client, shop, order.number), 409, "nothing_to_send")
    assert outbox(f"resend:{order.order_id}:") == []
    pending = shop.order(factory, paid=False)
    api_error(resend(client, shop, pending.number), 409, "nothing_to_send")


def test_resend_of_a_refunded_order_is_409(client, factory, shop):
    order = shop.personalised_order(factory)
    client.post(f"/api/v1/orders/{order.number}/refund", json={}, headers=auth(shop.key))
    api_error(resend(client, shop, order.number), 409, "nothing_to_send")
    assert outbox(f"resend:{order.id}:") == []


def test_resend_sends_only_the_events_with_valid_tickets(client, factory, shop):
    outcome = two_event_order(factory, shop)
    tickets = factory.personalise_all(shop.seller, outcome)
    Ticket.update(status=TicketStatus.CANCELLED).where(Ticket.id == tickets[0].id).execute()
    assert resend(client, shop, outcome.number).get_json() == {"emailsQueued": 1}
    (entry,) = outbox(f"resend:{outcome.order_id}:")
    assert json.loads(entry.payload)["event_id"] == tickets[1].event_id


def test_resend_refuses_a_body_with_fields(client, factory, shop):
    order = shop.personalised_order(factory)
    response = client.post(
        f"/api/v1/orders/{order.number}/resend",
        json={"to": "x@example.com"},
        headers=auth(shop.key),
    )
    api_error(response, 400, "validation_error")
    assert outbox(f"resend:{order.id}:") == []


def test_resend_of_an_unknown_order_is_404(client, shop):
    api_error(resend(client, shop, 424242), 404, "order_not_found")


def test_transfer_reissues_the_ticket_to_the_new_holder(client, factory, shop):
    order = shop.personalised_order(factory, quantity=2)
    ticket, untouched = tickets_of(order.id)
    response = transfer(client, shop, ticket.reference)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json() == {
        "id": ticket.reference,
        "orderId": order.number,
        "eventId": shop.event.id,
        "ticketTypeId": shop.ticket_type.id,
        "status": "active",
        "firstName": "Sam",
        "lastName": "Smith",
        "email": "sam@example.com",
        "version": 2,
        "answers": [],
    }
    stored = Ticket.get_by_id(ticket.id)
    assert (stored.phone, stored.version, stored.status) == ("+31611111111", 2, TicketStatus.ACTIVE)
    # The new holder gets their ticket, the old one a notice; the buyer's order e-mail is
    # not sent again (tests/sync/test_holder_mail.py sends them).
    (entry,) = outbox(f"holder:{ticket.reference}:2:")
    assert entry.kind == "mail_holder_ticket" and entry.account_id == shop.seller.id
    assert json.loads(entry.payload) == {
        "ticket_id": ticket.id,
        "version": 2,
        "to": "sam@example.com",
    }
    (notice,) = outbox(f"transferred:{ticket.reference}:1:")
    assert notice.kind == "mail_transfer_notice"
    assert json.loads(notice.payload)["to"] == ticket.email
    assert outbox(f"transfer:{ticket.reference}:") == []
    assert Ticket.get_by_id(untouched.id).version == 1
    # Transferred again to the same holder: version 3, their ticket again, no notice.
    assert transfer(client, shop, ticket.reference).get_json()["version"] == 3
    assert len(outbox(f"holder:{ticket.reference}:3:")) == 1
    assert outbox(f"transferred:{ticket.reference}:2:") == []


def test_a_transfer_to_the_buyer_sends_the_order_again(client, factory, shop):
    order = shop.personalised_order(factory)
    (ticket,) = tickets_of(order.id)
    buyer = {**NEW_HOLDER, "email": "JANE@example.com"}
    assert transfer(client, shop, ticket.reference, buyer).status_code == 200
    # No address of their own: the buyer gets the order's tickets, as before holder e-mails.
    (entry,) = outbox(f"transfer:{ticket.reference}:")
    assert entry.kind == "deliver_tickets"
    assert json.loads(entry.payload) == {"order_id": order.id, "event_id": shop.event.id}
    assert outbox(f"holder:{ticket.reference}:2:") == []
    # The old holder (a0@example.com) is still told.
    assert len(outbox(f"transferred:{ticket.reference}:1:")) == 1


def test_transfer_of_an_unpersonalised_ticket_activates_it(client, factory, shop):
    ticket = tickets_of(shop.order(factory).order_id)[0]
    body = transfer(client, shop, ticket.reference).get_json()
    assert (body["status"], body["version"], body["firstName"]) == ("active", 2, "Sam")


def test_the_old_code_stops_working_after_a_transfer(client, factory, shop, settings):
    tools = ticket_tools(settings)
    ticket = tickets_of(shop.personalised_order(factory).id)[0]
    old_code = ticket_code(tools, ticket)
    transfer(client, shop, ticket.reference)
    scanner = scanners.create_scanner(shop.seller.id, "Gate", [shop.event.id])

    def scan(code):
        return client.post(
            "/api/v1/checkin/scan",
            json={"qrPayload": code, "eventId": shop.event.id},
            headers=auth(scanner.secret),
        ).get_json()

    assert (scan(old_code)["success"], scan(old_code)["reason"]) == (False, "superseded")
    assert scan(ticket_code(tools, Ticket.get_by_id(ticket.id)))["success"] is True


def test_a_transfer_revokes_the_old_download_links(client, factory, shop):
    order = shop.personalised_order(factory, quantity=2, wp_user_id=7)
    ticket = tickets_of(order.id)[0]
    partner = f"key={shop.seller.key}&wp_user_id=7"
    ticket_url = client.get(
        f"/tp-api/users/get-ticket?{partner}&ticket_id={ticket.reference}"
    ).get_json()
    order_url = client.get(
        f"/tp-api/orders/get-ticket?{partner}&order_id=TP-{order.number}"
    ).get_json()
    assert transfer(client, shop, ticket.reference).status_code == 200
    for url in (ticket_url, order_url):
        parts = urlsplit(url)
        revoked = client.get(f"{parts.path}?{parts.query}")
        assert revoked.status_code == 403
        assert revoked.get_data(as_text=True) == "Forbidden: link revoked"
        revoked.close()
    fresh = client.get(f"/tp-api/users/get-ticket?{partner}&ticket_id={ticket.reference}")
    assert fresh.status_code == 200 and fresh.get_json() != ticket_url


@pytest.mark.parametrize(
    "status", [TicketStatus.CANCELLED, TicketStatus.SCANNED_IN, TicketStatus.SCANNED_OUT]
)
def test_a_used_or_cancelled_ticket_cannot_be_transferred(client, factory, shop, status):
    ticket = tickets_of(shop.personalised_order(factory).id)[0]
    Ticket.update(status=status).where(Ticket.id == ticket.id).execute()
    api_error(transfer(client, shop, ticket.reference), 409, "ticket_not_transferable")
    stored = Ticket.get_by_id(ticket.id)
    assert (stored.status, stored.version, stored.first_name) == (status, 1, "Attendee0")
    assert outbox(f"transfer:{ticket.reference}:") == []


def test_a_refunded_ticket_cannot_be_transferred(client, factory, shop):
    order = shop.personalised_order(factory)
    client.post(f"/api/v1/orders/{order.number}/refund", json={}, headers=auth(shop.key))
    ticket = tickets_of(order.id)[0]
    api_error(transfer(client, shop, ticket.reference), 409, "ticket_not_transferable")


def test_a_replaced_ticket_cannot_be_transferred(client, factory, shop):
    ticket = tickets_of(shop.personalised_order(factory).id)[0]
    Ticket.update(is_deprecated=True).where(Ticket.id == ticket.id).execute()
    api_error(transfer(client, shop, ticket.reference), 409, "ticket_not_transferable")


def test_transfer_of_an_unknown_ticket_is_404(client, shop):
    api_error(transfer(client, shop, "nosuchticket0000"), 404, "ticket_not_found")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"email": "not-an-email"}, "email"),
        ({"firstName": ""}, "firstName"),
        ({"lastName": None}, "lastName"),
        ({"firstName": "Bad\x00name"}, "firstName"),
        ({"extra": 1}, "extra"),
    ],
)
def test_transfer_validates_the_new_holder(client, factory, shop, change, field):
    ticket = tickets_of(shop.personalised_order(factory).id)[0]
    response = transfer(client, shop, ticket.reference, {**NEW_HOLDER, **change})
    error = api_error(response, 400, "validation_error")
    assert field in {d["field"] for d in error["details"]}
    assert Ticket.get_by_id(ticket.id).version == 1
