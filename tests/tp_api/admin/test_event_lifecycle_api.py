"""The admin API's event lifecycle: publish, complete, archive, the transitions allowed and
refused, and deleting drafts."""

from __future__ import annotations

import pytest

from tests.admin_api import api_error, later
from tests.tp_api.admin.events_support import (
    in_state,
    lifecycles,
    partner_order,
    placed,
)

# --- publish, complete, archive -----------------------------------------------------------


def test_publish_a_draft(api):
    event = api.create(dates=[{"title": "Day 1", "startsAt": later(61)}])
    response = api.post(f"/events/{event['id']}/publish")
    assert response.status_code == 200
    published = response.get_json()
    assert published["status"] == "published"
    assert published["updatedAt"] >= event["updatedAt"]
    changing = ("status", "updatedAt", "ticketTypes")
    assert {k: v for k, v in published.items() if k not in changing} == {
        k: v for k, v in event.items() if k not in changing
    }
    # A draft's ticket types are not on sale; published, they are.
    assert [t["onSale"] for t in event["ticketTypes"]] == [False]
    assert [t["onSale"] for t in published["ticketTypes"]] == [True]
    assert [{**t, "onSale": True} for t in event["ticketTypes"]] == published["ticketTypes"]
    assert api.event(event["id"]) == published
    # Its dates go on sale with it.
    assert set(lifecycles(event["id"]).values()) == {"published"}


def test_publish_by_slug(api):
    event = api.create(slug="spring-gala")
    assert api.post("/events/spring-gala/publish").get_json()["id"] == event["id"]
    assert api.event("spring-gala")["status"] == "published"


def test_publish_needs_a_ticket_type(api):
    event = api.create(ticketTypes=[], dates=[{"title": "Day 1", "startsAt": later(61)}])
    error = api_error(api.post(f"/events/{event['id']}/publish"), 409, "event_incomplete")
    assert error["message"] == "An event needs at least one ticket type before it is published"
    assert api.event(event["id"])["status"] == "draft"
    assert set(lifecycles(event["id"]).values()) == {"draft"}
    added = api.post(f"/events/{event['id']}/ticket-types", {"name": "GA", "quantity": 5})
    assert added.status_code == 201
    assert api.publish(event)["status"] == "published"


def test_a_ticket_type_on_a_date_is_enough_to_publish(api, client, seller):
    event = api.create(
        ticketTypes=[],
        dates=[
            {
                "title": "Day 1",
                "startsAt": later(61),
                "ticketTypes": [{"name": "Day", "price": 1000, "quantity": 5}],
            }
        ],
    )
    day_type = event["dates"][0]["ticketTypes"][0]["id"]
    # A draft date does not sell...
    refused = partner_order(client, seller, day_type)
    assert refused.status_code == 400
    assert "the event is draft" in refused.get_data(as_text=True)
    api.publish(event)
    # ...a published one does.
    placed(partner_order(client, seller, day_type, quantity=2))
    assert api.event(event["id"])["dates"][0]["ticketTypes"][0]["sold"] == 2


def test_complete_then_archive(api):
    event = api.publish(api.create())
    completed = api.post(f"/events/{event['id']}/complete")
    assert completed.status_code == 200
    assert completed.get_json()["status"] == "completed"
    archived = api.post(f"/events/{event['id']}/archive")
    assert archived.status_code == 200
    assert archived.get_json()["status"] == "archived"
    assert api.event(event["id"])["status"] == "archived"
    assert api.get("/events", status="archived").get_json()["items"][0]["id"] == event["id"]


ALLOWED = [
    ("draft", "publish", "published"),
    ("draft", "cancel", "cancelled"),
    ("published", "complete", "completed"),
    ("published", "cancel", "cancelled"),
    ("sold_out", "complete", "completed"),
    ("sold_out", "cancel", "cancelled"),
    ("completed", "archive", "archived"),
    ("cancelled", "archive", "archived"),
]


@pytest.mark.parametrize(("state", "action", "result"), ALLOWED)
def test_allowed_transitions(api, client, seller, state, action, result):
    event = in_state(api, client, seller, state)
    response = api.post(f"/events/{event['id']}/{action}")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["status"] == result
    assert api.event(event["id"])["status"] == result


