"""The admin API's event resources: create, read, update, list and ticket types
(``/api/v1/events``), with validation, scopes and account isolation."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import pytest

from tests.admin_api import Admin, api_error, event_body, iso, later, now
from tests.tp_api.admin.events_support import event_row, field_errors, partner_order, placed
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
        "sold": 0,
        "available": 320,
    }
    assert {k: event[k] for k in echoed} == echoed
    weekend, crew = event["ticketTypes"]
    assert weekend == {
        "id": weekend["id"],
        "eventId": event["id"],
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
    assert (crew["name"], crew["price"], crew["hidden"], crew["eventId"]) == (
        "Crew",
        0,
        True,
        event["id"],
    )
    assert (crew["minPerOrder"], crew["maxPerOrder"], crew["salesStart"]) == (1, None, None)
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
    # Stored: what GET returns is what the create answered.
    assert api.event(event["id"]) == event
    rows = Event.select().where((Event.id == event["id"]) | (Event.parent == event["id"]))
    assert {row.lifecycle for row in rows} == {"draft"}


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


# --- get ----------------------------------------------------------------------------------


def test_get_by_id_and_by_slug(api):
    event = api.create(slug="jazz-on-the-roof", title="Jazz on the Roof")
    by_id = api.get(f"/events/{event['id']}")
    by_slug = api.get("/events/jazz-on-the-roof")
    assert by_id.status_code == by_slug.status_code == 200
    assert by_id.get_json() == by_slug.get_json() == event


@pytest.mark.parametrize("missing", ["999999", "no-such-event", "0"])
def test_get_unknown_event_is_404(api, missing):
    api.create(slug="exists")
    error = api_error(api.get(f"/events/{missing}"), 404, "event_not_found")
    assert error["message"] == "Event not found"


def test_a_date_is_not_a_top_level_event(api):
    event = api.create(dates=[{"title": "Day 1", "startsAt": later(61)}])
    date_id = event["dates"][0]["id"]
    api_error(api.get(f"/events/{date_id}"), 404, "event_not_found")
    api_error(api.patch(f"/events/{date_id}", {"title": "x"}), 404, "event_not_found")


@pytest.mark.parametrize("slug", ["2027", "2027-09", "1-2-3"])
def test_a_slug_needs_a_letter_so_it_never_shadows_an_id(api, slug):
    assert "slug" in field_errors(api.post("/events", event_body(slug=slug)))
    event = api.create()
    assert "slug" in field_errors(api.patch(f"/events/{event['id']}", {"slug": slug}))
    assert "slug" in field_errors(
        api.post(f"/events/{event['id']}/duplicate", {"startsAt": later(90), "slug": slug})
    )


@pytest.mark.parametrize("slug", ["2027-edition", "edition-2027", "x", "a1b2", "2027edition"])
def test_slugs_with_digits_and_a_letter_are_reachable(api, slug):
    event = api.create(slug=slug)
    assert api.event(slug)["id"] == event["id"]


# --- slugs --------------------------------------------------------------------------------


def test_create_with_a_taken_slug_is_409(api):
    first = api.create(slug="open-air")
    error = api_error(api.post("/events", event_body(slug="open-air")), 409, "slug_taken")
    assert error["message"] == "Slug is already taken"
    # All or nothing: no second event, no orphan ticket types.
    assert api.list_ids() == [first["id"]]
    assert TicketType.select().count() == 1


def test_slugs_are_per_account(api, client, factory):
    mine = api.create(slug="open-air")
    other = Admin(client, factory.api_key(factory.seller()))
    theirs = other.create(slug="open-air", title="Theirs")
    assert theirs["slug"] == "open-air"
    assert api.event("open-air")["id"] == mine["id"]
    assert other.event("open-air")["id"] == theirs["id"]


def test_patch_slug(api):
    first = api.create(slug="first")
    second = api.create(slug="second")
    api_error(api.patch(f"/events/{second['id']}", {"slug": "first"}), 409, "slug_taken")
    assert api.event(second["id"])["slug"] == "second"
    # Setting its own slug again is no conflict.
    same = api.patch(f"/events/{first['id']}", {"slug": "first"})
    assert same.status_code == 200 and same.get_json()["slug"] == "first"
    renamed = api.patch(f"/events/{second['id']}", {"slug": "second-edition"})
    assert renamed.status_code == 200
    assert renamed.get_json()["slug"] == "second-edition"
    api_error(api.get("/events/second"), 404, "event_not_found")
    assert api.event("second-edition")["id"] == second["id"]
    # The old slug is free again.
    assert api.patch(f"/events/{first['id']}", {"slug": "second"}).status_code == 200
    # null clears it.
    cleared = api.patch(f"/events/{first['id']}", {"slug": None})
    assert cleared.status_code == 200 and cleared.get_json()["slug"] is None
    api_error(api.get("/events/second"), 404, "event_not_found")


def test_patch_through_the_slug(api):
    event = api.create(slug="by-slug")
    response = api.patch("/events/by-slug", {"city": "Utrecht"})
    assert response.status_code == 200
    assert response.get_json()["id"] == event["id"]
    assert api.event(event["id"])["city"] == "Utrecht"


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
    response = api.patch(
        f"/events/{event['id']}",
        {
            "title": "New title",
            "startsAt": iso(starts),
            "endsAt": iso(starts + timedelta(hours=5)),
            "timezone": "America/New_York",
            "venueName": "Hall B",
            "currency": "GBP",
            "allowReentry": False,
            "requirePersonalisation": False,
        },
    )
    assert response.status_code == 200
    updated = response.get_json()
    assert {
        k: updated[k]
        for k in (
            "title",
            "startsAt",
            "endsAt",
            "timezone",
            "venueName",
            "currency",
            "allowReentry",
            "requirePersonalisation",
        )
    } == {
        "title": "New title",
        "startsAt": iso(starts),
        "endsAt": iso(starts + timedelta(hours=5)),
        "timezone": "America/New_York",
        "venueName": "Hall B",
        "currency": "GBP",
        "allowReentry": False,
        "requirePersonalisation": False,
    }
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


# --- list ---------------------------------------------------------------------------------


@pytest.fixture
def statuses(api, client, seller):
    """One event in each state; their ids by state name."""
    ids = {"draft": api.create(title="Draft")["id"]}
    ids["published"] = api.publish(api.create(title="Published"))["id"]
    sold_out = api.publish(
        api.create(title="Sold out", ticketTypes=[{"name": "GA", "price": 1, "quantity": 2}])
    )
    placed(partner_order(client, seller, sold_out["ticketTypes"][0]["id"], quantity=2))
    ids["sold_out"] = sold_out["id"]
    cancelled = api.create(title="Cancelled")
    assert api.post(f"/events/{cancelled['id']}/cancel").status_code == 200
    ids["cancelled"] = cancelled["id"]
    completed = api.publish(api.create(title="Completed"))
    assert api.post(f"/events/{completed['id']}/complete").status_code == 200
    ids["completed"] = completed["id"]
    archived = api.publish(api.create(title="Archived"))
    assert api.post(f"/events/{archived['id']}/complete").status_code == 200
    assert api.post(f"/events/{archived['id']}/archive").status_code == 200
    ids["archived"] = archived["id"]
    return ids


def test_list_without_filters_is_every_event_in_creation_order(api, statuses):
    response = api.get("/events")
    assert response.status_code == 200
    body = response.get_json()
    assert [e["id"] for e in body["items"]] == sorted(statuses.values())
    assert body["nextCursor"] is None
    shown = {e["id"]: e["status"] for e in body["items"]}
    assert shown == {event_id: status for status, event_id in statuses.items()}


@pytest.mark.parametrize(
    "status", ["draft", "published", "sold_out", "cancelled", "completed", "archived"]
)
def test_list_filters_by_status(api, statuses, status):
    response = api.get("/events", status=status)
    assert response.status_code == 200
    items = response.get_json()["items"]
    assert [e["id"] for e in items] == [statuses[status]]
    assert [e["status"] for e in items] == [status]


def test_list_refuses_an_unknown_status(api):
    errors = field_errors(api.get("/events", status="live"))
    assert set(errors) == {"status"}


def test_list_items_are_full_events(api):
    event = api.create(dates=[{"title": "Day 1", "startsAt": later(61)}])
    [item] = api.get("/events").get_json()["items"]
    assert item == event


def test_list_search_matches_title_city_or_venue(api):
    by_title = api.create(title="Rooftop Jazz", city="Delft", venueName="Hall")["id"]
    by_city = api.create(title="Quiz", city="Amsterdam", venueName="Cafe")["id"]
    by_venue = api.create(title="Film", city="Delft", venueName="Jazz Cellar")["id"]
    percent = api.create(title="Percent 50% off", city="Delft", venueName="Shop")["id"]
    assert api.list_ids(search="jazz") == [by_title, by_venue]
    assert api.list_ids(search="AMSTER") == [by_city]
    assert api.list_ids(search="delft") == [by_title, by_venue, percent]
    assert api.list_ids(search="nothing like it") == []
    # LIKE wildcards are matched literally.
    assert api.list_ids(search="_") == []
    assert api.list_ids(search="%") == [percent]
    assert api.list_ids(search="50%") == [percent]


def test_list_filters_by_start_date_inclusive(api):
    base = now() + timedelta(days=30)
    ids = [api.create(startsAt=iso(base + timedelta(days=i)))["id"] for i in range(4)]
    assert api.list_ids(dateFrom=iso(base + timedelta(days=1))) == ids[1:]
    assert api.list_ids(dateTo=iso(base + timedelta(days=2))) == ids[:3]
    assert (
        api.list_ids(dateFrom=iso(base + timedelta(days=1)), dateTo=iso(base + timedelta(days=2)))
        == ids[1:3]
    )
    # The same instant written with an offset.
    plus_two = (base + timedelta(days=1, hours=2)).strftime("%Y-%m-%dT%H:%M:%S+02:00")
    assert api.list_ids(dateFrom=plus_two) == ids[1:]
    # A bound between two starts.
    assert api.list_ids(dateFrom=iso(base + timedelta(days=1, seconds=1))) == ids[2:]


def test_list_refuses_a_naive_date_filter(api):
    errors = field_errors(api.get("/events", dateFrom="2027-01-01T00:00:00"))
    assert "must include a time zone" in errors["dateFrom"]


def test_list_live_only(api):
    live = api.publish(api.create(title="Live", startsAt=later(10)))["id"]
    # Started yesterday, still running until tomorrow: live.
    running = api.publish(api.create(title="Running", startsAt=later(-1), endsAt=later(1)))["id"]
    api.create(title="Draft", startsAt=later(10))
    api.publish(api.create(title="Over", startsAt=later(-3), endsAt=later(-2)))
    api.publish(api.create(title="Over, no end", startsAt=later(-3)))
    cancelled = api.publish(api.create(title="Cancelled", startsAt=later(10)))
    assert api.post(f"/events/{cancelled['id']}/cancel").status_code == 200
    assert api.list_ids(liveOnly="true") == [live, running]
    assert len(api.list_ids(liveOnly="false")) == 6


@pytest.mark.parametrize("limit", ["0", "101", "-1", "ten", ""])
def test_list_limit_bounds(api, limit):
    errors = field_errors(api.get("/events", limit=limit))
    assert set(errors) == {"limit"}


@pytest.mark.parametrize("limit", [1, 100])
def test_list_limit_extremes_are_accepted(api, limit):
    ids = [api.create(title=f"E{i}")["id"] for i in range(2)]
    body = api.get("/events", limit=limit).get_json()
    assert [e["id"] for e in body["items"]] == ids[:limit]
    assert (body["nextCursor"] is None) == (limit >= 2)


def test_list_refuses_unknown_query_parameters(api):
    assert set(field_errors(api.get("/events", sort="title"))) == {"sort"}


def walk(api, **query):
    """Every page of the list: (ids in order, number of pages)."""
    ids, pages, cursor = [], 0, None
    while True:
        params = dict(query, **({"cursor": cursor} if cursor else {}))
        response = api.get("/events", **params)
        assert response.status_code == 200, response.get_data(as_text=True)
        body = response.get_json()
        ids += [e["id"] for e in body["items"]]
        pages += 1
        cursor = body["nextCursor"]
        if cursor is None:
            return ids, pages
        assert pages < 50


def test_cursor_pagination_walks_every_event_once(api):
    created = [api.create(title=f"Event {i}")["id"] for i in range(7)]
    first = api.get("/events", limit=3).get_json()
    assert [e["id"] for e in first["items"]] == created[:3]
    assert isinstance(first["nextCursor"], str)
    ids, pages = walk(api, limit=3)
    assert ids == created
    assert pages == 3
    # An exact multiple of the page size ends without an empty last page.
    ids, pages = walk(api, limit=7)
    assert (ids, pages) == (created, 1)
    ids, pages = walk(api, limit=1)
    assert (ids, pages) == (created, 7)


def test_cursor_pagination_keeps_the_filters(api):
    created = []
    for i in range(6):
        event = api.create(title=f"Event {i}")
        if i % 2 == 0:
            api.publish(event)
            created.append(event["id"])
    ids, pages = walk(api, limit=2, status="published")
    assert (ids, pages) == (created, 2)


def test_cursor_pagination_is_stable_while_events_are_added_and_removed(api):
    created = [api.create(title=f"Event {i}")["id"] for i in range(6)]
    seen, cursor, added = [], None, []
    for page in range(20):
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        body = api.get("/events", **params).get_json()
        seen += [e["id"] for e in body["items"]]
        if page < 2:
            # New events between page fetches...
            added.append(api.create(title=f"Added {page}")["id"])
        if page == 0:
            # ...and a draft already seen is deleted: nothing shifts.
            assert api.delete(f"/events/{created[0]}").status_code == 204
        cursor = body["nextCursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen))
    assert seen == created + added


def encoded(value):
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        "abc",
        "!!!!",
        encoded(["x"]),
        encoded([1, 2]),
        encoded({"id": 1}),
        encoded([1.5]),
        encoded([True]),
        encoded([]),
        encoded("1"),
    ],
)
def test_bad_cursor_is_400(api, cursor):
    api.create()
    error = api_error(api.get("/events", cursor=cursor), 400, "invalid_cursor")
    assert error["message"] == "cursor is not a cursor this list returned"


def test_overlong_cursor_is_a_validation_error(api):
    assert set(field_errors(api.get("/events", cursor="a" * 201))) == {"cursor"}


@pytest.mark.parametrize("position", [2**63, 10**30])
def test_cursor_with_an_out_of_range_id_is_400(api, position):
    api.create()
    api_error(api.get("/events", cursor=encoded([position])), 400, "invalid_cursor")


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


# --- availability -------------------------------------------------------------------------


def test_availability_leaves_out_hidden_types_and_follows_sales(api, client, seller):
    event = api.publish(
        api.create(
            currency="EUR",
            ticketTypes=[
                {"name": "GA", "price": 2500, "quantity": 10},
                {"name": "Guest list", "price": 0, "quantity": 50, "hidden": True},
                {"name": "Later", "price": 3000, "quantity": 5, "salesStart": later(1)},
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
            {
                "id": ga,
                "name": "GA",
                "price": 2500,
                "available": 10,
                "onSale": True,
                "soldOut": False,
            },
            {
                "id": later_type,
                "name": "Later",
                "price": 3000,
                "available": 5,
                "onSale": False,
                "soldOut": False,
            },
        ],
        "dates": [
            {
                "eventId": date_id,
                "status": "published",
                "currency": "EUR",
                "ticketTypes": [
                    {
                        "id": day,
                        "name": "Day",
                        "price": 1000,
                        "available": 4,
                        "onSale": True,
                        "soldOut": False,
                    }
                ],
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


# --- authentication, scopes and accounts --------------------------------------------------


def test_a_key_is_required(client, api):
    response = client.get("/api/v1/events")
    error = api_error(response, 401, "unauthorized")
    assert "Bearer" in error["message"]
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="tp-bridge"'
    api_error(
        client.get("/api/v1/events", headers={"Authorization": "Bearer tpk_nope"}),
        401,
        "unauthorized",
    )
    # The partner key is not an admin key.
    assert client.get("/api/v1/events", headers={"x-api-key": "not-a-key"}).status_code == 401


def test_x_api_key_header_works(client, factory, seller, api):
    event = api.create()
    other = Admin(client, api.key, header="x-api-key")
    assert other.event(event["id"]) == event


# (method, path, body, scopes the route needs); {e} the event, {t} its type, {d} its date.
ENDPOINTS = [
    ("GET", "/events", None, ["events:read"]),
    ("POST", "/events", {"title": "New", "startsAt": "2030-01-01T00:00:00Z"}, ["events:write"]),
    ("GET", "/events/{e}", None, ["events:read"]),
    ("PATCH", "/events/{e}", {"title": "Changed"}, ["events:write"]),
    ("DELETE", "/events/{e}", None, ["events:write"]),
    ("POST", "/events/{e}/publish", {}, ["events:write"]),
    ("POST", "/events/{e}/complete", {}, ["events:write"]),
    ("POST", "/events/{e}/archive", {}, ["events:write"]),
    ("POST", "/events/{e}/cancel", {}, ["events:write", "orders:write"]),
    ("POST", "/events/{e}/duplicate", {"startsAt": "2030-01-01T00:00:00Z"}, ["events:write"]),
    ("GET", "/events/{e}/availability", None, ["events:read"]),
    ("GET", "/events/{e}/ticket-types", None, ["events:read"]),
    ("POST", "/events/{e}/ticket-types", {"name": "Extra", "quantity": 1}, ["events:write"]),
    (
        "POST",
        "/events/{e}/dates/{d}/ticket-types",
        {"name": "Extra", "quantity": 1},
        ["events:write"],
    ),
    ("PATCH", "/events/{e}/ticket-types/{t}", {"price": 1}, ["events:write"]),
    ("DELETE", "/events/{e}/ticket-types/{t}", None, ["events:write"]),
]
EVENT_ENDPOINTS = [e for e in ENDPOINTS if "{e}" in e[1]]


def endpoint_id(endpoint):
    return f"{endpoint[0]} {endpoint[1]}"


@pytest.fixture
def owned(api):
    """The seller's draft, with a slug, a ticket type and a date."""
    return api.create(slug="owned-event", dates=[{"title": "Day 1", "startsAt": later(61)}])


