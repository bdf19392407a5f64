"""Text that would break an e-mail header or spoof a PDF ticket, and e-mail addresses that
are not one address, are refused at every API boundary: partner (plain text 400) and admin
(the JSON error shape), on both databases."""

from __future__ import annotations

import json

import pytest

from tests.admin_api import Admin, event_body
from tests.factories import order_body
from tests.tp_api.admin.events_support import field_errors
from tests.tp_api.admin_orders.helpers import make_shop, tickets_of
from tp_api.models import Event, Order, Ticket

BAD_EMAILS = [
    "a@example.com, v@evil.example",
    "a@example.com\r\nBcc: v@evil.example",
    "a@example.com\nBcc: v@evil.example",
    "Jane <a@example.com>",
    "a@@example.com",
    "a@example.com;v@evil.example",
]
BIDI = ["\u202e", "\u202a", "\u2066", "\u2069", "\u200e", "\u200f", "\u061c"]


def post_order(client, key, body):
    return client.post(
        f"/tp-api/orders/create?key={key}", data=json.dumps(body), content_type="application/json"
    )


def personalise(client, key, event_id, tickets):
    return client.post(
        f"/tp-api/events/{event_id}/tickets/personalize?key={key}&wp_user_id=7",
        data=json.dumps({"tickets": tickets}),
        content_type="application/json",
    )


@pytest.fixture
def shop(factory):
    seller = factory.seller()
    event = factory.event(seller, stock=500, ticket_stock=50)
    return seller, event, factory.ticket_type(event)


def _plain_400(response, text):
    assert response.status_code == 400, response.get_data(as_text=True)
    assert response.mimetype == "text/plain"
    assert text in response.get_data(as_text=True)


@pytest.mark.parametrize("email", BAD_EMAILS)
def test_partner_order_refuses_anything_but_one_address(client, shop, email):
    seller, _, ticket_type = shop
    body = order_body(ticket_type.id)
    body["billing_information"]["email"] = email
    response = post_order(client, seller.key, body)
    assert response.status_code == 400
    assert response.mimetype == "text/plain"
    assert response.get_data(as_text=True).startswith("billing_information.email ")
    assert Order.select().count() == 0


@pytest.mark.parametrize("char", BIDI + ["\r", "\n", "\x1b", "\x85"])
def test_partner_order_refuses_controls_in_names(client, shop, char):
    seller, _, ticket_type = shop
    body = order_body(ticket_type.id)
    body["billing_information"]["first_name"] = f"Jane{char}evil"
    _plain_400(post_order(client, seller.key, body), "first_name must not contain")
    body = order_body(ticket_type.id)
    body["order_lines"][0]["name"] = f"General{char}Admission"
    _plain_400(post_order(client, seller.key, body), "order_lines[0].name must not contain")
    assert Order.select().count() == 0


def test_partner_order_keeps_ordinary_unicode(client, shop):
    seller, _, ticket_type = shop
    body = order_body(ticket_type.id)
    body["billing_information"].update(first_name="Zoë", last_name="محمد", email="zoë@exämple.nl")
    assert post_order(client, seller.key, body).status_code == 200
    assert Order.get().billing_last_name == "محمد"


@pytest.fixture
def bought(factory, shop):
    seller, event, ticket_type = shop
    outcome = factory.order(seller, ticket_type, quantity=1, wp_user_id=7)
    ref = Ticket.get(Ticket.order == outcome.order_id).reference
    return seller, event, ref


def attendee(ref, **changes):
    data = {"ticket_id": ref, "first_name": "Jane", "last_name": "Doe", "tel": "+31612345678"}
    data["email"] = "jane@example.com"
    data.update(changes)
    return data


@pytest.mark.parametrize("email", BAD_EMAILS)
def test_personalise_refuses_a_bad_attendee_email(client, bought, email):
    seller, event, ref = bought
    response = personalise(client, seller.key, event.id, [attendee(ref, email=email)])
    _plain_400(response, f"email of ticket {ref} ")
    assert Ticket.get(Ticket.reference == ref).email in ("", None)


@pytest.mark.parametrize("char", BIDI + ["\r\n"])
def test_personalise_refuses_controls_in_attendee_names(client, bought, char):
    seller, event, ref = bought
    tickets = [attendee(ref, last_name=f"Doe{char}gpj.exe")]
    response = personalise(client, seller.key, event.id, tickets)
    _plain_400(response, f"last_name of ticket {ref} must not contain")


@pytest.fixture
def admin(client, factory, shop):
    seller, _, _ = shop
    return Admin(client, factory.api_key(seller))


@pytest.mark.parametrize("char", ["\r\n", "\n", "\r", *BIDI])
def test_admin_event_title_refuses_line_breaks_and_bidi(admin, char):
    before = Event.select().count()
    errors = field_errors(admin.post("/events", event_body(title=f"Summer{char}Bcc: x")))
    assert "title" in errors and "control characters" in errors["title"]
    assert Event.select().count() == before


def test_admin_event_description_keeps_line_breaks_only(admin):
    created = admin.create(description="Line one\nLine two")
    assert created["description"] == "Line one\nLine two"
    errors = field_errors(admin.patch(f"/events/{created['id']}", {"description": "a\u202eb"}))
    assert "description" in errors
    errors = field_errors(admin.patch(f"/events/{created['id']}", {"description": "a\x07b"}))
    assert "description" in errors


def test_admin_ticket_type_name_refuses_bidi(admin):
    body = event_body(ticketTypes=[{"name": "VIP\u202e", "price": 100, "quantity": 1}])
    errors = field_errors(admin.post("/events", body))
    assert any("name" in field for field in errors)


@pytest.mark.parametrize("email", BAD_EMAILS)
def test_admin_transfer_refuses_a_bad_email(client, factory, email):
    shop = make_shop(factory)
    order_id = shop.personalised_order(factory)
    [ticket] = tickets_of(order_id)
    body = {"firstName": "Sam", "lastName": "Smith", "email": email}
    response = client.post(
        f"/api/v1/tickets/{ticket.reference}/transfer",
        json=body,
        headers={"Authorization": f"Bearer {shop.key}"},
    )
    errors = field_errors(response)
    assert "email" in errors
