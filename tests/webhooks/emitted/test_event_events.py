"""Event changes raise event.published, event.cancelled, event.sold_out and
ticket_type.sold_out."""

from __future__ import annotations

from typing import Any

from tests.webhooks.emitted.support import (
    Shop,
    make_shop,
    only,
    push_order,
    subscribe,
    types_of,
)
from tests.webhooks.support import (
    stored_events,
)
from tp_api.models import (
    Event,
    TicketType,
)

# --- events --------------------------------------------------------------------------------------


def test_publishing_emits_published(hooked):
    created = hooked.api.post(
        "/events",
        {
            "title": "Autumn Nights",
            "startsAt": "2031-09-01T19:00:00Z",
            "ticketTypes": [{"name": "GA", "price": 2500, "quantity": 10}],
        },
    )
    assert created.status_code == 201, created.get_data(as_text=True)
    assert stored_events("event.published") == []
    response = hooked.api.post(f"/events/{created.get_json()['id']}/publish")
    assert response.status_code == 200, response.get_data(as_text=True)
    published = only("event.published")["data"]
    assert published == response.get_json()
    assert published["status"] == "published"


def test_cancelling_a_draft_emits_cancelled(hooked):
    created = hooked.api.post(
        "/events",
        {"title": "Maybe", "startsAt": "2031-09-01T19:00:00Z", "ticketTypes": []},
    )
    assert created.status_code == 201, created.get_data(as_text=True)
    event_id = created.get_json()["id"]
    assert hooked.api.post(f"/events/{event_id}/cancel").status_code == 200
    cancelled = only("event.cancelled")["data"]
    assert cancelled == hooked.event_json(event_id)
    assert (cancelled["id"], cancelled["status"]) == (event_id, "cancelled")


def ticket_type_json(shop: Shop, type_id: int, event_id: int | None = None) -> dict[str, Any]:
    response = shop.api.get(f"/events/{event_id or shop.event.id}/ticket-types")
    assert response.status_code == 200, response.get_data(as_text=True)
    return next(t for t in response.get_json()["items"] if t["id"] == type_id)


def test_selling_the_last_unit_emits_sold_out(factory, client, settings):
    shop = make_shop(factory, client, ticket_stock=3)
    subscribe(settings, shop.seller)
    shop.push(quantity=2)
    assert stored_events("ticket_type.sold_out") == stored_events("event.sold_out") == []
    shop.push(quantity=1)
    type_sold_out = only("ticket_type.sold_out")["data"]
    assert type_sold_out == ticket_type_json(shop, shop.ticket_type.id)
    assert (type_sold_out["available"], type_sold_out["sold"]) == (0, 3)
    event_sold_out = only("event.sold_out")["data"]
    assert event_sold_out == shop.event_json()
    assert event_sold_out["status"] == "sold_out"
    # Order: the order's own events first.
    assert types_of(stored_events())[-5:] == [
        "order.created",
        "order.paid",
        "ticket.created",
        "ticket_type.sold_out",
        "event.sold_out",
    ]


def test_one_type_sold_out_is_not_the_event_sold_out(factory, client, settings):
    shop = make_shop(factory, client, ticket_stock=1)
    other = TicketType.create(event=shop.event, name="VIP", price_cents=9900, stock=5)
    subscribe(settings, shop.seller)
    shop.push(quantity=1)
    assert [e["data"]["id"] for e in stored_events("ticket_type.sold_out")] == [shop.ticket_type.id]
    assert stored_events("event.sold_out") == []
    push_order(client, shop.seller, other.id, quantity=5)
    assert [e["data"]["id"] for e in stored_events("ticket_type.sold_out")] == [
        shop.ticket_type.id,
        other.id,
    ]
    assert only("event.sold_out")["data"] == shop.event_json()


def test_a_shared_pool_running_out_is_the_event_sold_out(factory, client, settings):
    shop = make_shop(factory, client, manage_stock_per_ticket=False, stock=2, ticket_stock=50)
    subscribe(settings, shop.seller)
    shop.push(quantity=2)
    assert only("ticket_type.sold_out")["data"]["id"] == shop.ticket_type.id
    event = only("event.sold_out")["data"]
    assert event == shop.event_json()
    assert (event["available"], event["status"]) == (0, "sold_out")


def test_an_event_with_dates_is_sold_out_when_every_date_is(factory, client, settings):
    children = [
        {
            "name": f"Day {n}",
            "start_date": 1785780000 + n * 86400,
            "tickets": [{"name": f"Day {n} pass", "stock": 1, "price": 10}],
        }
        for n in (1, 2)
    ]
    shop = make_shop(factory, client, children=children, ticket_stock=1)
    subscribe(settings, shop.seller)
    dates = list(Event.select().where(Event.parent == shop.event.id).order_by(Event.id))
    day_types = [TicketType.get(TicketType.event == d).id for d in dates]
    shop.push(quantity=1)
    push_order(client, shop.seller, day_types[0])
    assert stored_events("event.sold_out") == []
    assert [e["data"]["id"] for e in stored_events("ticket_type.sold_out")] == [
        shop.ticket_type.id,
        day_types[0],
    ]
    push_order(client, shop.seller, day_types[1])
    sold_out = only("event.sold_out")["data"]
    assert sold_out["id"] == shop.event.id
    assert sold_out == shop.event_json()


