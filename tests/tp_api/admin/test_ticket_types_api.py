"""The admin API's ticket types: add to an event or a date, change, remove, with the rules
against what is sold or held, and the partner API's stock following."""

from __future__ import annotations

import pytest

from tests.admin_api import api_error, later
from tests.tp_api.admin.events_support import field_errors, partner_order, placed
from tp_api.models import TicketType

# --- ticket types -------------------------------------------------------------------------


def test_add_ticket_type_to_event(api):
    event = api.create()
    body = {
        "name": "VIP",
        "price": 7500,
        "quantity": 5,
        "salesStart": later(1),
        "salesEnd": later(50),
        "minPerOrder": 1,
        "maxPerOrder": 2,
        "hidden": True,
    }
    response = api.post(f"/events/{event['id']}/ticket-types", body)
    assert response.status_code == 201
    added = response.get_json()
    assert {k: added[k] for k in body} == body
    assert added["eventId"] == event["id"]
    assert (added["sold"], added["reserved"], added["available"]) == (0, 0, 5)
    assert added["onSale"] is False  # sales start tomorrow
    reread = api.event(event["id"])
    assert [t["id"] for t in reread["ticketTypes"]] == [event["ticketTypes"][0]["id"], added["id"]]
    assert reread["ticketTypes"][1] == added
    assert reread["available"] == 15
    listed = api.get(f"/events/{event['id']}/ticket-types").get_json()["items"]
    assert listed == reread["ticketTypes"]


def test_add_ticket_type_defaults(api):
    event = api.publish(api.create())
    added = api.post(f"/events/{event['id']}/ticket-types", {"name": "Free", "quantity": 3})
    assert added.status_code == 201
    body = added.get_json()
    assert (body["price"], body["minPerOrder"], body["maxPerOrder"], body["hidden"]) == (
        0,
        1,
        None,
        False,
    )
    assert (body["salesStart"], body["salesEnd"], body["onSale"]) == (None, None, True)


def test_add_ticket_type_to_a_date(api):
    event = api.create(
        dates=[{"title": "Day 1", "startsAt": later(61)}, {"title": "Day 2", "startsAt": later(62)}]
    )
    day2 = event["dates"][1]["id"]
    response = api.post(
        f"/events/{event['id']}/dates/{day2}/ticket-types",
        {"name": "Day 2 pass", "price": 900, "quantity": 4},
    )
    assert response.status_code == 201
    added = response.get_json()
    assert added["eventId"] == day2
    reread = api.event(event["id"])
    assert reread["dates"][0]["ticketTypes"] == []
    assert reread["dates"][1]["ticketTypes"] == [added]
    assert len(reread["ticketTypes"]) == 1
    listed = api.get(f"/events/{event['id']}/ticket-types").get_json()["items"]
    assert [t["id"] for t in listed] == [event["ticketTypes"][0]["id"], added["id"]]


def test_add_ticket_type_to_a_date_of_another_event_is_404(api):
    one = api.create(dates=[{"title": "Day 1", "startsAt": later(61)}])
    two = api.create()
    date_id = one["dates"][0]["id"]
    body = {"name": "X", "quantity": 1}
    error = api_error(
        api.post(f"/events/{two['id']}/dates/{date_id}/ticket-types", body),
        404,
        "event_date_not_found",
    )
    assert error["message"] == "Event date not found"
    api_error(
        api.post(f"/events/{one['id']}/dates/{one['id']}/ticket-types", body),
        404,
        "event_date_not_found",
    )
    api_error(
        api.post(f"/events/{one['id']}/dates/987654/ticket-types", body),
        404,
        "event_date_not_found",
    )
    assert TicketType.select().count() == 2


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"quantity": 1}, "name"),
        ({"name": "X"}, "quantity"),
        ({"name": "X", "quantity": 1, "price": -5}, "price"),
        ({"name": "X", "quantity": 1, "salesStart": "2027-01-01T00:00:00"}, "salesStart"),
        ({"name": "X", "quantity": 1, "extra": 1}, "extra"),
        (
            {
                "name": "X",
                "quantity": 1,
                "salesStart": "2027-01-02T00:00:00Z",
                "salesEnd": "2027-01-01T00:00:00Z",
            },
            "body",
        ),
        ({"name": "X", "quantity": 1, "minPerOrder": 3, "maxPerOrder": 2}, "body"),
    ],
)
def test_add_ticket_type_validation(api, body, field):
    event = api.create()
    assert field in field_errors(api.post(f"/events/{event['id']}/ticket-types", body))
    assert api.event(event["id"])["ticketTypes"] == event["ticketTypes"]


