"""POST /tp-api/orders/create: every documented row, and what the document leaves to us."""

from __future__ import annotations

import copy
import json

import pytest

from tests.factories import order_body
from tp_api.models import Event, Order, OrderLine, OrderStatus, Ticket, TicketType


def post_order(client, key, body, raw=None):
    data = raw if raw is not None else json.dumps(body)
    return client.post(
        f"/tp-api/orders/create?key={key}", data=data, content_type="application/json"
    )


def counts():
    return Order.select().count(), OrderLine.select().count(), Ticket.select().count()


@pytest.fixture
def shop(factory):
    seller = factory.seller()
    event = factory.event(seller, stock=500, ticket_stock=10)
    return seller, event, factory.ticket_type(event)


def test_paid_order_is_created_with_tickets(client, shop):
    seller, event, ticket_type = shop
    body = order_body(
        ticket_type.id,
        quantity=2,
        wp_order_id="wc_456",
        locale="nl",
        my_tickets_url="https://shop.test/my-tickets",
        payment_method="ideal",
        payment_method_title="iDEAL",
        ip_address="1.2.3.4",
        date_created="2025-04-11T10:00:00Z",
    )
    response = post_order(client, seller.key, body)
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    assert response.get_data(as_text=True) == "Order created"
    order = Order.get()
    # The order is known outside by its random twelve-digit number, never by its row id.
    assert response.headers["X-TP-Order-Id"] == str(order.number)
    assert response.headers["X-TP-Order-Reference"] == order.reference == f"TP-{order.number}"
    assert len(str(order.number)) == 12
    assert order.status == OrderStatus.PROCESSING
    # The document's "wc_" prefix names the WooCommerce id: stored as the id itself.
    assert (order.wp_order_id, order.wp_user_id, order.locale) == ("456", 7, "nl")
    assert order.total_cents == 5990 and order.currency == "EUR"
    assert order.billing_email == "jane@example.com"
    assert order.date_paid.isoformat() == "2026-06-01T10:01:00+00:00"
    tickets = list(Ticket.select())
    assert len(tickets) == 2
    assert {t.status for t in tickets} == {1}
    assert len({t.reference for t in tickets}) == 2
    assert all(len(t.reference) == 16 for t in tickets)
    fresh = TicketType.get_by_id(ticket_type.id)
    assert (fresh.sold, fresh.reserved) == (2, 0)
    # Per-ticket stock: the event's own counters stay untouched (its figure is the sum).
    assert Event.get_by_id(event.id).sold == 0


def test_unpaid_order_reserves_stock_and_issues_no_tickets(client, shop):
    seller, _, ticket_type = shop
    response = post_order(client, seller.key, order_body(ticket_type.id, quantity=3, paid=False))
    assert response.status_code == 200
    assert Order.get().status == OrderStatus.PENDING
    assert Ticket.select().count() == 0
    fresh = TicketType.get_by_id(ticket_type.id)
    assert (fresh.sold, fresh.reserved) == (0, 3)


def test_same_wp_order_id_again_creates_nothing_twice(client, shop):
    seller, _, ticket_type = shop
    body = order_body(ticket_type.id, quantity=2, wp_order_id="wc_1")
    assert post_order(client, seller.key, body).status_code == 200
    second = post_order(client, seller.key, body)
    assert second.status_code == 200
    assert second.get_data(as_text=True) == "Order created"
    assert counts() == (1, 1, 2)
    assert TicketType.get_by_id(ticket_type.id).sold == 2


def test_push_again_with_date_paid_marks_the_order_paid(client, shop):
    seller, _, ticket_type = shop
    unpaid = order_body(ticket_type.id, quantity=2, wp_order_id="wc_9", paid=False)
    post_order(client, seller.key, unpaid)
    paid = {**unpaid, "date_paid": "2026-06-02T08:00:00+02:00"}
    assert post_order(client, seller.key, paid).status_code == 200
    order = Order.get()
    assert order.status == OrderStatus.PROCESSING
    assert order.date_paid.isoformat() == "2026-06-02T06:00:00+00:00"
    assert Ticket.select().count() == 2
    fresh = TicketType.get_by_id(ticket_type.id)
    assert (fresh.sold, fresh.reserved) == (2, 0)
    # A third push changes nothing more.
    post_order(client, seller.key, paid)
    assert Ticket.select().count() == 2