def test_a_price_change_emits_price_changed_with_the_old_price_and_who(hooked):
    type_id = hooked.ticket_type.id
    path = f"/events/{hooked.event.id}/ticket-types/{type_id}"
    assert hooked.api.patch(path, {"quantity": 120}).status_code == 200
    assert stored_events("ticket_type.price_changed") == []  # no price change, no event
    response = hooked.api.patch(path, {"price": 3450})
    assert response.status_code == 200, response.get_data(as_text=True)
    data = only("ticket_type.price_changed")["data"]
    assert (data["id"], data["price"], data["previousPrice"]) == (type_id, 3450, 2995)
    assert data["currency"] == "EUR" and data["changedBy"] == "test"
    assert data == {**ticket_type_json(hooked, type_id), "previousPrice": 2995, "changedBy": "test"}


# --- availability ---------------------------------------------------------------------------------


def availability(shop: Shop) -> list[tuple[int, int, int, bool, str]]:
    """Each ticket_type.availability_changed so far: type, before, now, sold out, reason."""
    return [
        (d["id"], d["previousAvailable"], d["available"], d["soldOut"], d["reason"])
        for d in (e["data"] for e in stored_events("ticket_type.availability_changed"))
    ]


def test_selling_out_and_coming_back_emit_availability_changed(factory, client, settings):
    shop = make_shop(factory, client, ticket_stock=3)
    subscribe(settings, shop.seller)
    type_id = shop.ticket_type.id
    shop.push(quantity=2)
    assert availability(shop) == []  # one left: nothing crossed zero
    last = shop.push(quantity=1)
    assert availability(shop) == [(type_id, 1, 0, True, "sold")]
    extra = {"previousAvailable": 1, "soldOut": True, "reason": "sold"}
    data = only("ticket_type.availability_changed")["data"]
    assert data == {**ticket_type_json(shop, type_id), **extra}
    refunded = shop.api.post(f"/orders/{shop.order(last)['id']}/refund", {})
    assert refunded.status_code == 200, refunded.get_data(as_text=True)
    assert availability(shop)[1:] == [(type_id, 0, 1, False, "released")]


def test_a_shared_pool_changes_every_type_of_its_event(factory, client, settings):
    shop = make_shop(factory, client, manage_stock_per_ticket=False, stock=2, ticket_stock=50)
    other = TicketType.create(event=shop.event, name="VIP", price_cents=9900, stock=5)
    subscribe(settings, shop.seller)
    shop.push(quantity=2)
    assert availability(shop) == [
        (shop.ticket_type.id, 2, 0, True, "sold"),
        (other.id, 2, 0, True, "sold"),
    ]


def test_a_quantity_change_that_crosses_zero_emits_availability_changed(hooked):
    type_id = hooked.ticket_type.id
    path = f"/events/{hooked.event.id}/ticket-types/{type_id}"
    sold = hooked.ticket_type.stock
    hooked.push(quantity=2)
    assert hooked.api.patch(path, {"quantity": sold + 5}).status_code == 200
    assert availability(hooked) == []  # still on sale before and after
    response = hooked.api.patch(path, {"quantity": 2})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert availability(hooked) == [(type_id, sold + 3, 0, True, "capacity")]
    assert hooked.api.patch(path, {"quantity": 3}).status_code == 200
    assert availability(hooked)[1:] == [(type_id, 0, 1, False, "capacity")]


def test_raising_a_shared_capacity_brings_its_types_back(factory, client, settings):
    shop = make_shop(factory, client, manage_stock_per_ticket=False, stock=1, ticket_stock=50)
    subscribe(settings, shop.seller)
    shop.push(quantity=1)
    assert availability(shop) == [(shop.ticket_type.id, 1, 0, True, "sold")]
    response = shop.api.patch(f"/events/{shop.event.id}", {"capacity": 4})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert availability(shop)[1:] == [(shop.ticket_type.id, 0, 3, False, "capacity")]


def test_no_listener_no_availability_reads(factory, client, settings):
    shop = make_shop(factory, client, ticket_stock=1)
    subscribe(settings, shop.seller, types=["order.created"])
    shop.push(quantity=1)
    assert stored_events("ticket_type.availability_changed") == []


def test_a_dates_capacity_counts_too(factory, client, settings):
    children = [
        {
            "name": "Day 1",
            "start_date": 1785780000,
            "stock": 1,
            "tickets": [{"name": "Day pass", "stock": 5, "price": 10}],
        }
    ]
    shop = make_shop(factory, client, children=children, ticket_stock=1)
    date = Event.get(Event.parent == shop.event.id)
    day_type = TicketType.get(TicketType.event == date.id)
    subscribe(settings, shop.seller)
    response = shop.api.patch(f"/events/{shop.event.id}/dates/{date.id}", {"capacity": 0})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert availability(shop)[-1][0] == day_type.id
    assert availability(shop)[-1][2:] == (0, True, "capacity")
