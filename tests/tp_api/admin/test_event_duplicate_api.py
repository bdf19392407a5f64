"""The admin API duplicates an event to new dates: its dates and sale windows move together,
and the copy is a fresh draft that sells on its own."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from tests.admin_api import api_error, iso, later, now
from tests.tp_api.admin.events_support import (
    event_row,
    field_errors,
    in_state,
    lifecycles,
    partner_order,
    placed,
)
from tp_api.models import Event, TicketType

# --- duplicate ----------------------------------------------------------------------------


@pytest.fixture
def source(api, client, seller):
    """A published festival with a sale window, a date and some tickets sold."""
    start = now() + timedelta(days=40)
    event = api.publish(
        api.create(
            title="Harbour Festival",
            slug="harbour-2027",
            description="By the water",
            city="Rotterdam",
            venueName="Pier 5",
            timezone="Europe/Amsterdam",
            currency="EUR",
            startsAt=iso(start),
            endsAt=iso(start + timedelta(days=2)),
            allowReentry=False,
            ticketTypes=[
                {
                    "name": "Weekend",
                    "price": 8900,
                    "quantity": 100,
                    "salesStart": iso(start - timedelta(days=60)),
                    "salesEnd": iso(start - timedelta(hours=2)),
                    "minPerOrder": 1,
                    "maxPerOrder": 6,
                },
                {"name": "Crew", "price": 0, "quantity": 10, "hidden": True},
            ],
            dates=[
                {
                    "title": "Saturday",
                    "startsAt": iso(start + timedelta(days=1)),
                    "endsAt": iso(start + timedelta(days=1, hours=10)),
                    "ticketTypes": [
                        {
                            "name": "Saturday only",
                            "price": 4900,
                            "quantity": 50,
                            "salesEnd": iso(start + timedelta(days=1)),
                        }
                    ],
                }
            ],
        )
    )
    placed(partner_order(client, seller, event["ticketTypes"][0]["id"], quantity=2))
    placed(partner_order(client, seller, event["dates"][0]["ticketTypes"][0]["id"], quantity=3))
    return api.event(event["id"])


def at(value):
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def moved(value, shift):
    return None if value is None else iso(at(value) + shift)


@pytest.mark.parametrize("days", [365, -20])
def test_duplicate_moves_dates_and_sale_windows(api, source, days):
    shift = timedelta(days=days, hours=3)
    starts = at(source["startsAt"]) + shift
    response = api.post(f"/events/{source['id']}/duplicate", {"startsAt": iso(starts)})
    assert response.status_code == 201
    copy = response.get_json()
    assert copy["id"] not in (source["id"], source["dates"][0]["id"])
    assert (copy["status"], copy["slug"], copy["sold"]) == ("draft", None, 0)
    assert copy["startsAt"] == iso(starts)
    assert copy["endsAt"] == moved(source["endsAt"], shift)
    same = ("title", "description", "city", "venueName", "timezone", "currency", "capacity")
    assert {k: copy[k] for k in same} == {k: source[k] for k in same}
    assert copy["allowReentry"] is False
    assert copy["available"] == 160

    def copied(original, duplicate, owner_id):
        assert duplicate["id"] != original["id"]
        assert duplicate["eventId"] == owner_id
        kept = ("name", "price", "quantity", "minPerOrder", "maxPerOrder", "hidden")
        assert {k: duplicate[k] for k in kept} == {k: original[k] for k in kept}
        assert (duplicate["sold"], duplicate["reserved"]) == (0, 0)
        assert duplicate["available"] == original["quantity"]
        assert duplicate["salesStart"] == moved(original["salesStart"], shift)
        assert duplicate["salesEnd"] == moved(original["salesEnd"], shift)

    assert len(copy["ticketTypes"]) == 2
    for original, duplicate in zip(source["ticketTypes"], copy["ticketTypes"], strict=True):
        copied(original, duplicate, copy["id"])
    [date] = copy["dates"]
    [source_date] = source["dates"]
    assert date["id"] != source_date["id"]
    assert date["title"] == "Saturday"
    assert date["startsAt"] == moved(source_date["startsAt"], shift)
    assert date["endsAt"] == moved(source_date["endsAt"], shift)
    [date_type] = date["ticketTypes"]
    copied(source_date["ticketTypes"][0], date_type, date["id"])
    # Stored as answered; the source is untouched.
    assert api.event(copy["id"]) == copy
    assert api.event(source["id"]) == source
    assert set(lifecycles(copy["id"]).values()) == {"draft"}
    row = event_row(copy["id"])
    assert (row.sold, row.reserved) == (0, 0)


def test_duplicate_with_title_slug_and_end(api, source):
    starts = now() + timedelta(days=400)
    body = {
        "startsAt": iso(starts),
        "endsAt": iso(starts + timedelta(hours=6)),
        "title": "Harbour Festival 2028",
        "slug": "harbour-2028",
    }
    response = api.post("/events/harbour-2027/duplicate", body)
    assert response.status_code == 201
    copy = response.get_json()
    assert (copy["title"], copy["slug"]) == ("Harbour Festival 2028", "harbour-2028")
    assert (copy["startsAt"], copy["endsAt"]) == (body["startsAt"], body["endsAt"])
    # The date still moves by the start's offset.
    shift = starts - at(source["startsAt"])
    assert copy["dates"][0]["startsAt"] == moved(source["dates"][0]["startsAt"], shift)
    assert api.event("harbour-2028")["id"] == copy["id"]
    assert api.event("harbour-2027")["id"] == source["id"]


def test_duplicate_to_a_taken_slug_is_409(api, source):
    before = Event.select().count(), TicketType.select().count()
    body = {"startsAt": later(400), "slug": "harbour-2027"}
    api_error(api.post(f"/events/{source['id']}/duplicate", body), 409, "slug_taken")
    assert (Event.select().count(), TicketType.select().count()) == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "startsAt"),
        ({"startsAt": "2028-01-01T10:00:00"}, "startsAt"),
        ({"startsAt": "2028-01-01T10:00:00Z", "endsAt": "2028-01-01T09:00:00Z"}, "body"),
        ({"startsAt": "2028-01-01T10:00:00Z", "status": "published"}, "status"),
        ({"startsAt": "2028-01-01T10:00:00Z", "title": ""}, "title"),
    ],
)
def test_duplicate_validation(api, source, body, field):
    before = Event.select().count()
    assert field in field_errors(api.post(f"/events/{source['id']}/duplicate", body))
    assert Event.select().count() == before


def test_duplicate_of_unknown_event_is_404(api):
    api_error(api.post("/events/777/duplicate", {"startsAt": later(9)}), 404, "event_not_found")


def test_a_duplicate_sells_on_its_own(api, client, seller, source):
    copy = api.post(f"/events/{source['id']}/duplicate", {"startsAt": later(100)}).get_json()
    api.publish(copy)
    # The weekend ticket's sale window moved with the dates: not on sale yet.
    weekend = copy["ticketTypes"][0]["id"]
    assert partner_order(client, seller, weekend).status_code == 400
    saturday = copy["dates"][0]["ticketTypes"][0]["id"]
    placed(partner_order(client, seller, saturday, quantity=4))
    assert api.ticket_type(copy["id"], saturday)["sold"] == 4
    source_saturday = source["dates"][0]["ticketTypes"][0]["id"]
    assert api.ticket_type(source["id"], source_saturday)["sold"] == 3
    assert api.event(source["id"])["sold"] == 5


def test_duplicate_of_a_cancelled_event_is_a_fresh_draft(api, client, seller):
    event = in_state(api, client, seller, "cancelled", capacity=30)
    copy = api.post(f"/events/{event['id']}/duplicate", {"startsAt": later(120)})
    assert copy.status_code == 201
    body = copy.get_json()
    assert (body["status"], body["capacity"], body["available"]) == ("draft", 30, 10)
    assert api.publish(body)["status"] == "published"