# Stored lifecycle names each state as the message shows it (sold_out is stored published).
INVALID = [
    ("draft", "complete", "draft", "published"),
    ("draft", "archive", "draft", "completed, cancelled"),
    ("published", "publish", "published", "draft"),
    ("published", "archive", "published", "completed, cancelled"),
    ("sold_out", "publish", "published", "draft"),
    ("sold_out", "archive", "published", "completed, cancelled"),
    ("completed", "publish", "completed", "draft"),
    ("completed", "complete", "completed", "published"),
    ("completed", "cancel", "completed", "draft, published"),
    ("cancelled", "publish", "cancelled", "draft"),
    ("cancelled", "complete", "cancelled", "published"),
    ("cancelled", "cancel", "cancelled", "draft, published"),
    ("archived", "publish", "archived", "draft"),
    ("archived", "complete", "archived", "published"),
    ("archived", "archive", "archived", "completed, cancelled"),
    ("archived", "cancel", "archived", "draft, published"),
]


@pytest.mark.parametrize(("state", "action", "stored", "allowed"), INVALID)
def test_invalid_transitions_are_409(api, client, seller, state, action, stored, allowed):
    event = in_state(api, client, seller, state)
    response = api.post(f"/events/{event['id']}/{action}")
    error = api_error(response, 409, "invalid_transition")
    assert error["message"] == f"A {stored} event cannot {action}; allowed from: {allowed}"
    assert api.event(event["id"]) == event


@pytest.mark.parametrize("action", ["publish", "complete", "archive", "cancel"])
def test_lifecycle_of_an_unknown_event_is_404(api, action):
    api_error(api.post(f"/events/4040/{action}"), 404, "event_not_found")
    api_error(api.post(f"/events/no-such-event/{action}"), 404, "event_not_found")


@pytest.mark.parametrize("state", ["completed", "cancelled", "archived"])
def test_no_ticket_types_are_added_to_a_closed_event(api, client, seller, state):
    event = in_state(api, client, seller, state, dates=[{"title": "Day 1", "startsAt": later(61)}])
    body = {"name": "Late addition", "quantity": 5}
    error = api_error(api.post(f"/events/{event['id']}/ticket-types", body), 409, "event_closed")
    assert error["message"] == f"The event is {state}"
    date_path = f"/events/{event['id']}/dates/{event['dates'][0]['id']}/ticket-types"
    api_error(api.post(date_path, body), 409, "event_closed")
    assert api.event(event["id"])["ticketTypes"] == event["ticketTypes"]


# --- delete -------------------------------------------------------------------------------


def test_delete_a_draft(api, client, seller):
    event = api.create(
        slug="pop-up",
        dates=[
            {
                "title": "Day 1",
                "startsAt": later(61),
                "ticketTypes": [{"name": "Day", "price": 100, "quantity": 3}],
            }
        ],
    )
    keep = api.create(title="Keep me")
    response = api.delete(f"/events/{event['id']}")
    assert response.status_code == 204
    assert response.get_data() == b""
    api_error(api.get(f"/events/{event['id']}"), 404, "event_not_found")
    api_error(api.get("/events/pop-up"), 404, "event_not_found")
    api_error(api.get(f"/events/{event['id']}/ticket-types"), 404, "event_not_found")
    api_error(api.post(f"/events/{event['id']}/publish"), 404, "event_not_found")
    assert api.list_ids() == [keep["id"]]
    # Gone for the partner API too: its ticket types cannot be ordered.
    day_type = event["dates"][0]["ticketTypes"][0]["id"]
    refused = partner_order(client, seller, day_type)
    assert refused.status_code == 400
    assert "deleted event" in refused.get_data(as_text=True)
    # A second delete finds nothing.
    api_error(api.delete(f"/events/{event['id']}"), 404, "event_not_found")


def test_a_deleted_drafts_slug_can_be_used_again(api):
    first = api.create(slug="reuse-me")
    assert api.delete("/events/reuse-me").status_code == 204
    again = api.post("/events", {"title": "Again", "startsAt": later(40), "slug": "reuse-me"})
    assert again.status_code == 201
    assert api.event("reuse-me")["id"] == again.get_json()["id"] != first["id"]
    # And by PATCH, after the second one is deleted too.
    assert api.delete("/events/reuse-me").status_code == 204
    third = api.create()
    assert api.patch(f"/events/{third['id']}", {"slug": "reuse-me"}).status_code == 200
    assert api.event("reuse-me")["id"] == third["id"]


@pytest.mark.parametrize("state", ["published", "sold_out", "completed", "cancelled", "archived"])
def test_only_drafts_can_be_deleted(api, client, seller, state):
    event = in_state(api, client, seller, state, slug="not-a-draft")
    error = api_error(api.delete(f"/events/{event['id']}"), 409, "event_not_draft")
    stored = "published" if state == "sold_out" else state
    assert error["message"] == (
        f"Only draft events can be deleted; this one is {stored} (cancel or archive it instead)"
    )
    api_error(api.delete("/events/not-a-draft"), 409, "event_not_draft")
    assert api.event("not-a-draft") == event
