"""The admin API cancels an event: paid orders refunded (fees included), unpaid ones
cancelled, shared pools released, partner orders refused afterwards."""

from __future__ import annotations

import json

import pytest

from tests.admin_api import later
from tests.factories import order_body
from tests.tp_api.admin.events_support import (
    event_row,
    field_errors,
    lifecycles,
    order_row,
    partner_order,
    placed,
    tickets_of,
)
from tp_api.models import Refund, Ticket, TicketStatus, TicketType

# --- cancel -------------------------------------------------------------------------------


@pytest.fixture
def festival(api, client, seller):
    """A published event (two types and a date) with orders, and another event."""
    event = api.publish(
        api.create(
            title="Doomed",
            ticketTypes=[
                {"name": "GA", "price": 2500, "quantity": 20},
                {"name": "VIP", "price": 9000, "quantity": 5},
            ],
            dates=[
                {
                    "title": "Day 1",
                    "startsAt": later(61),
                    "ticketTypes": [{"name": "Day", "price": 1000, "quantity": 10}],
                }
            ],
        )
    )
    other = api.publish(api.create(title="Unaffected"))
    ga, vip = (t["id"] for t in event["ticketTypes"])
    day = event["dates"][0]["ticketTypes"][0]["id"]
    other_type = other["ticketTypes"][0]["id"]
    orders = {
        "paid": placed(partner_order(client, seller, ga, quantity=2, wp_order_id="wc_101")),
        "unpaid": placed(
            partner_order(client, seller, vip, quantity=1, paid=False, wp_order_id="wc_102")
        ),
        "date": placed(partner_order(client, seller, day, quantity=3, wp_order_id="wc_103")),
        "other": placed(partner_order(client, seller, other_type, quantity=1)),
    }
    mixed = order_body(ga, quantity=1, wp_order_id="wc_105")
    mixed["order_lines"].append({**mixed["order_lines"][0], "tp_event_ticket_id": other_type})
    mixed["order_total"] = 59.90
    orders["mixed"] = placed(
        client.post(
            f"/tp-api/orders/create?key={seller.key}",
            data=json.dumps(mixed),
            content_type="application/json",
        )
    )
    # One ticket was already scanned at the door: the event is off, it is cancelled too.
    scanned = tickets_of(order_row(orders["paid"]).id)[0]
    Ticket.update(status=TicketStatus.SCANNED_IN).where(Ticket.id == scanned.id).execute()
    return {"event": event, "other": other, "orders": orders, "types": (ga, vip, day)}


def test_cancel_refunds_paid_orders_and_cancels_unpaid_ones(api, festival):
    event, orders = festival["event"], festival["orders"]
    assert api.event(event["id"])["sold"] == 6
    response = api.post(f"/events/{event['id']}/cancel", {"reason": "Storm warning"})
    assert response.status_code == 200
    cancelled = response.get_json()
    assert cancelled["status"] == "cancelled"
    # Every unit is back: nothing sold, nothing reserved.
    assert cancelled["sold"] == 0
    types = cancelled["ticketTypes"] + cancelled["dates"][0]["ticketTypes"]
    assert [(t["name"], t["sold"], t["reserved"], t["available"]) for t in types] == [
        ("GA", 0, 0, 20),
        ("VIP", 0, 0, 5),
        ("Day", 0, 0, 10),
    ]
    assert set(lifecycles(event["id"]).values()) == {"cancelled"}
    # Every ticket of the event, scanned one included, is cancelled.
    scope = [event["id"], event["dates"][0]["id"]]
    statuses = {t.status for t in Ticket.select().where(Ticket.event.in_(scope))}
    assert statuses == {TicketStatus.CANCELLED}

    paid = api.order(orders["paid"])
    assert (paid["status"], paid["total"], paid["refunded"]) == ("refunded", 5990, 5990)
    [refund] = paid["refunds"]
    assert (refund["amount"], refund["reason"]) == (5990, "Storm warning")
    assert refund["lines"] == [{"lineId": paid["lines"][0]["id"], "quantity": 2, "amount": 5990}]
    assert [line["refundedQuantity"] for line in paid["lines"]] == [2]
    assert {t["status"] for t in paid["tickets"]} == {"cancelled"}

    on_date = api.order(orders["date"])
    assert (on_date["status"], on_date["refunded"]) == ("refunded", 8985)
    assert len(on_date["tickets"]) == 3
    assert {t["status"] for t in on_date["tickets"]} == {"cancelled"}

    unpaid = api.order(orders["unpaid"])
    assert (unpaid["status"], unpaid["refunded"], unpaid["refunds"]) == ("cancelled", 0, [])


