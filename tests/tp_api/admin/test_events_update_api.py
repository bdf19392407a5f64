"""The admin API updates events (``PATCH /api/v1/events/{id}``): only the fields sent,
validation against the stored values, and capacity against what is sold."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.admin_api import api_error, iso, later, now
from tests.tp_api.admin.events_support import event_row, field_errors, partner_order, placed

# --- update -------------------------------------------------------------------------------


def test_patch_changes_only_the_fields_sent(api):
    event = api.create(
        title="Old title",
        description="Old description",
        city="Leiden",
        venueName="Hall A",
        endsAt=later(60, hours=3),
    )
    starts = now() + timedelta(days=120)
    changes = {
        "title": "New title",
        "startsAt": iso(starts),
        "endsAt": iso(starts + timedelta(hours=5)),
        "timezone": "America/New_York",
        "venueName": "Hall B",
        "currency": "GBP",
        "allowReentry": False,
        "requirePersonalisation": False,
        "sendReminders": False,
    }
    response = api.patch(f"/events/{event['id']}", changes)
    assert response.status_code == 200
    updated = response.get_json()
    assert {k: updated[k] for k in changes} == changes
    # Untouched.
    assert (updated["description"], updated["city"], updated["status"]) == (
        "Old description",
        "Leiden",
        "draft",
    )
    assert updated["createdAt"] == event["createdAt"]
    assert updated["updatedAt"] >= event["updatedAt"]
    # The ticket types are rendered in the new currency.
    assert [t["currency"] for t in updated["ticketTypes"]] == ["GBP"]
    assert api.event(event["id"]) == updated


def test_patch_clears_ends_at_with_null(api):
    event = api.create(endsAt=later(60, hours=4))
    response = api.patch(f"/events/{event['id']}", {"endsAt": None})
    assert response.status_code == 200
    assert response.get_json()["endsAt"] is None


def test_patch_refuses_an_end_before_the_stored_start(api):
    event = api.create(startsAt=later(60))
    response = api.patch(f"/events/{event['id']}", {"endsAt": later(59)})
    error = api_error(response, 422, "invalid_dates")
    assert error["message"] == "endsAt must not be before startsAt"
    assert api.event(event["id"])["endsAt"] is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"status": "published"}, "status"),
        ({"ticketTypes": []}, "ticketTypes"),
        ({"startsAt": "2027-01-01T10:00:00"}, "startsAt"),
        ({"currency": "usd"}, "currency"),
        ({"timezone": "Europe/Atlantis"}, "timezone"),
        ({"capacity": -3}, "capacity"),
        ({"slug": "UPPER"}, "slug"),
    ],
)
def test_patch_validation(api, body, field):
    event = api.create()
    assert field in field_errors(api.patch(f"/events/{event['id']}", body))
    assert api.event(event["id"]) == event


def test_patch_refuses_a_body_that_is_not_json(api):
    event = api.create()
    api_error(api.patch(f"/events/{event['id']}", None, raw="{oops"), 400, "invalid_json")
    api_error(api.patch(f"/events/{event['id']}", None, raw="[]"), 400, "invalid_json")


def test_capacity_cannot_go_below_what_is_sold(api, client, seller):
    event = api.publish(api.create(ticketTypes=[{"name": "GA", "price": 2500, "quantity": 10}]))
    type_id = event["ticketTypes"][0]["id"]
    placed(partner_order(client, seller, type_id, quantity=3))
    placed(partner_order(client, seller, type_id, quantity=1, paid=False))  # reserved
    error = api_error(
        api.patch(f"/events/{event['id']}", {"capacity": 3}), 422, "capacity_below_sold"
    )
    assert "below the 4 tickets already sold or reserved" in error["message"]
    assert api.event(event["id"])["capacity"] is None
    exact = api.patch(f"/events/{event['id']}", {"capacity": 4})
    assert exact.status_code == 200
    body = exact.get_json()
    assert (body["capacity"], body["available"], body["status"]) == (4, 0, "sold_out")
    # The shared pool now counts what the types hold.
    row = event_row(event["id"])
    assert (row.sold, row.reserved, row.stock, row.manage_stock_per_ticket) == (3, 1, 4, False)
    # Once shared, the pool's own counters decide.
    api_error(api.patch(f"/events/{event['id']}", {"capacity": 2}), 422, "capacity_below_sold")
    wider = api.patch(f"/events/{event['id']}", {"capacity": 6}).get_json()
    assert (wider["capacity"], wider["available"], wider["status"]) == (6, 2, "published")


def test_an_event_capacity_covers_its_own_types_not_its_dates(api, client, seller):
    """Each date has its own capacity; the parent's pool limits the parent's own types."""
    event = api.publish(
        api.create(
            ticketTypes=[],
            dates=[
                {
                    "title": "Day 1",
                    "startsAt": later(61),
                    "ticketTypes": [{"name": "Day pass", "price": 1000, "quantity": 10}],
                }
            ],
        )
    )
    day_pass = event["dates"][0]["ticketTypes"][0]["id"]
    placed(partner_order(client, seller, day_pass, quantity=3))
    assert api.event(event["id"])["sold"] == 3
    response = api.patch(f"/events/{event['id']}", {"capacity": 1})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["capacity"] == 1
    # The date still sells from its own stock.
    placed(partner_order(client, seller, day_pass, quantity=2))
    assert api.event(event["id"])["dates"][0]["ticketTypes"][0]["sold"] == 5


def test_removing_the_capacity_makes_the_types_decide_again(api, client, seller):
    event = api.create(
        capacity=100,
        ticketTypes=[
            {"name": "A", "price": 100, "quantity": 10},
            {"name": "B", "price": 100, "quantity": 10},
        ],
    )
    api.publish(event)  # a draft is listed with stock 0 (docs/partner-api.md)
    response = api.patch(f"/events/{event['id']}", {"capacity": None})
    assert response.status_code == 200
    assert (response.get_json()["capacity"], response.get_json()["available"]) == (None, 20)
    [listed] = client.get(f"/tp-api/events?key={seller.key}").get_json()
    assert listed["stock"] == 20
