"""Order numbers: what a tenant sees of an order tells it nothing about anyone else's sales.

The id shown outside (partner headers and ``tp_order_id``, references, links, admin API,
cursors) is a random twelve-digit number; the sequential row id never leaves the service.
"""

from __future__ import annotations

import base64
import json

import pytest
from peewee import fn

from tests.factories import order_body
from tp_api.models import Order, OrderLine, OrderStatus
from tp_api.models.base import PUBLIC_NUMBER_MAX, PUBLIC_NUMBER_MIN, new_public_number
from tp_api.services.orders import submit
from tp_api.services.orders.order_input import parse_partner_order


def post_order(client, key, body):
    return client.post(
        f"/tp-api/orders/create?key={key}", data=json.dumps(body), content_type="application/json"
    )


@pytest.fixture
def shop(factory):
    seller = factory.seller()
    event = factory.event(seller, stock=500, ticket_stock=100)
    return seller, factory.ticket_type(event)


def test_a_new_order_is_known_outside_by_a_random_twelve_digit_number(client, shop):
    seller, ticket_type = shop
    answers = [
        post_order(client, seller.key, order_body(ticket_type.id, wp_order_id=f"wc_{n}"))
        for n in range(5)
    ]
    rows = list(Order.select().order_by(Order.id))
    numbers = [int(a.headers["X-TP-Order-Id"]) for a in answers]
    assert numbers == [o.number for o in rows]
    assert all(PUBLIC_NUMBER_MIN <= n <= PUBLIC_NUMBER_MAX for n in numbers)
    assert len(set(numbers)) == 5
    # Nothing in what the shop sees follows the row ids 1..5.
    assert not {o.id for o in rows} & set(numbers)
    assert [a.headers["X-TP-Order-Reference"] for a in answers] == [f"TP-{n}" for n in numbers]


def test_tp_order_id_names_the_order_by_its_number_and_keeps_the_documented_errors(
    client, factory, shop
):
    seller, ticket_type = shop
    answer = post_order(client, seller.key, order_body(ticket_type.id, paid=False))
    order = Order.get()
    assert int(answer.headers["X-TP-Order-Id"]) == order.number

    # The row id is not an order number: nothing is found by it.
    by_row_id = post_order(client, seller.key, {"tp_order_id": order.id})
    assert (by_row_id.status_code, by_row_id.get_data(as_text=True)) == (
        404,
        "Ticket Pulse order does not exist",
    )
    # Another account's number is refused as the seed documents, and changes nothing.
    intruder = factory.seller()
    foreign = post_order(client, intruder.key, {"tp_order_id": order.number})
    assert (foreign.status_code, foreign.get_data(as_text=True)) == (
        403,
        "You do not have access to this order",
    )
    assert Order.get().status == OrderStatus.PENDING

    paid = post_order(client, seller.key, {"tp_order_id": f"TP-{order.number}"})
    assert paid.status_code == 200
    assert Order.get().status == OrderStatus.PROCESSING


def test_an_order_keeps_its_number_when_a_push_repeats_it(client, shop):
    seller, ticket_type = shop
    first = post_order(
        client, seller.key, order_body(ticket_type.id, wp_order_id="wc_7", paid=False)
    )
    again = post_order(client, seller.key, order_body(ticket_type.id, wp_order_id="wc_7"))
    assert first.headers["X-TP-Order-Id"] == again.headers["X-TP-Order-Id"]
    assert Order.select().count() == 1


@pytest.mark.parametrize("wp_order_id", ["wc_1", None])
def test_a_number_drawn_twice_is_drawn_again(db, factory, shop, monkeypatch, wp_order_id):
    """The unique index catches a repeated draw; the order is created with another number."""
    seller, ticket_type = shop
    taken = submit.submit_order(seller.id, parse_partner_order(order_body(ticket_type.id)))
    draws = iter([taken.number, taken.number + 1])
    monkeypatch.setattr(submit, "new_public_number", lambda: next(draws))
    body = order_body(ticket_type.id, wp_order_id=wp_order_id)
    if wp_order_id is None:
        body.pop("wp_order_id")
    outcome = submit.submit_order(seller.id, parse_partner_order(body))
    assert outcome.created
    assert outcome.number == taken.number + 1
    assert Order.select().count() == 2


