"""GET /tp-api/events, /users/{id}/events and /events/{id}/tickets, and authentication."""

from __future__ import annotations

import pytest

from tp_api.db import utcnow
from tp_api.models import Event, Ticket, TicketType
from tp_api.services.credentials import partner_keys

DAY1 = {
    "name": "Day 1 — Saturday",
    "status": 1,
    "stock": 250,
    "price": "15.00",
    "featured": False,
    "manage_price_per_ticket": True,
    "manage_stock_per_ticket": True,
    "start_date": 1753920000,
    "end_date": 1753963200,
    "event_params": {"door": "A"},
    "password": None,
    "thumbnail": "event-13.jpg",
    "location": "Vondelpark",
    "tickets": [
        {
            "name": "Saturday",
            "stock": 250,
            "price": 15.0,
            "status": 1,
            "date": 1753920000,
            "enabled": True,
        }
    ],
}


def test_events_have_exactly_the_documented_fields(client, factory):
    seller = factory.seller()
    factory.event(seller, name="Summer Festival 2025", stock=500, ticket_stock=400, children=[DAY1])
    response = client.get(f"/tp-api/events?key={seller.key}")
    assert response.status_code == 200 and response.mimetype == "application/json"
    [event] = response.get_json()
    assert list(event) == [
        "id",
        "name",
        "city",
        "start_date",
        "end_date",
        "price",
        "stock",
        "status",
        "tickets",
        "children",
    ]
    assert event["name"] == "Summer Festival 2025"
    assert event["price"] == "29.95" and event["stock"] == 500
    assert event["start_date"] == 1785780000
    [ticket] = event["tickets"]
    assert list(ticket) == ["id", "name", "stock", "price", "status", "date", "enabled"]
    assert ticket["price"] == 29.95 and isinstance(ticket["price"], float)
    assert ticket["stock"] == 400 and ticket["enabled"] is True
    [child] = event["children"]
    assert list(child) == [
        "id",
        "name",
        "status",
        "stock",
        "price",
        "featured",
        "tickets",
        "manage_price_per_ticket",
        "manage_stock_per_ticket",
        "start_date",
        "end_date",
        "event_params",
        "password",
        "thumbnail",
        "location",
        "deleted_at",
    ]
    assert child["price"] == "15.00" and child["event_params"] == {"door": "A"}
    assert child["deleted_at"] is None and child["tickets"][0]["name"] == "Saturday"


def test_stock_shows_what_is_left(client, factory):
    seller = factory.seller()
    event = factory.event(seller, stock=50, ticket_stock=10)
    ticket_type = factory.ticket_type(event)
    factory.order(seller, ticket_type, quantity=3)
    factory.order(seller, ticket_type, quantity=2, paid=False)
    [rendered] = client.get(f"/tp-api/events?key={seller.key}").get_json()
    assert rendered["stock"] == 45
    assert rendered["tickets"][0]["stock"] == 5


def test_events_of_other_accounts_and_deleted_events_are_not_listed(client, factory):
    seller, other = factory.seller(), factory.seller()
    factory.event(other)
    gone = factory.event(seller, name="Gone")
    kept = factory.event(seller, name="Kept", children=[DAY1])
    Event.update(deleted_at=utcnow()).where(Event.id == gone.id).execute()
    child = Event.get(Event.parent == kept.id)
    Event.update(deleted_at=utcnow()).where(Event.id == child.id).execute()
    events = client.get(f"/tp-api/events?key={seller.key}").get_json()
    assert [e["name"] for e in events] == ["Kept"]
    # A deleted child stays visible with deleted_at, so a shop can unpublish its product.
    assert isinstance(events[0]["children"][0]["deleted_at"], int)


