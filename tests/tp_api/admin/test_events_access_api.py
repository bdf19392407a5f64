"""Who may call the admin API's event resources: a key is required, scopes per endpoint, and
no account sees another's events, ticket types or dates."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.admin_api import Admin, api_error, later
from tests.tp_api.admin.events_support import walk

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