def test_tp_order_id_moves_the_order_to_processing(client, shop):
    seller, _, ticket_type = shop
    post_order(client, seller.key, order_body(ticket_type.id, quantity=1, paid=False))
    order = Order.get()
    response = post_order(client, seller.key, {"tp_order_id": order.number})
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "Order created"
    order = Order.get_by_id(order.id)
    assert order.status == OrderStatus.PROCESSING and order.date_paid is not None
    assert Ticket.select().count() == 1
    assert TicketType.get_by_id(ticket_type.id).sold == 1


def test_tp_order_id_accepts_the_reference_form(client, shop):
    seller, _, ticket_type = shop
    post_order(client, seller.key, order_body(ticket_type.id, paid=False))
    order = Order.get()
    assert post_order(client, seller.key, {"tp_order_id": order.reference}).status_code == 200
    assert Order.get_by_id(order.id).status == OrderStatus.PROCESSING


@pytest.mark.parametrize("raw", ["", "   ", "not json", "[1, 2]", "{}", '"text"', "{bad"])
def test_empty_or_invalid_body_is_an_incorrect_request(client, shop, raw):
    seller, _, _ = shop
    response = post_order(client, seller.key, None, raw=raw)
    assert (response.status_code, response.get_data(as_text=True)) == (404, "Incorrect request")
    assert response.mimetype == "text/plain"


def test_unknown_tp_order_id(client, shop):
    seller, _, _ = shop
    for value in (999999, "TP-99999", "abc", -1):
        response = post_order(client, seller.key, {"tp_order_id": value})
        assert response.status_code == 404, value
        assert response.get_data(as_text=True) == "Ticket Pulse order does not exist"


def test_another_accounts_order(client, factory, shop):
    seller, _, ticket_type = shop
    post_order(client, seller.key, order_body(ticket_type.id, paid=False))
    intruder = factory.seller()
    response = post_order(client, intruder.key, {"tp_order_id": Order.get().number})
    assert response.status_code == 403
    assert response.get_data(as_text=True) == "You do not have access to this order"
    assert Order.get().status == OrderStatus.PENDING


@pytest.mark.parametrize("lines", [None, []])
def test_new_order_without_lines(client, shop, lines):
    seller, _, _ = shop
    body = {"wp_order_id": "wc_x", "wp_user_id": 1}
    if lines is not None:
        body["order_lines"] = lines
    response = post_order(client, seller.key, body)
    assert (response.status_code, response.get_data(as_text=True)) == (
        404,
        "No order lines specified",
    )
    assert counts() == (0, 0, 0)


def test_sold_out_creates_nothing_and_names_the_ticket_type(client, shop):
    seller, event, ticket_type = shop
    post_order(client, seller.key, order_body(ticket_type.id, quantity=8))
    response = post_order(client, seller.key, order_body(ticket_type.id, quantity=3))
    assert response.status_code == 409
    text = response.get_data(as_text=True)
    assert "General Admission" in text and f"ticket type {ticket_type.id}" in text
    assert "3 requested, 2 available" in text
    assert counts() == (1, 1, 8)
    assert TicketType.get_by_id(ticket_type.id).sold == 8


def test_shared_event_pool_is_enforced(client, factory):
    seller = factory.seller()
    event = factory.event(seller, stock=3, ticket_stock=10, manage_stock_per_ticket=False)
    ticket_type = factory.ticket_type(event)
    assert post_order(client, seller.key, order_body(ticket_type.id, quantity=3)).status_code == 200
    response = post_order(client, seller.key, order_body(ticket_type.id, quantity=1))
    assert response.status_code == 409
    assert f"(event {event.id})" in response.get_data(as_text=True)
    assert TicketType.get_by_id(ticket_type.id).sold == 3


def test_multi_line_order_is_all_or_nothing(client, factory):
    seller = factory.seller()
    plenty = factory.ticket_type(factory.event(seller, ticket_stock=100))
    scarce = factory.ticket_type(factory.event(seller, ticket_stock=1))
    body = order_body(plenty.id, quantity=5)
    body["order_lines"].append(
        {**body["order_lines"][0], "tp_event_ticket_id": scarce.id, "quantity": 2}
    )
    assert post_order(client, seller.key, body).status_code == 409
    assert TicketType.get_by_id(plenty.id).sold == 0
    assert counts() == (0, 0, 0)