@pytest.mark.parametrize("query", ["", "?key=", "?key=nope", "?key=tp_0123456789abcdefghij"])
def test_missing_empty_or_unknown_key_is_unauthorized(client, factory, query):
    factory.seller()
    for path in ("/tp-api/events", "/tp-api/users/1/events", "/tp-api/events/1/tickets"):
        response = client.get(path + query)
        assert (response.status_code, response.get_data(as_text=True)) == (403, "Unauthorized")
        assert response.mimetype == "text/plain"
    response = client.post("/tp-api/orders/create" + query, data="{}")
    assert (response.status_code, response.get_data(as_text=True)) == (403, "Unauthorized")


def test_revoked_key_is_unauthorized_and_other_keys_keep_working(client, factory):
    seller = factory.seller()
    second = partner_keys.create_key(seller.id, label="second")
    assert client.get(f"/tp-api/events?key={second.secret}").status_code == 200
    partner_keys.revoke_key(seller.id, second.id)
    assert client.get(f"/tp-api/events?key={second.secret}").status_code == 403
    assert client.get(f"/tp-api/events?key={seller.key}").status_code == 200
    assert [k.revoked_at is not None for k in partner_keys.list_keys(seller.id)] == [False, True]


def test_keys_are_stored_hashed_and_last_use_is_recorded(client, factory):
    seller = factory.seller()
    [stored] = partner_keys.list_keys(seller.id)
    assert seller.key not in (stored.key_hash, stored.prefix)
    assert stored.last_used_at is None
    client.get(f"/tp-api/events?key={seller.key}")
    assert partner_keys.list_keys(seller.id)[0].last_used_at is not None


def test_user_events(client, factory):
    seller = factory.seller()
    first = factory.event(seller, name="Summer Festival 2025", start_date=1753984800)
    second = factory.event(seller, name="Autumn", start_date=1760000000)
    factory.event(seller, name="Not bought")
    factory.order(seller, factory.ticket_type(first), quantity=2, wp_user_id=789)
    factory.order(seller, factory.ticket_type(second), wp_user_id=789)
    factory.order(seller, factory.ticket_type(second), wp_user_id=5)
    response = client.get(f"/tp-api/users/789/events?key={seller.key}")
    assert response.status_code == 200
    assert response.get_json() == [
        {"id": first.id, "name": "Summer Festival 2025", "start_date": "2025-07-31T18:00:00+00:00"},
        {"id": second.id, "name": "Autumn", "start_date": "2025-10-09T08:53:20+00:00"},
    ]


def test_user_without_orders(client, factory):
    seller, other = factory.seller(), factory.seller()
    factory.order(other, factory.ticket_type(factory.event(other)), wp_user_id=789)
    response = client.get(f"/tp-api/users/789/events?key={seller.key}")
    assert (response.status_code, response.get_data(as_text=True)) == (
        404,
        "External user has no orders",
    )


def test_user_id_must_be_a_number(client, factory):
    seller = factory.seller()
    response = client.get(f"/tp-api/users/abc/events?key={seller.key}")
    assert (response.status_code, response.get_data(as_text=True)) == (400, "Invalid user id")


def test_tickets_by_event(client, factory):
    seller = factory.seller()
    event = factory.event(seller, name="Summer Festival 2025", start_date=1753984800)
    outcome = factory.order(seller, factory.ticket_type(event), quantity=2, wp_user_id=789)
    factory.order(seller, factory.ticket_type(event), wp_user_id=1)  # someone else's
    response = client.get(f"/tp-api/events/{event.id}/tickets?key={seller.key}&wp_user_id=789")
    assert response.status_code == 200
    tickets = response.get_json()
    assert len(tickets) == 2
    assert list(tickets[0]) == [
        "id",
        "event_name",
        "event_start_date",
        "start_date",
        "order_id",
        "name",
        "first_name",
        "last_name",
        "email",
        "phone",
        "status",
        "is_deprecated",
    ]
    refs = {t.reference for t in Ticket.select().where(Ticket.order == outcome.order_id)}
    assert {t["id"] for t in tickets} == refs
    assert tickets[0]["order_id"] == outcome.reference
    assert tickets[0]["event_name"] == "Summer Festival 2025"
    assert tickets[0]["event_start_date"] == "2025-07-31T18:00:00+00:00"
    assert tickets[0]["start_date"] == "2026-08-03T18:00:00+00:00"  # the ticket type's date
    assert tickets[0]["status"] == 1 and tickets[0]["is_deprecated"] is False


