"""The admin API reads events: one by id or slug, slugs, and the list with its filters,
search and cursor pagination."""

from __future__ import annotations

import base64
import json
from datetime import timedelta

import pytest

from tests.admin_api import Admin, api_error, event_body, iso, later, now
from tests.tp_api.admin.events_support import field_errors, partner_order, placed, walk
from tp_api.models import TicketType

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