def fill(path, event, key="id"):
    return path.format(
        e=event[key],
        t=event["ticketTypes"][0]["id"],
        d=event["dates"][0]["id"],
    )


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=endpoint_id)
def test_orders_read_key_lacks_the_events_scopes(client, factory, seller, api, owned, endpoint):
    method, path, body, scopes = endpoint
    narrow = Admin(client, factory.api_key(seller, scopes=["orders:read"]))
    response = narrow.request(method, fill(path, owned), body)
    error = api_error(response, 403, "missing_scopes")
    assert error["details"] == {"missingScopes": scopes}
    assert error["message"] == (
        f"This key lacks the scope{'s' if len(scopes) > 1 else ''} {', '.join(scopes)}"
    )
    # Nothing changed.
    assert api.list_ids() == [owned["id"]]
    assert api.event(owned["id"]) == owned


@pytest.mark.parametrize("endpoint", [e for e in ENDPOINTS if e[0] != "GET"], ids=endpoint_id)
def test_read_only_key_cannot_write(client, factory, seller, api, owned, endpoint):
    method, path, body, scopes = endpoint
    reader = Admin(client, factory.api_key(seller, scopes=["events:read"]))
    error = api_error(reader.request(method, fill(path, owned), body), 403, "missing_scopes")
    assert error["details"] == {"missingScopes": [s for s in scopes if s != "events:read"]}
    assert api.event(owned["id"]) == owned