def test_cancel_refunds_a_mixed_order_only_for_this_event(api, festival):
    event, other, orders = festival["event"], festival["other"], festival["orders"]
    assert api.post(f"/events/{event['id']}/cancel", {}).status_code == 200
    mixed = api.order(orders["mixed"])
    assert (mixed["status"], mixed["total"], mixed["refunded"]) == ("processing", 5990, 2995)
    [refund] = mixed["refunds"]
    assert (refund["amount"], refund["reason"]) == (2995, "event cancelled")
    this_line, other_line = mixed["lines"]
    assert refund["lines"] == [{"lineId": this_line["id"], "quantity": 1, "amount": 2995}]
    assert (this_line["refundedQuantity"], other_line["refundedQuantity"]) == (1, 0)
    by_event = {t["eventId"]: t["status"] for t in mixed["tickets"]}
    assert by_event == {event["id"]: "cancelled", other["id"]: "created"}
    # The other event keeps its sales and its status.
    untouched = api.event(other["id"])
    assert (untouched["status"], untouched["sold"]) == ("published", 2)
    alone = api.order(orders["other"])
    assert (alone["status"], alone["refunded"], alone["refunds"]) == ("processing", 0, [])
    assert {t["status"] for t in alone["tickets"]} == {"created"}


def test_cancel_leaves_already_refunded_orders_alone(api, festival):
    event, orders = festival["event"], festival["orders"]
    assert (
        api.post(f"/orders/{orders['date']}/refund", {"reason": "changed plans"}).status_code == 200
    )
    assert api.post(f"/events/{event['id']}/cancel").status_code == 200
    on_date = api.order(orders["date"])
    assert on_date["refunded"] == 8985
    assert [r["reason"] for r in on_date["refunds"]] == ["changed plans"]
    assert Refund.select().where(Refund.order == order_row(orders["date"]).id).count() == 1


def test_cancel_releases_a_shared_pool(api, client, seller):
    event = api.publish(
        api.create(
            capacity=6,
            ticketTypes=[
                {"name": "A", "price": 100, "quantity": 5},
                {"name": "B", "price": 100, "quantity": 5},
            ],
        )
    )
    a, b = (t["id"] for t in event["ticketTypes"])
    placed(partner_order(client, seller, a, quantity=3))
    placed(partner_order(client, seller, b, quantity=2, paid=False))
    row = event_row(event["id"])
    assert (row.sold, row.reserved) == (3, 2)
    cancelled = api.post(f"/events/{event['id']}/cancel").get_json()
    assert (cancelled["status"], cancelled["sold"], cancelled["available"]) == ("cancelled", 0, 6)
    row = event_row(event["id"])
    assert (row.sold, row.reserved) == (0, 0)
    assert [(t.sold, t.reserved) for t in TicketType.select().order_by(TicketType.id)] == [
        (0, 0),
        (0, 0),
    ]


def test_cancel_a_draft_without_orders(api):
    api.create(slug="never-happened")
    response = api.post("/events/never-happened/cancel", {"reason": "No venue"})
    assert response.status_code == 200
    assert response.get_json()["status"] == "cancelled"
    assert Refund.select().count() == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [({"reason": 5}, "reason"), ({"reason": "x" * 501}, "reason"), ({"refund": False}, "refund")],
)
def test_cancel_validation(api, festival, body, field):
    event = festival["event"]
    assert field in field_errors(api.post(f"/events/{event['id']}/cancel", body))
    assert api.event(event["id"])["status"] == "published"
    assert order_row(festival["orders"]["paid"]).status == "processing"


def test_partner_orders_are_refused_after_cancel(api, client, seller, festival):
    event = festival["event"]
    assert api.post(f"/events/{event['id']}/cancel").status_code == 200
    ga = festival["types"][0]
    refused = partner_order(client, seller, ga)
    assert refused.status_code == 400
    assert refused.mimetype == "text/plain"
    assert refused.get_data(as_text=True) == (
        f"Ticket type GA ({ga}) is not on sale: the event is cancelled"
    )


def test_cancel_refunds_an_order_for_this_event_only_in_full_fees_included(
    api, client, festival, seller
):
    event = festival["event"]
    ga = festival["types"][0]
    body = order_body(ga, quantity=1, wp_order_id="wc_fee")
    body["order_lines"].append(
        {
            "name": "Booking fee",
            "quantity": 1,
            "product_id": 900,
            "order_item_type": "fee",
            "unit_price": 2.50,
        }
    )
    body["order_total"] = 32.45
    with_fee = placed(
        client.post(
            f"/tp-api/orders/create?key={seller.key}",
            data=json.dumps(body),
            content_type="application/json",
        )
    )
    assert api.post(f"/events/{event['id']}/cancel", {}).status_code == 200
    order = api.order(with_fee)
    assert (order["status"], order["total"], order["refunded"]) == ("refunded", 3245, 3245)
    assert [line["refundedQuantity"] for line in order["lines"]] == [1, 1]