def test_order_pdf_links_and_lookups_use_the_number(client, factory, shop):
    seller, ticket_type = shop
    post_order(client, seller.key, order_body(ticket_type.id, wp_user_id=42))
    order = Order.get()
    # get-ticket answers "File not found" until the tickets are personalised: the order is
    # found by its reference or bare number, and not by its row id.
    for order_id in (order.reference, str(order.number)):
        found = client.get(
            f"/tp-api/orders/get-ticket?key={seller.key}&wp_user_id=42&order_id={order_id}"
        )
        assert found.get_data(as_text=True) == "File not found"
    by_row_id = client.get(
        f"/tp-api/orders/get-ticket?key={seller.key}&wp_user_id=42&order_id={order.id}"
    )
    assert by_row_id.get_data(as_text=True) == "Order not found"
    intruder = factory.seller()
    foreign = client.get(
        f"/tp-api/orders/get-ticket?key={intruder.key}&wp_user_id=42&order_id={order.reference}"
    )
    assert foreign.get_data(as_text=True) == "Order not found"


def _cursor_key(cursor: str) -> list:
    return json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))


def test_admin_api_ids_and_cursors_carry_numbers_not_row_ids(client, factory, shop):
    seller, ticket_type = shop
    for n in range(3):
        post_order(client, seller.key, order_body(ticket_type.id, wp_order_id=f"wc_{n}"))
    headers = {"Authorization": f"Bearer {factory.api_key(seller)}"}
    by_number = {o.number: o for o in Order.select()}

    first = client.get("/api/v1/orders?limit=2", headers=headers).get_json()
    assert [o["id"] for o in first["items"]] == [
        o.number for o in sorted(by_number.values(), key=lambda o: -o.id)[:2]
    ]
    assert _cursor_key(first["nextCursor"]) == [first["items"][-1]["id"]]
    rest = client.get(
        f"/api/v1/orders?limit=2&cursor={first['nextCursor']}", headers=headers
    ).get_json()
    assert [o["id"] for o in rest["items"]] == [min(by_number.values(), key=lambda o: o.id).number]
    assert rest["nextCursor"] is None

    detail = client.get(f"/api/v1/orders/{rest['items'][0]['id']}", headers=headers).get_json()
    assert {t["orderId"] for t in detail["tickets"]} == {detail["id"]}
    row_id = by_number[detail["id"]].id
    assert client.get(f"/api/v1/orders/{row_id}", headers=headers).status_code == 404


def test_a_cursor_naming_no_order_of_the_account_is_refused(client, factory, shop):
    seller, ticket_type = shop
    post_order(client, seller.key, order_body(ticket_type.id))
    other = factory.seller()
    headers = {"Authorization": f"Bearer {factory.api_key(other)}"}
    forged = base64.urlsafe_b64encode(json.dumps([Order.get().number]).encode()).decode()
    answer = client.get(f"/api/v1/orders?cursor={forged.rstrip('=')}", headers=headers)
    assert answer.status_code == 400
    assert answer.get_json()["error"]["code"] == "invalid_cursor"


def test_new_numbers_never_meet_the_numbers_kept_by_old_orders():
    # Orders from before migration 0012 kept their row id; row ids stay far below this.
    assert PUBLIC_NUMBER_MIN == 10**11
    drawn = {new_public_number() for _ in range(1000)}
    assert min(drawn) >= PUBLIC_NUMBER_MIN and max(drawn) <= PUBLIC_NUMBER_MAX
    assert len(drawn) > 990


def test_lines_and_refunds_are_numbered_within_their_order(client, factory, shop):
    seller, ticket_type = shop
    # Another account's order first, so the row ids of our lines are not 1 and 2.
    other = factory.seller()
    other_type = factory.ticket_type(factory.event(other, stock=50, ticket_stock=50))
    post_order(client, other.key, order_body(other_type.id, wp_order_id="wc_other"))
    body = order_body(ticket_type.id, quantity=3)
    body["order_lines"].append({**body["order_lines"][0], "quantity": 2})
    answer = post_order(client, seller.key, body)
    number = answer.headers["X-TP-Order-Id"]
    headers = {"Authorization": f"Bearer {factory.api_key(seller)}"}

    detail = client.get(f"/api/v1/orders/{number}", headers=headers).get_json()
    assert [line["id"] for line in detail["lines"]] == [1, 2]
    row_id = OrderLine.select(fn.MAX(OrderLine.id)).scalar()
    assert row_id > 2

    for wrong in (row_id, 3):
        refused = client.post(
            f"/api/v1/orders/{number}/refund",
            json={"lines": [{"lineId": wrong, "quantity": 1}]},
            headers=headers,
        )
        assert refused.status_code == 422
        assert refused.get_json()["error"]["message"] == f"Order line {wrong} is not on this order"

    refunded = client.post(
        f"/api/v1/orders/{number}/refund",
        json={"lines": [{"lineId": 2, "quantity": 1}]},
        headers=headers,
    ).get_json()
    assert [(line["id"], line["refundedQuantity"]) for line in refunded["lines"]] == [
        (1, 0),
        (2, 1),
    ]
    assert [r["id"] for r in refunded["refunds"]] == [1]
    assert refunded["refunds"][0]["lines"] == [{"lineId": 2, "quantity": 1, "amount": 2995}]
