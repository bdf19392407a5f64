"""The admin API's availability of an event: hidden types left out, sales followed, nothing
on sale before publishing."""

from __future__ import annotations

import pytest

from tests.admin_api import api_error, later
from tests.tp_api.admin.events_support import partner_order, placed

# --- availability -------------------------------------------------------------------------


def _festival_with_hidden_types() -> dict:
    """An event body: GA, a hidden guest list and a later sale window, and one date with a
    hidden crew type."""
    return {
        "currency": "EUR",
        "ticketTypes": [
            {"name": "GA", "price": 2500, "quantity": 10},
            {"name": "Guest list", "price": 0, "quantity": 50, "hidden": True},
            {"name": "Later", "price": 3000, "quantity": 5, "salesStart": later(1)},
        ],
        "dates": [
            {
                "title": "Day 1",
                "startsAt": later(61),
                "ticketTypes": [
                    {"name": "Day", "price": 1000, "quantity": 4},
                    {"name": "Day crew", "price": 0, "quantity": 9, "hidden": True},
                ],
            }
        ],
    }


def _on_sale(type_id: int, name: str, price: int, available: int, on_sale: bool = True) -> dict:
    return {
        "id": type_id,
        "name": name,
        "price": price,
        "available": available,
        "onSale": on_sale,
        "soldOut": False,
    }


def test_availability_leaves_out_hidden_types_and_follows_sales(api, client, seller):
    event = api.publish(api.create(**_festival_with_hidden_types()))
    ga, _guest, later_type = (t["id"] for t in event["ticketTypes"])
    day, _crew = (t["id"] for t in event["dates"][0]["ticketTypes"])
    response = api.get(f"/events/{event['id']}/availability")
    assert response.status_code == 200
    availability = response.get_json()
    date_id = event["dates"][0]["id"]
    before = availability.pop("available"), availability["dates"][0].pop("available")
    assert availability == {
        "eventId": event["id"],
        "status": "published",
        "currency": "EUR",
        "ticketTypes": [
            _on_sale(ga, "GA", 2500, 10),
            _on_sale(later_type, "Later", 3000, 5, on_sale=False),
        ],
        "dates": [
            {
                "eventId": date_id,
                "status": "published",
                "currency": "EUR",
                "ticketTypes": [_on_sale(day, "Day", 1000, 4)],
                "dates": [],
            }
        ],
    }
    placed(partner_order(client, seller, ga, quantity=3))
    placed(partner_order(client, seller, day, quantity=4))
    after = api.get(f"/events/{event['id']}/availability").get_json()
    assert after["available"] == before[0] - 7
    assert after["dates"][0]["available"] == before[1] - 4
    assert [(t["id"], t["available"]) for t in after["ticketTypes"]] == [(ga, 7), (later_type, 5)]
    [day_row] = after["dates"][0]["ticketTypes"]
    assert (day_row["available"], day_row["onSale"], day_row["soldOut"]) == (0, False, True)


def test_availability_totals_leave_out_hidden_types(api):
    event = api.publish(
        api.create(
            ticketTypes=[
                {"name": "GA", "price": 2500, "quantity": 10},
                {"name": "Guest list", "price": 0, "quantity": 50, "hidden": True},
            ],
            dates=[
                {
                    "title": "Day 1",
                    "startsAt": later(61),
                    "ticketTypes": [
                        {"name": "Day", "price": 1000, "quantity": 4},
                        {"name": "Day crew", "price": 0, "quantity": 9, "hidden": True},
                    ],
                }
            ],
        )
    )
    availability = api.get(f"/events/{event['id']}/availability").get_json()
    assert availability["dates"][0]["available"] == 4
    assert availability["available"] == 14


def test_availability_of_a_draft_sells_nothing(api):
    event = api.create()
    availability = api.get(f"/events/{event['id']}/availability").get_json()
    assert availability["status"] == "draft"
    assert availability["available"] == 0
    assert [(t["available"], t["onSale"], t["soldOut"]) for t in availability["ticketTypes"]] == [
        (0, False, False)
    ]


@pytest.mark.parametrize("state", ["draft", "completed", "cancelled"])
def test_ticket_types_of_an_event_not_on_sale_are_not_on_sale(api, state):
    event = api.create()
    if state == "completed":
        api.publish(event)
        assert api.post(f"/events/{event['id']}/complete").status_code == 200
    if state == "cancelled":
        assert api.post(f"/events/{event['id']}/cancel").status_code == 200
    shown = api.event(event["id"])
    assert shown["status"] == state
    assert [t["onSale"] for t in shown["ticketTypes"]] == [False]


def test_availability_of_unknown_event_is_404(api):
    api_error(api.get("/events/31337/availability"), 404, "event_not_found")