def test_line_types_are_mapped(client, shop):
    seller, _, ticket_type = shop
    body = order_body(ticket_type.id, quantity=1)
    base = {"quantity": 1, "product_id": 0, "unit_price": 5}
    body["order_lines"] += [
        {**base, "name": "Shipping", "order_item_type": "shipping"},
        {**base, "name": "Service fee", "order_item_type": "fee"},
        {**base, "name": "SUMMER10", "order_item_type": "coupon", "unit_price": -3},
        {**base, "name": "Gift wrap", "order_item_type": "tax"},
        {**base, "name": "Merch", "order_item_type": "line_item"},
    ]
    assert post_order(client, seller.key, body).status_code == 200
    mapped = [
        (line.order_item_type, line.line_type) for line in OrderLine.select().order_by(OrderLine.id)
    ]
    assert mapped == [
        ("line_item", "ticket"),
        ("shipping", "shipping"),
        ("fee", "fee"),
        ("coupon", "coupon"),
        ("tax", "other"),
        ("line_item", "ticket"),
    ]
    assert OrderLine.get(OrderLine.name == "SUMMER10").unit_price_cents == -300
    # Only the line naming a ticket type issues tickets.
    assert Ticket.select().count() == 1


def _line(**changes):
    line = {
        "tp_event_ticket_id": 1,
        "name": "GA",
        "quantity": 1,
        "product_id": 1,
        "order_item_type": "line_item",
        "unit_price": 29.95,
    }
    line.update(changes)
    return line


MALFORMED = [
    ({"order_lines": "x"}, "order_lines must be an array"),
    ({"order_lines": [1]}, "order_lines[0] must be an object"),
    ({"order_lines": [_line(quantity=-1)]}, "order_lines[0].quantity"),
    ({"order_lines": [_line(quantity=10**9)]}, "order_lines[0].quantity"),
    ({"order_lines": [_line(quantity="two")]}, "order_lines[0].quantity must be an integer"),
    ({"order_lines": [_line(quantity=True)]}, "order_lines[0].quantity must be an integer"),
    ({"order_lines": [_line(quantity=0)]}, "quantity must be at least 1"),
    ({"order_lines": [_line(unit_price="abc")]}, "order_lines[0].unit_price must be a number"),
    # json.dumps writes Infinity, which is not JSON: the body is refused as a whole.
    ({"order_lines": [_line(unit_price=float("inf"))]}, "Incorrect request"),
    ({"order_lines": [_line(unit_price="1e999999")]}, "unit_price is out of range"),
    ({"order_lines": [_line(unit_price="NaN")]}, "unit_price must be a finite number"),
    ({"order_lines": [_line(quantity="²")]}, "quantity must be an integer"),
    ({"wp_user_id": "--3"}, "wp_user_id must be an integer"),
    ({"date_paid": "0001-01-01T00:00:00+14:00"}, "date_paid must be an ISO 8601 date string"),
    ({"date_paid": "9999-12-31T23:59:59-14:00"}, "date_paid must be an ISO 8601 date string"),
    ({"wp_order_id": "\ud800"}, "wp_order_id is not valid Unicode text"),
    ({"billing_information": {"first_name": "a\u0000b"}}, "first_name contains a NUL"),
    ({"currency": "äöü"}, "currency must be a 3-letter"),
    ({"order_lines": [_line(unit_price=1e30)]}, "unit_price is out of range"),
    ({"order_lines": [_line(name="")]}, "order_lines[0].name is required"),
    (
        {"order_lines": [{"name": "x", "quantity": 1, "unit_price": 1}]},
        "order_item_type is required",
    ),
    ({"order_lines": [_line(tp_event_ticket_id=999999)]}, "Ticket type 999999 not found"),
    ({"order_lines": [_line(tp_event_ticket_id="abc")]}, "tp_event_ticket_id must be an integer"),
    ({"order_lines": [_line(tp_event_ticket_id=1)] * 201}, "more than 200"),
    ({"wp_user_id": "abc"}, "wp_user_id must be an integer"),
    ({"wp_user_id": [1]}, "wp_user_id must be an integer"),
    ({"wp_order_id": {"a": 1}}, "wp_order_id must be a string"),
    ({"wp_order_id": "x" * 101}, "wp_order_id is longer than 100"),
    ({"date_paid": "yesterday"}, "date_paid must be an ISO 8601 date string"),
    ({"date_created": 12}, "date_created must be an ISO 8601 date string"),
    ({"order_total": "lots"}, "order_total must be a number"),
    ({"order_total": -5}, "order_total is out of range"),
    ({"currency": "EURO"}, "currency is longer than 3"),
    ({"currency": "E1"}, "currency must be a 3-letter"),
    ({"billing_information": "Jane"}, "billing_information must be an object"),
    ({"billing_information": {"email": "nope"}}, "billing_information.email is not an e-mail"),
    ({"my_tickets_url": "javascript:alert(1)"}, "my_tickets_url must be an http(s) URL"),
]