def test_add_ticket_type_updates_the_partner_stock(api, client, seller):
    event = api.publish(api.create())  # a draft is listed with stock 0 (docs/partner-api.md)
    assert (
        api.post(f"/events/{event['id']}/ticket-types", {"name": "VIP", "quantity": 5}).status_code
        == 201
    )
    [listed] = client.get(f"/tp-api/events?key={seller.key}").get_json()
    assert listed["stock"] == 15
    assert [t["stock"] for t in listed["tickets"]] == [10, 5]


def test_patch_ticket_type(api):
    event = api.publish(api.create())
    type_id = event["ticketTypes"][0]["id"]
    changes = {
        "name": "Regular",
        "price": 3000,
        "quantity": 25,
        "salesStart": later(-1),
        "salesEnd": later(30),
        "minPerOrder": 2,
        "maxPerOrder": 8,
        "hidden": True,
    }
    response = api.patch(f"/events/{event['id']}/ticket-types/{type_id}", changes)
    assert response.status_code == 200
    updated = response.get_json()
    assert {k: updated[k] for k in changes} == changes
    assert (updated["id"], updated["eventId"], updated["available"]) == (type_id, event["id"], 25)
    assert updated["onSale"] is True
    assert api.ticket_type(event["id"], type_id) == updated
    # Only what is sent changes; null clears the optional rules.
    again = api.patch(
        f"/events/{event['id']}/ticket-types/{type_id}",
        {"salesEnd": None, "maxPerOrder": None},
    ).get_json()
    assert (again["salesEnd"], again["maxPerOrder"]) == (None, None)
    assert (again["name"], again["price"], again["salesStart"], again["minPerOrder"]) == (
        "Regular",
        3000,
        changes["salesStart"],
        2,
    )


def test_patch_ticket_type_of_a_date(api):
    event = api.create(
        dates=[
            {
                "title": "Day 1",
                "startsAt": later(61),
                "ticketTypes": [{"name": "Day", "price": 100, "quantity": 3}],
            }
        ]
    )
    type_id = event["dates"][0]["ticketTypes"][0]["id"]
    response = api.patch(f"/events/{event['id']}/ticket-types/{type_id}", {"price": 150})
    assert response.status_code == 200
    assert api.event(event["id"])["dates"][0]["ticketTypes"][0]["price"] == 150


def test_patch_ticket_type_quantity_below_sold_is_422(api, client, seller):
    event = api.publish(api.create())
    type_id = event["ticketTypes"][0]["id"]
    placed(partner_order(client, seller, type_id, quantity=3))
    placed(partner_order(client, seller, type_id, quantity=2, paid=False))
    path = f"/events/{event['id']}/ticket-types/{type_id}"
    error = api_error(api.patch(path, {"quantity": 4, "price": 1}), 422, "quantity_below_sold")
    assert error["message"] == "quantity 4 is below the 5 tickets already sold or reserved"
    unchanged = api.ticket_type(event["id"], type_id)
    assert (unchanged["quantity"], unchanged["price"]) == (10, 2500)
    exact = api.patch(path, {"quantity": 5})
    assert exact.status_code == 200
    assert (exact.get_json()["available"], exact.get_json()["onSale"]) == (0, False)


def test_patch_ticket_type_rules_against_the_stored_values(api):
    event = api.create(
        ticketTypes=[
            {
                "name": "GA",
                "quantity": 10,
                "salesStart": later(1),
                "salesEnd": later(20),
                "minPerOrder": 2,
                "maxPerOrder": 4,
            }
        ]
    )
    path = f"/events/{event['id']}/ticket-types/{event['ticketTypes'][0]['id']}"
    error = api_error(api.patch(path, {"salesEnd": later(1)}), 422, "invalid_sales_window")
    assert error["message"] == "salesEnd must be after salesStart"
    api_error(api.patch(path, {"salesStart": later(25)}), 422, "invalid_sales_window")
    error = api_error(api.patch(path, {"minPerOrder": 5}), 422, "invalid_per_order_limits")
    assert error["message"] == "maxPerOrder must not be below minPerOrder"
    api_error(api.patch(path, {"maxPerOrder": 1}), 422, "invalid_per_order_limits")
    assert api.event(event["id"])["ticketTypes"] == event["ticketTypes"]
    # Both ends sent together are checked by the schema.
    both = {"salesStart": later(5), "salesEnd": later(5)}
    assert "body" in field_errors(api.patch(path, both))
    assert "body" in field_errors(api.patch(path, {"minPerOrder": 3, "maxPerOrder": 2}))


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"quantity": -1}, "quantity"),
        ({"price": "free"}, "price"),
        ({"hidden": "maybe"}, "hidden"),
        ({"eventId": 3}, "eventId"),
        ({"salesEnd": "2027-01-01 10:00"}, "salesEnd"),
    ],
)
def test_patch_ticket_type_validation(api, body, field):
    event = api.create()
    path = f"/events/{event['id']}/ticket-types/{event['ticketTypes'][0]['id']}"
    assert field in field_errors(api.patch(path, body))


