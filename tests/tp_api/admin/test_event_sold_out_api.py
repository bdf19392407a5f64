"""An event is sold out when every ticket is sold or held (hidden types aside, shared pools
included) and back on sale after a refund."""

from __future__ import annotations

from tests.admin_api import later
from tests.tp_api.admin.events_support import (
    in_state,
    partner_order,
    placed,
)
from tp_api.models import Order

# --- sold out -----------------------------------------------------------------------------


def test_sold_out_when_every_ticket_is_sold_and_back_after_a_refund(api, client, seller):
    event = api.publish(api.create(ticketTypes=[{"name": "GA", "price": 2500, "quantity": 3}]))
    type_id = event["ticketTypes"][0]["id"]
    first = placed(partner_order(client, seller, type_id, quantity=1))
    assert api.event(event["id"])["status"] == "published"
    last = placed(partner_order(client, seller, type_id, quantity=2))
    shown = api.event(event["id"])
    assert (shown["status"], shown["sold"], shown["available"]) == ("sold_out", 3, 0)
    assert api.list_ids(status="sold_out") == [event["id"]]
    assert api.list_ids(status="published") == []
    availability = api.get(f"/events/{event['id']}/availability").get_json()
    assert (availability["status"], availability["available"]) == ("sold_out", 0)
    assert [(t["available"], t["onSale"], t["soldOut"]) for t in availability["ticketTypes"]] == [
        (0, False, True)
    ]
    # The next order is refused.
    assert partner_order(client, seller, type_id).status_code == 409
    # A full refund ({}) frees the seats: published again.
    refunded = api.post(f"/orders/{last}/refund", {})
    assert refunded.status_code == 200
    assert (refunded.get_json()["status"], refunded.get_json()["refunded"]) == ("refunded", 5990)
    shown = api.event(event["id"])
    assert (shown["status"], shown["sold"], shown["available"]) == ("published", 1, 2)
    assert api.list_ids(status="published") == [event["id"]]
    assert api.list_ids(status="sold_out") == []
    assert api.get(f"/events/{event['id']}/availability").get_json()["status"] == "published"
    placed(partner_order(client, seller, type_id, quantity=2))
    assert api.event(event["id"])["status"] == "sold_out"
    assert api.order(first)["status"] == "processing"


def test_sold_out_counts_reservations_and_ignores_hidden_types(api, client, seller):
    event = api.publish(
        api.create(
            ticketTypes=[
                {"name": "GA", "price": 2500, "quantity": 2},
                {"name": "Guest list", "price": 0, "quantity": 40, "hidden": True},
            ],
            dates=[
                {
                    "title": "Day 1",
                    "startsAt": later(61),
                    "ticketTypes": [{"name": "Day", "price": 1000, "quantity": 1}],
                }
            ],
        )
    )
    ga = event["ticketTypes"][0]["id"]
    day = event["dates"][0]["ticketTypes"][0]["id"]
    placed(partner_order(client, seller, ga, quantity=2, paid=False))
    # The date still has a ticket: not sold out.
    assert api.event(event["id"])["status"] == "published"
    placed(partner_order(client, seller, day, quantity=1))
    assert api.event(event["id"])["status"] == "sold_out"
    assert api.list_ids(status="sold_out") == [event["id"]]


def test_a_full_shared_pool_is_sold_out(api, client, seller):
    event = api.publish(
        api.create(
            capacity=2,
            ticketTypes=[
                {"name": "A", "price": 100, "quantity": 5},
                {"name": "B", "price": 100, "quantity": 5},
            ],
        )
    )
    a, b = (t["id"] for t in event["ticketTypes"])
    number = placed(partner_order(client, seller, a, quantity=2))
    shown = api.event(event["id"])
    assert (shown["status"], shown["available"]) == ("sold_out", 0)
    assert [t["available"] for t in shown["ticketTypes"]] == [3, 5]
    assert api.list_ids(status="sold_out") == [event["id"]]
    # The pool refuses the other type too.
    assert partner_order(client, seller, b).status_code == 409
    # A partial refund (one unit) frees one seat.
    line = api.order(number)["lines"][0]["id"]
    partial = api.post(f"/orders/{number}/refund", {"lines": [{"lineId": line, "quantity": 1}]})
    assert partial.status_code == 200
    shown = api.event(event["id"])
    assert (shown["status"], shown["available"], shown["sold"]) == ("published", 1, 1)
    assert api.list_ids(status="published") == [event["id"]]


def test_a_sold_out_event_can_be_cancelled_and_everything_is_released(api, client, seller):
    event = in_state(api, client, seller, "sold_out")
    response = api.post(f"/events/{event['id']}/cancel")
    assert response.status_code == 200
    body = response.get_json()
    assert (body["status"], body["sold"], body["available"]) == ("cancelled", 0, 2)
    assert {o.status for o in Order.select()} == {"refunded"}


def test_live_only_leaves_out_events_past_their_end(api, client, seller):
    ended = api.publish(api.create(startsAt=later(-2), endsAt=later(0, seconds=-1)))
    running = api.publish(api.create(startsAt=later(-2), endsAt=later(0, hours=1)))
    assert api.list_ids(liveOnly="true") == [running["id"]]
    assert api.post(f"/events/{running['id']}/complete").status_code == 200
    assert api.list_ids(liveOnly="true") == []
    assert api.event(ended["id"])["status"] == "published"