def test_read_only_key_can_read(client, factory, seller, api, owned):
    reader = Admin(client, factory.api_key(seller, scopes=["events:read"]))
    assert reader.event(owned["id"]) == owned
    assert reader.list_ids() == [owned["id"]]
    assert reader.get(f"/events/{owned['id']}/availability").status_code == 200
    assert reader.get(f"/events/{owned['id']}/ticket-types").status_code == 200


def test_cancel_needs_orders_write_too(client, factory, seller, api, owned):
    writer = Admin(client, factory.api_key(seller, scopes=["events:read", "events:write"]))
    error = api_error(writer.post(f"/events/{owned['id']}/cancel"), 403, "missing_scopes")
    assert error["details"] == {"missingScopes": ["orders:write"]}
    assert api.event(owned["id"])["status"] == "draft"


@pytest.fixture
def intruder(client, factory):
    return Admin(client, factory.api_key(factory.seller("Intruder")))


@pytest.mark.parametrize("by", ["id", "slug"])
@pytest.mark.parametrize("endpoint", EVENT_ENDPOINTS, ids=endpoint_id)
def test_another_accounts_event_is_not_found(api, owned, intruder, endpoint, by):
    method, path, body, _ = endpoint
    # The intruder has events of its own (and a ticket type and date to name).
    intruder.create(slug="intruder-event", dates=[{"title": "Day", "startsAt": later(61)}])
    response = intruder.request(method, fill(path, owned, by), body)
    error = api_error(response, 404, "event_not_found")
    assert error["message"] == "Event not found"
    assert api.event(owned["id"]) == owned
    assert api.list_ids() == [owned["id"]]


