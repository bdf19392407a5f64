"""GET /api/v1/orders (filters, keyset pages) and GET /api/v1/orders/<id>."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.admin_api import api_error
from tests.tp_api.admin_orders.helpers import (
    UNIT,
    auth,
    line_number,
    make_shop,
    numbers_newest_first,
    tickets_of,
)
from tp_api.models import Event, Order, OrderLine


def list_ids(client, key, **query):
    response = client.get("/api/v1/orders", query_string=query, headers=auth(key))
    assert response.status_code == 200, response.get_data(as_text=True)
    return [item["id"] for item in response.get_json()["items"]]


def set_created(order_id: int, when: datetime) -> None:
    Order.update(created_at=when).where(Order.id == order_id).execute()


def test_list_is_newest_first_with_summaries(client, factory, shop):
    first = shop.order(factory, quantity=2, wp_order_id="wc_10")
    second = shop.order(factory, paid=False, wp_order_id="wc_11")
    response = client.get("/api/v1/orders", headers=auth(shop.key))
    assert response.status_code == 200
    body = response.get_json()
    assert body["nextCursor"] is None
    assert [o["id"] for o in body["items"]] == [second.number, first.number]
    newest, oldest = body["items"]
    assert oldest == {
        "id": first.number,
        "reference": first.reference,
        "wp_order_id": "10",
        "status": "processing",
        "currency": "EUR",
        "total": 2 * UNIT,
        "refunded": 0,
        "email": "jane@example.com",
        "createdAt": oldest["createdAt"],
    }
    assert newest["status"] == "pending" and newest["wp_order_id"] == "11"
    assert datetime.fromisoformat(oldest["createdAt"]).tzinfo is not None


def test_an_account_without_orders_gets_an_empty_page(client, shop):
    assert client.get("/api/v1/orders", headers=auth(shop.key)).get_json() == {
        "nextCursor": None,
        "items": [],
    }


def test_filter_by_event_includes_the_events_dates(client, factory, shop):
    parent = factory.event(
        shop.seller,
        children=[
            {
                "name": "Day 2",
                "start_date": 1785866400,
                "end_date": 1785909600,
                "stock": 50,
                "tickets": [{"name": "Day ticket", "stock": 50, "price": 29.95}],
            }
        ],
    )
    child = Event.get(Event.parent == parent.id)
    on_main = shop.order(factory)
    on_parent = factory.order(shop.seller, factory.ticket_type(parent))
    on_child = factory.order(shop.seller, factory.ticket_type(child))
    assert list_ids(client, shop.key, eventId=shop.event.id) == [on_main.number]
    assert list_ids(client, shop.key, eventId=parent.id) == [on_child.number, on_parent.number]
    assert list_ids(client, shop.key, eventId=child.id) == [on_child.number]
    assert list_ids(client, shop.key, eventId=999_999) == []


def test_filter_by_status(client, factory, shop):
    paid = shop.order(factory)
    pending = shop.order(factory, paid=False)
    assert list_ids(client, shop.key, status="pending") == [pending.number]
    assert list_ids(client, shop.key, status="processing") == [paid.number]
    assert list_ids(client, shop.key, status="refunded") == []
    client.post(f"/api/v1/orders/{paid.number}/refund", json={}, headers=auth(shop.key))
    assert list_ids(client, shop.key, status="refunded") == [paid.number]
    assert list_ids(client, shop.key, status="processing") == []


def test_an_unknown_status_is_a_validation_error(client, shop):
    response = client.get("/api/v1/orders?status=paid", headers=auth(shop.key))
    error = api_error(response, 400, "validation_error")
    assert error["details"][0]["field"] == "status"


def test_filter_by_creation_date_bounds_are_inclusive(client, factory, shop):
    placed = [shop.order(factory) for _ in range(3)]
    for outcome, month in zip(placed, (1, 2, 3), strict=True):
        set_created(outcome.order_id, datetime(2026, month, 1, tzinfo=UTC))
    ids = [outcome.number for outcome in placed]
    assert list_ids(
        client, shop.key, dateFrom="2026-02-01T00:00:00Z", dateTo="2026-03-01T00:00:00Z"
    ) == [ids[2], ids[1]]
    assert list_ids(client, shop.key, dateFrom="2026-02-01T00:00:01Z") == [ids[2]]
    assert list_ids(client, shop.key, dateTo="2026-01-31T23:59:59Z") == [ids[0]]
    # An offset is converted: 01:00+01:00 is midnight UTC.
    assert list_ids(client, shop.key, dateFrom="2026-03-01T01:00:00+01:00") == [ids[2]]
    assert list_ids(client, shop.key, dateTo="2026-02-01T00:59:59+01:00") == [ids[0]]


def test_a_date_without_a_zone_is_refused(client, shop):
    response = client.get("/api/v1/orders?dateFrom=2026-02-01T00:00:00", headers=auth(shop.key))
    error = api_error(response, 400, "validation_error")
    assert error["details"][0]["field"] == "dateFrom"


def test_filter_by_exact_email(client, factory, shop):
    jane = shop.order(factory)
    bob = shop.order(factory, billing_information={"first_name": "Bob", "email": "bob@example.com"})
    assert list_ids(client, shop.key, email="bob@example.com") == [bob.number]
    assert list_ids(client, shop.key, email="jane@example.com") == [jane.number]
    assert list_ids(client, shop.key, email="example.com") == []


@pytest.mark.parametrize("asked", ["wc_456", "456", "WC_456"])
def test_filter_by_shop_order_id_accepts_both_spellings(client, factory, shop, asked):
    wanted = shop.order(factory, wp_order_id="wc_456")
    shop.order(factory, wp_order_id="wc_4567")
    shop.order(factory, wp_order_id="45")
    assert list_ids(client, shop.key, wp_order_id=asked) == [wanted.number]


def test_filter_by_a_non_woocommerce_order_id(client, factory, shop):
    wanted = shop.order(factory, wp_order_id="ABC-9")
    shop.order(factory, wp_order_id="wc_9")
    assert list_ids(client, shop.key, wp_order_id="ABC-9") == [wanted.number]
    assert list_ids(client, shop.key, wp_order_id="wc_457") == []


def test_filters_combine(client, factory, shop):
    other_type = factory.ticket_type(factory.event(shop.seller))
    hit = shop.order(factory, billing_information={"email": "x@example.com"})
    shop.order(factory, paid=False, billing_information={"email": "x@example.com"})
    factory.order(shop.seller, other_type, billing_information={"email": "x@example.com"})
    assert list_ids(
        client, shop.key, eventId=shop.event.id, status="processing", email="x@example.com"
    ) == [hit.number]


def test_unknown_query_parameters_are_refused(client, shop):
    response = client.get("/api/v1/orders?colour=blue", headers=auth(shop.key))
    api_error(response, 400, "validation_error")


def test_pages_follow_the_cursor_newest_first_without_gaps_or_duplicates(client, factory, shop):
    placed = [shop.order(factory) for _ in range(7)]
    seen, cursor, pages = [], None, 0
    while True:
        query = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        body = client.get("/api/v1/orders", query_string=query, headers=auth(shop.key)).get_json()
        assert len(body["items"]) <= 3
        seen += [o["id"] for o in body["items"]]
        pages += 1
        cursor = body["nextCursor"]
        if pages == 1:
            # An order arriving meanwhile does not shift the following pages.
            shop.order(factory)
        if cursor is None:
            break
    assert pages == 3
    assert seen == numbers_newest_first(placed)


def test_a_full_last_page_has_no_cursor(client, factory, shop):
    for _ in range(4):
        shop.order(factory)
    first = client.get("/api/v1/orders?limit=2", headers=auth(shop.key)).get_json()
    second = client.get(
        "/api/v1/orders",
        query_string={"limit": 2, "cursor": first["nextCursor"]},
        headers=auth(shop.key),
    ).get_json()
    assert len(second["items"]) == 2 and second["nextCursor"] is None


def test_filters_apply_on_every_page(client, factory, shop):
    pending = [shop.order(factory, paid=False) for _ in range(3)]
    for _ in range(3):
        shop.order(factory)
    first = client.get("/api/v1/orders?status=pending&limit=2", headers=auth(shop.key)).get_json()
    second = client.get(
        "/api/v1/orders",
        query_string={"status": "pending", "limit": 2, "cursor": first["nextCursor"]},
        headers=auth(shop.key),
    ).get_json()
    got = [o["id"] for o in first["items"] + second["items"]]
    assert got == numbers_newest_first(pending) and second["nextCursor"] is None


@pytest.mark.parametrize("query", ["limit=0", "limit=101", "limit=x", "cursor=nonsense"])
def test_bad_paging_parameters_are_400(client, shop, query):
    response = client.get(f"/api/v1/orders?{query}", headers=auth(shop.key))
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] in ("validation_error", "invalid_cursor")


def test_a_customers_cursor_is_not_an_orders_cursor(client, factory, shop):
    for email in ("a@example.com", "b@example.com"):
        shop.order(factory, billing_information={"email": email})
    cursor = client.get("/api/v1/customers?limit=1", headers=auth(shop.key)).get_json()[
        "nextCursor"
    ]
    response = client.get("/api/v1/orders", query_string={"cursor": cursor}, headers=auth(shop.key))
    api_error(response, 400, "invalid_cursor")


def test_detail_has_lines_tickets_and_refunds(client, factory, shop):
    order = shop.personalised_order(factory, quantity=2)
    line = OrderLine.get(OrderLine.order == order.id)
    tickets = tickets_of(order.id)
    response = client.get(f"/api/v1/orders/{order.number}", headers=auth(shop.key))
    assert response.status_code == 200
    body = response.get_json()
    assert body["id"] == order.number and body["reference"] == f"TP-{order.number:05d}"
    assert (body["status"], body["total"], body["refunded"]) == ("processing", 2 * UNIT, 0)
    assert body["customer"] == {
        "firstName": "Jane",
        "lastName": "Doe",
        "email": "jane@example.com",
        "phone": "",
    }
    assert body["paidAt"].startswith("2026-06-01T10:01:00")
    assert body["lines"] == [
        {
            "id": line.id,
            "type": "ticket",
            "name": "General Admission",
            "ticketTypeId": shop.ticket_type.id,
            "unitPrice": UNIT,
            "quantity": 2,
            "refundedQuantity": 0,
        }
    ]
    assert body["tickets"] == [
        {
            "id": t.reference,
            "orderId": order.number,
            "eventId": shop.event.id,
            "ticketTypeId": shop.ticket_type.id,
            "status": "active",
            "firstName": f"Attendee{i}",
            "lastName": "Doe",
            "email": f"a{i}@example.com",
            "version": 1,
            "answers": [],  # the event asks no questions
        }
        for i, t in enumerate(tickets)
    ]
    assert body["refunds"] == []


def test_a_refund_shows_in_the_orders_detail(client, factory, shop):
    order = shop.personalised_order(factory, quantity=2)
    line = OrderLine.get(OrderLine.order == order.id)
    refund = client.post(
        f"/api/v1/orders/{order.number}/refund",
        json={"reason": "Could not come", "lines": [{"lineId": line_number(line), "quantity": 1}]},
        headers=auth(shop.key),
    )
    assert refund.status_code == 200
    after = client.get(f"/api/v1/orders/{order.number}", headers=auth(shop.key)).get_json()
    assert after == refund.get_json()
    (entry,) = after["refunds"]
    assert entry["amount"] == UNIT and entry["reason"] == "Could not come"
    assert entry["lines"] == [{"lineId": line_number(line), "quantity": 1, "amount": UNIT}]
    assert datetime.fromisoformat(entry["createdAt"]).tzinfo is not None


def test_an_unpaid_order_has_no_tickets_and_no_payment_date(client, factory, shop):
    outcome = shop.order(factory, paid=False)
    body = client.get(f"/api/v1/orders/{outcome.number}", headers=auth(shop.key)).get_json()
    assert (body["status"], body["paidAt"], body["tickets"]) == ("pending", None, [])


def test_an_unknown_order_is_404(client, shop):
    api_error(client.get("/api/v1/orders/424242", headers=auth(shop.key)), 404, "order_not_found")


def test_another_accounts_orders_are_not_listed(client, factory, shop):
    other = make_shop(factory)
    mine = shop.order(factory, wp_order_id="wc_1")
    theirs = other.order(factory, wp_order_id="wc_1")
    assert list_ids(client, shop.key) == [mine.number]
    assert list_ids(client, other.key) == [theirs.number]
    assert list_ids(client, other.key, eventId=shop.event.id) == []
    assert list_ids(client, other.key, wp_order_id="wc_1") == [theirs.number]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/v1/orders/99999999999999999999"),
        ("POST", "/api/v1/orders/9223372036854775808/refund"),
        ("POST", "/api/v1/orders/9223372036854775808/resend"),
        ("GET", "/api/v1/orders/0"),
    ],
)
def test_out_of_range_order_ids_are_404_not_500(client, shop, method, path):
    response = client.open(path, method=method, json={}, headers=auth(shop.key))
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] in ("not_found", "order_not_found")


def test_an_events_orders_page_newest_first_over_its_types_and_dates(client, factory):
    """The eventId-only listing (read per ticket type from an index) pages exactly like the
    general one: every order once, newest first, other events' orders never."""
    seller = factory.seller()
    key = factory.api_key(seller)
    parent = factory.event(
        seller, children=[{"name": "Day 1", "tickets": [{"name": "D", "stock": 50}]}]
    )
    other = factory.event(seller)
    ga = factory.ticket_type(parent)
    day = factory.ticket_type(Event.get(Event.parent == parent.id))
    elsewhere = factory.ticket_type(other)
    expected = []
    for n in range(13):
        expected.append(factory.order(seller, (ga, day)[n % 2], quantity=1))
        factory.order(seller, elsewhere, quantity=1)
    seen, cursor = [], None
    while True:
        query = {"eventId": parent.id, "limit": 4, **({"cursor": cursor} if cursor else {})}
        page = client.get("/api/v1/orders", query_string=query, headers=auth(key)).get_json()
        seen += [item["id"] for item in page["items"]]
        cursor = page["nextCursor"]
        if cursor is None:
            break
    assert seen == numbers_newest_first(expected)
