"""The admin API creates events (``POST /api/v1/events``): ticket types, dates, shared
capacity, and validation of every field."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest

from tests.admin_api import api_error, event_body, iso, later, now
from tests.tp_api.admin.events_support import field_errors
from tp_api.models import Event, TicketType


def full_body():
    """A create body using every field, with one hidden ticket type and a child date."""
    start = now() + timedelta(days=90)
    return {
        "title": "Harbour Festival",
        "slug": "harbour-festival",
        "description": "Two days of music by the water.",
        # An offset other than UTC: stored and rendered as UTC.
        "startsAt": (start.astimezone(UTC) + timedelta(hours=2)).strftime(
            "%Y-%m-%dT%H:%M:%S+02:00"
        ),
        "endsAt": iso(start + timedelta(days=1)),
        "timezone": "Europe/Amsterdam",
        "venueName": "Pier 5",
        "city": "Rotterdam",
        "currency": "USD",
        "allowReentry": False,
        "requirePersonalisation": False,
        "sendReminders": False,
        "ticketTypes": [
            {
                "name": "Weekend",
                "price": 8900,
                "quantity": 200,
                "salesStart": iso(start - timedelta(days=60)),
                "salesEnd": iso(start),
                "minPerOrder": 2,
                "maxPerOrder": 6,
            },
            {"name": "Crew", "price": 0, "quantity": 20, "hidden": True},
        ],
        "dates": [
            {
                "title": "Saturday",
                "startsAt": iso(start + timedelta(hours=1)),
                "endsAt": iso(start + timedelta(hours=12)),
                "capacity": 150,
                "ticketTypes": [{"name": "Saturday only", "price": 4900, "quantity": 100}],
            },
            {"title": "Sunday", "startsAt": iso(start + timedelta(days=1))},
        ],
    }, start


# --- create -------------------------------------------------------------------------------


def test_create_event_with_ticket_types_and_dates(api):
    body, start = full_body()
    response = api.post("/events", body)
    assert response.status_code == 201
    event = response.get_json()
    assert event["status"] == "draft"
    assert isinstance(event["id"], int)
    echoed = {
        "slug": "harbour-festival",
        "title": "Harbour Festival",
        "description": "Two days of music by the water.",
        "startsAt": iso(start),
        "endsAt": iso(start + timedelta(days=1)),
        "timezone": "Europe/Amsterdam",
        "venueName": "Pier 5",
        "city": "Rotterdam",
        "currency": "USD",
        "capacity": None,
        "allowReentry": False,
        "requirePersonalisation": False,
        "sendReminders": False,
        "sold": 0,
        "available": 320,
    }
    assert {k: event[k] for k in echoed} == echoed
    weekend, crew = event["ticketTypes"]
    assert weekend == _weekend_as_created(weekend["id"], event["id"], start)
    assert (crew["name"], crew["price"], crew["hidden"], crew["minPerOrder"]) == (
        "Crew",
        0,
        True,
        1,
    )
    assert (crew["eventId"], crew["maxPerOrder"], crew["salesStart"]) == (event["id"], None, None)
    _check_the_dates(event, start)
    # Stored: what GET returns is what the create answered.
    assert api.event(event["id"]) == event
    rows = Event.select().where((Event.id == event["id"]) | (Event.parent == event["id"]))
    assert {row.lifecycle for row in rows} == {"draft"}
    # The dates follow the event's reminder switch.
    assert {row.send_reminders for row in rows} == {False}


def _weekend_as_created(type_id: int, event_id: int, start) -> dict:
    return {
        "id": type_id,
        "eventId": event_id,
        "name": "Weekend",
        "price": 8900,
        "currency": "USD",
        "quantity": 200,
        "sold": 0,
        "reserved": 0,
        "available": 200,
        "salesStart": iso(start - timedelta(days=60)),
        "salesEnd": iso(start),
        "minPerOrder": 2,
        "maxPerOrder": 6,
        "hidden": False,
        "onSale": False,  # sales start in 30 days
    }


def _check_the_dates(event: dict, start) -> None:
    """Saturday with its own capacity and type (in the event's currency), Sunday bare."""
    saturday, sunday = event["dates"]
    assert saturday["title"] == "Saturday"
    assert saturday["startsAt"] == iso(start + timedelta(hours=1))
    assert saturday["endsAt"] == iso(start + timedelta(hours=12))
    assert saturday["capacity"] == 150
    [day_type] = saturday["ticketTypes"]
    assert (day_type["name"], day_type["price"], day_type["quantity"]) == (
        "Saturday only",
        4900,
        100,
    )
    assert day_type["eventId"] == saturday["id"] != event["id"]
    assert day_type["currency"] == "USD"
    assert (sunday["title"], sunday["ticketTypes"], sunday["endsAt"]) == ("Sunday", [], None)


def test_create_minimal_event_takes_the_defaults(api):
    starts = later(30)
    response = api.post("/events", {"title": "  Quiz night  ", "startsAt": starts})
    assert response.status_code == 201
    event = response.get_json()
    assert event["title"] == "Quiz night"  # trimmed
    assert event["startsAt"] == starts
    expected = {
        "slug": None,
        "description": "",
        "endsAt": None,
        "timezone": "UTC",
        "venueName": "",
        "city": "",
        "currency": "EUR",
        "capacity": None,
        "allowReentry": True,
        "requirePersonalisation": True,
        "sold": 0,
        "available": 0,
        "ticketTypes": [],
        "dates": [],
        "status": "draft",
    }
    assert {k: event[k] for k in expected} == expected


def test_create_with_shared_capacity(api):
    event = api.create(
        capacity=15,
        ticketTypes=[
            {"name": "Early", "price": 1500, "quantity": 10},
            {"name": "Late", "price": 2000, "quantity": 10},
        ],
    )
    assert event["capacity"] == 15
    # The shared pool caps what the types would allow (20).
    assert event["available"] == 15
    assert [t["available"] for t in event["ticketTypes"]] == [10, 10]


VALID_TYPE = {"name": "GA", "price": 2500, "quantity": 10}


@pytest.mark.parametrize(
    ("change", "field", "fragment"),
    [
        ({"title": None}, "title", "valid string"),
        ({"title": ""}, "title", "at least 1 character"),
        ({"title": "Bad\x00title"}, "title", "control characters"),
        ({"startsAt": "2027-09-01T19:00:00"}, "startsAt", "must include a time zone"),
        ({"startsAt": "next friday"}, "startsAt", "datetime"),
        ({"endsAt": "2027-09-01T23:00:00"}, "endsAt", "must include a time zone"),
        ({"timezone": "Mars/Olympus_Mons"}, "timezone", "IANA time zone"),
        ({"timezone": "CEST"}, "timezone", "IANA time zone"),
        ({"currency": "eur"}, "currency", "pattern"),
        ({"currency": "EURO"}, "currency", "pattern"),
        ({"slug": "Not A Slug"}, "slug", "pattern"),
        ({"slug": "trailing-"}, "slug", "pattern"),
        ({"capacity": -1}, "capacity", "greater than or equal to 0"),
        ({"colour": "red"}, "colour", "Extra inputs are not permitted"),
        ({"status": "published"}, "status", "Extra inputs are not permitted"),
        (
            {"ticketTypes": [{**VALID_TYPE, "price": -1}]},
            "ticketTypes.0.price",
            "greater than or equal to 0",
        ),
        (
            {"ticketTypes": [{**VALID_TYPE, "price": 12.5}]},
            "ticketTypes.0.price",
            "integer",
        ),
        (
            {"ticketTypes": [VALID_TYPE, {**VALID_TYPE, "quantity": -5}]},
            "ticketTypes.1.quantity",
            "greater than or equal to 0",
        ),
        ({"ticketTypes": [{"name": "GA"}]}, "ticketTypes.0.quantity", "Field required"),
        (
            {"ticketTypes": [{**VALID_TYPE, "salesStart": "2027-01-01T00:00:00"}]},
            "ticketTypes.0.salesStart",
            "must include a time zone",
        ),
        (
            {"ticketTypes": [{**VALID_TYPE, "colour": "red"}]},
            "ticketTypes.0.colour",
            "Extra inputs are not permitted",
        ),
        (
            {
                "ticketTypes": [
                    {
                        **VALID_TYPE,
                        "salesStart": "2027-02-01T00:00:00Z",
                        "salesEnd": "2027-02-01T00:00:00Z",
                    }
                ]
            },
            "ticketTypes.0",
            "salesEnd must be after salesStart",
        ),
        (
            {
                "ticketTypes": [
                    {
                        **VALID_TYPE,
                        "salesStart": "2027-02-01T00:00:00Z",
                        "salesEnd": "2027-01-01T00:00:00Z",
                    }
                ]
            },
            "ticketTypes.0",
            "salesEnd must be after salesStart",
        ),
        (
            {"ticketTypes": [{**VALID_TYPE, "minPerOrder": 4, "maxPerOrder": 3}]},
            "ticketTypes.0",
            "maxPerOrder must not be below minPerOrder",
        ),
        (
            {"ticketTypes": [{**VALID_TYPE, "minPerOrder": 0}]},
            "ticketTypes.0.minPerOrder",
            "greater than or equal to 1",
        ),
        (
            {"ticketTypes": [{**VALID_TYPE, "maxPerOrder": 1001}]},
            "ticketTypes.0.maxPerOrder",
            "less than or equal to 1000",
        ),
        (
            {"startsAt": "2027-09-01T19:00:00Z", "endsAt": "2027-09-01T18:59:59Z"},
            "body",
            "endsAt must not be before startsAt",
        ),
        ({"dates": [{"startsAt": "2027-09-01T19:00:00Z"}]}, "dates.0.title", "Field required"),
        (
            {"dates": [{"title": "Day 1", "startsAt": "2027-09-01T19:00:00"}]},
            "dates.0.startsAt",
            "must include a time zone",
        ),
        (
            {
                "dates": [
                    {
                        "title": "Day 1",
                        "startsAt": "2027-09-01T19:00:00Z",
                        "ticketTypes": [{**VALID_TYPE, "price": -100}],
                    }
                ]
            },
            "dates.0.ticketTypes.0.price",
            "greater than or equal to 0",
        ),
        (
            {
                "dates": [
                    {
                        "title": "Day 1",
                        "startsAt": "2027-09-01T19:00:00Z",
                        "endsAt": "2027-09-01T18:00:00Z",
                    }
                ]
            },
            "dates.0",
            "endsAt must not be before startsAt",
        ),
    ],
)
def test_create_refuses_invalid_fields(api, change, field, fragment):
    body = {**event_body(), **change}
    response = api.post("/events", body)
    errors = field_errors(response)
    assert field in errors, errors
    assert fragment in errors[field]
    message = response.get_json()["error"]["message"]
    assert message.startswith("Validation failed: ")
    assert Event.select().count() == 0
    assert TicketType.select().count() == 0


def test_missing_title_and_start_are_both_reported(api):
    response = api.post("/events", {"description": "no title, no start"})
    errors = field_errors(response)
    assert errors == {"title": "Field required", "startsAt": "Field required"}
    assert response.get_json()["error"]["message"] == "Validation failed: title: Field required"


def test_every_problem_is_listed_once(api):
    body = event_body(
        timezone="Nowhere/Town",
        currency="eur",
        bogus=True,
        ticketTypes=[{"name": "GA", "price": -1, "quantity": 1}],
    )
    errors = field_errors(api.post("/events", body))
    assert set(errors) == {"timezone", "currency", "bogus", "ticketTypes.0.price"}


@pytest.mark.parametrize("raw", ["{nope", "[1, 2", "\x00", '{"title": "x",}'])
def test_create_refuses_a_body_that_is_not_json(api, raw):
    error = api_error(api.post("/events", raw=raw), 400, "invalid_json")
    assert error["message"] == "The body is not valid JSON"
    assert Event.select().count() == 0


@pytest.mark.parametrize("raw", ["[]", '["title"]', "null", '"text"', "42"])
def test_create_refuses_json_that_is_not_an_object(api, raw):
    error = api_error(api.post("/events", raw=raw), 400, "invalid_json")
    assert error["message"] == "The body must be a JSON object"


def test_empty_body_is_an_empty_object(api):
    errors = field_errors(api.post("/events", raw=""))
    assert set(errors) == {"title", "startsAt"}