@pytest.mark.parametrize(("changes", "message"), MALFORMED)
def test_malformed_input_is_refused_and_changes_nothing(client, shop, changes, message):
    seller, _, ticket_type = shop
    body = order_body(ticket_type.id)
    changes = copy.deepcopy(changes)
    for line in changes.get("order_lines") or []:
        if isinstance(line, dict) and line.get("tp_event_ticket_id") == 1:
            line["tp_event_ticket_id"] = ticket_type.id
    body.update(changes)
    response = post_order(client, seller.key, body)
    assert 400 <= response.status_code < 500
    assert message in response.get_data(as_text=True)
    assert response.mimetype == "text/plain"
    assert counts() == (0, 0, 0)
    assert TicketType.get_by_id(ticket_type.id).sold == 0


def test_another_accounts_ticket_type_is_not_found(client, factory, shop):
    _, _, ticket_type = shop
    intruder = factory.seller()
    response = post_order(client, intruder.key, order_body(ticket_type.id))
    assert response.status_code == 400
    assert response.get_data(as_text=True) == f"Ticket type {ticket_type.id} not found"


def test_disabled_ticket_type_is_not_on_sale(client, shop):
    seller, _, ticket_type = shop
    TicketType.update(enabled=False).where(TicketType.id == ticket_type.id).execute()
    response = post_order(client, seller.key, order_body(ticket_type.id))
    assert response.status_code == 400
    assert "is not on sale" in response.get_data(as_text=True)


def test_oversized_body_is_refused(client, shop):
    seller, _, ticket_type = shop
    body = order_body(ticket_type.id, customer_note="x" * (2 * 1024 * 1024))
    response = post_order(client, seller.key, body)
    assert response.status_code == 413
    assert response.mimetype == "text/plain"
    assert counts() == (0, 0, 0)


def test_deeply_nested_json_is_an_incorrect_request(client, shop):
    seller, _, _ = shop
    response = post_order(client, seller.key, None, raw="[" * 100000 + "]" * 100000)
    assert response.status_code in (404, 413)


def test_numeric_strings_from_php_clients_are_accepted(client, shop):
    seller, _, ticket_type = shop
    body = order_body(ticket_type.id, wp_user_id="42", wp_order_id=1234, order_total="29.95")
    body["order_lines"][0].update(
        quantity="1", tp_event_ticket_id=str(ticket_type.id), unit_price="29.95"
    )
    assert post_order(client, seller.key, body).status_code == 200
    order = Order.get()
    assert (order.wp_user_id, order.wp_order_id, order.total_cents) == (42, "1234", 2995)


def test_order_for_cancelled_order_cannot_be_set_to_processing(client, shop):
    seller, _, ticket_type = shop
    post_order(client, seller.key, order_body(ticket_type.id, paid=False))
    Order.update(status=OrderStatus.CANCELLED).execute()
    response = post_order(client, seller.key, {"tp_order_id": Order.get().number})
    assert response.status_code == 409
    assert "cancelled" in response.get_data(as_text=True)


def test_paying_an_order_whose_ticket_type_closed_since_still_works(client, shop):
    seller, _, ticket_type = shop
    unpaid = order_body(ticket_type.id, wp_order_id="wc_77", paid=False)
    post_order(client, seller.key, unpaid)
    TicketType.update(enabled=False).where(TicketType.id == ticket_type.id).execute()
    paid = {**unpaid, "date_paid": "2026-06-02T08:00:00Z"}
    assert post_order(client, seller.key, paid).status_code == 200
    assert Order.get().status == OrderStatus.PROCESSING
    assert Ticket.select().count() == 1


def test_repeated_push_never_changes_the_owner_or_address(client, shop):
    seller, _, ticket_type = shop
    body = order_body(ticket_type.id, wp_order_id="wc_5", wp_user_id=7)
    post_order(client, seller.key, body)
    hijack = {
        **body,
        "wp_user_id": 999,
        "billing_information": {"email": "thief@example.com", "phone": "+1555"},
    }
    assert post_order(client, seller.key, hijack).status_code == 200
    order = Order.get()
    assert (order.wp_user_id, order.billing_email) == (7, "jane@example.com")
    # A value the first push lacked is filled in.
    assert order.billing_phone == "+1555"


@pytest.mark.parametrize("tp_order_id", ["TP-²", "²", "１２"])
def test_unicode_digits_are_not_numbers(client, shop, tp_order_id):
    seller, _, _ = shop
    response = post_order(client, seller.key, {"tp_order_id": tp_order_id})
    assert (response.status_code, response.get_data(as_text=True)) == (
        404,
        "Ticket Pulse order does not exist",
    )