def test_ticket_type_of_another_event_is_404(api):
    one, two = api.create(), api.create()
    other_type = two["ticketTypes"][0]["id"]
    path = f"/events/{one['id']}/ticket-types/{other_type}"
    error = api_error(api.patch(path, {"price": 1}), 404, "ticket_type_not_found")
    assert error["message"] == "Ticket type not found"
    api_error(api.delete(path), 404, "ticket_type_not_found")
    api_error(api.delete(f"/events/{one['id']}/ticket-types/424242"), 404, "ticket_type_not_found")
    assert api.event(two["id"])["ticketTypes"] == two["ticketTypes"]


def test_patch_ticket_type_quantity_updates_the_partner_stock(api, client, seller):
    event = api.publish(api.create())  # a draft is listed with stock 0 (docs/partner-api.md)
    path = f"/events/{event['id']}/ticket-types/{event['ticketTypes'][0]['id']}"
    assert api.patch(path, {"quantity": 50}).status_code == 200
    [listed] = client.get(f"/tp-api/events?key={seller.key}").get_json()
    assert [t["stock"] for t in listed["tickets"]] == [50]
    assert listed["stock"] == 50


def test_delete_unsold_ticket_type(api, client, seller):
    event = api.create(
        ticketTypes=[
            {"name": "GA", "price": 100, "quantity": 10},
            {"name": "VIP", "price": 900, "quantity": 4},
        ],
        dates=[
            {
                "title": "Day 1",
                "startsAt": later(61),
                "ticketTypes": [{"name": "Day", "price": 50, "quantity": 3}],
            }
        ],
    )
    event = api.publish(event)  # a draft is listed with stock 0 (docs/partner-api.md)
    vip = event["ticketTypes"][1]["id"]
    response = api.delete(f"/events/{event['id']}/ticket-types/{vip}")
    assert response.status_code == 204
    assert response.get_data() == b""
    reread = api.event(event["id"])
    assert [t["name"] for t in reread["ticketTypes"]] == ["GA"]
    assert reread["available"] == 13
    assert TicketType.get_or_none(TicketType.id == vip) is None
    day = event["dates"][0]["ticketTypes"][0]["id"]
    assert api.delete(f"/events/{event['id']}/ticket-types/{day}").status_code == 204
    assert api.event(event["id"])["dates"][0]["ticketTypes"] == []
    [listed] = client.get(f"/tp-api/events?key={seller.key}").get_json()
    assert listed["stock"] == 10
    # Gone: a second delete is 404.
    api_error(api.delete(f"/events/{event['id']}/ticket-types/{vip}"), 404, "ticket_type_not_found")


def test_delete_sold_ticket_type_is_422(api, client, seller):
    event = api.publish(api.create())
    type_id = event["ticketTypes"][0]["id"]
    order_id = placed(partner_order(client, seller, type_id, quantity=1))
    path = f"/events/{event['id']}/ticket-types/{type_id}"
    error = api_error(api.delete(path), 422, "ticket_type_sold")
    assert error["message"] == "Cannot remove a ticket type that has sold tickets"
    # Still refused after the order is refunded: the order line names it.
    assert api.post(f"/orders/{order_id}/refund", {}).status_code == 200
    assert api.ticket_type(event["id"], type_id)["sold"] == 0
    api_error(api.delete(path), 422, "ticket_type_sold")
    assert len(api.event(event["id"])["ticketTypes"]) == 1


def test_delete_reserved_ticket_type_is_422(api, client, seller):
    event = api.publish(api.create())
    type_id = event["ticketTypes"][0]["id"]
    placed(partner_order(client, seller, type_id, quantity=2, paid=False))
    error = api_error(
        api.delete(f"/events/{event['id']}/ticket-types/{type_id}"), 422, "ticket_type_sold"
    )
    assert error["message"] == "Cannot remove a ticket type that has sold tickets"