def test_tickets_of_a_child_event_name_the_parent(client, factory):
    seller = factory.seller()
    parent = factory.event(seller, name="Festival", children=[DAY1])
    child_type = TicketType.get(TicketType.name == "Saturday")
    factory.order(seller, child_type, wp_user_id=3)
    via_parent = client.get(f"/tp-api/events/{parent.id}/tickets?key={seller.key}&wp_user_id=3")
    via_child = client.get(
        f"/tp-api/events/{child_type.event_id}/tickets?key={seller.key}&wp_user_id=3"
    )
    assert via_parent.get_json() == via_child.get_json()
    [ticket] = via_child.get_json()
    assert ticket["event_name"] == "Festival" and ticket["name"] == "Saturday"
    assert ticket["start_date"] == "2025-07-31T00:00:00+00:00"


@pytest.mark.parametrize("event_id", ["999999", "abc", "0", "-1"])
def test_tickets_of_unknown_event(client, factory, event_id):
    seller = factory.seller()
    response = client.get(f"/tp-api/events/{event_id}/tickets?key={seller.key}&wp_user_id=1")
    assert (response.status_code, response.get_data(as_text=True)) == (404, "Event not found")


def test_tickets_of_another_accounts_event(client, factory):
    seller, other = factory.seller(), factory.seller()
    event = factory.event(other)
    response = client.get(f"/tp-api/events/{event.id}/tickets?key={seller.key}&wp_user_id=1")
    assert (response.status_code, response.get_data(as_text=True)) == (404, "Event not found")


@pytest.mark.parametrize("query", ["", "&wp_user_id=", "&wp_user_id=%20"])
def test_tickets_without_wp_user(client, factory, query):
    seller = factory.seller()
    event = factory.event(seller)
    response = client.get(f"/tp-api/events/{event.id}/tickets?key={seller.key}{query}")
    assert (response.status_code, response.get_data(as_text=True)) == (
        400,
        "Wordpress user not specified",
    )


def test_tickets_with_a_non_numeric_wp_user(client, factory):
    seller = factory.seller()
    event = factory.event(seller)
    response = client.get(f"/tp-api/events/{event.id}/tickets?key={seller.key}&wp_user_id=x")
    assert response.status_code == 400
    assert response.get_data(as_text=True) == "wp_user_id must be an integer"


def test_unknown_paths_and_methods_answer_plain_text(client, factory):
    seller = factory.seller()
    response = client.get(f"/tp-api/nope?key={seller.key}")
    assert response.status_code == 404 and response.mimetype == "text/plain"
    response = client.delete(f"/tp-api/events?key={seller.key}")
    assert response.status_code == 405 and response.mimetype == "text/plain"


def test_health(client):
    assert client.get("/healthz").get_json() == {"status": "ok", "database": "ok"}
    assert client.get("/livez").get_json() == {"status": "ok"}


@pytest.mark.parametrize(
    "path",
    [
        "/tp-api/users/%C2%B2/events?key={key}",
        "/tp-api/events/1/tickets?key={key}&wp_user_id=--1",
        "/tp-api/events/%C2%B2/tickets?key={key}&wp_user_id=1",
        "/tp-api/events/1/tickets?key={key}&wp_user_id=%C2%B2",
        "/tp-api/orders/get-ticket?key={key}&wp_user_id=7&order_id=%C2%B2",
        "/tp-api/users/get-ticket?key={key}&wp_user_id=%00&ticket_id=x",
    ],
)
def test_odd_numbers_in_paths_and_queries_are_4xx(client, factory, path):
    seller = factory.seller()
    factory.event(seller)
    response = client.get(path.format(key=seller.key))
    assert 400 <= response.status_code < 500, response.get_data(as_text=True)
    assert response.mimetype == "text/plain"