def test_another_accounts_ticket_type_or_date_on_my_event_is_not_found(api, owned, intruder):
    mine = intruder.create(dates=[{"title": "Day", "startsAt": later(61)}])
    foreign_type = owned["ticketTypes"][0]["id"]
    foreign_date = owned["dates"][0]["id"]
    api_error(
        intruder.patch(f"/events/{mine['id']}/ticket-types/{foreign_type}", {"price": 1}),
        404,
        "ticket_type_not_found",
    )
    api_error(
        intruder.delete(f"/events/{mine['id']}/ticket-types/{foreign_type}"),
        404,
        "ticket_type_not_found",
    )
    api_error(
        intruder.post(
            f"/events/{mine['id']}/dates/{foreign_date}/ticket-types",
            {"name": "X", "quantity": 1},
        ),
        404,
        "event_date_not_found",
    )
    assert api.event(owned["id"]) == owned


def test_another_accounts_events_never_appear_in_my_list(api, client, seller, owned, intruder):
    api.publish(api.create(title="Published by A", city="Haarlem"))
    mine = [intruder.create(title=f"B {i}")["id"] for i in range(3)]
    assert intruder.list_ids() == mine
    assert intruder.list_ids(search="Haarlem") == []
    assert intruder.list_ids(search="Published by A") == []
    assert intruder.list_ids(status="published") == []
    assert intruder.list_ids(status="draft") == mine
    ids, _ = walk(intruder, limit=1)
    assert ids == mine
    # A cursor taken from A's list shows B only B's events after it.
    cursor = api.get("/events", limit=1).get_json()["nextCursor"]
    assert cursor is not None
    body = intruder.get("/events", cursor=cursor).get_json()
    assert {e["id"] for e in body["items"]} <= set(mine)


def test_naive_time_in_response_is_never_rendered(api):
    """Every time the API answers with carries a zone (rendered as UTC, ``Z``)."""
    event = api.create(
        endsAt=later(60, hours=3),
        dates=[{"title": "Day", "startsAt": later(61)}],
        ticketTypes=[{"name": "GA", "quantity": 1, "salesStart": later(1), "salesEnd": later(2)}],
    )
    times = [event["startsAt"], event["endsAt"], event["createdAt"], event["updatedAt"]]
    times += [event["dates"][0]["startsAt"]]
    times += [event["ticketTypes"][0]["salesStart"], event["ticketTypes"][0]["salesEnd"]]
    for value in times:
        assert value.endswith("Z"), value
        assert datetime.fromisoformat(value).tzinfo is not None
