"""The partner API (``/tp-api``) in the OpenAPI document.

Every partner route of the Flask app is documented, and real answers of the partner API,
successes and plain-text errors, made with real data, conform to the document: their status
is documented, their media type too, and their bodies validate against the document's schema
(with a JSON Schema 2020-12 validator when one is installed) and against the pydantic models
the schemas come from.
"""

from __future__ import annotations

from typing import Any

import pytest

import tp_api.web.partner_spec  # noqa: F401 - registers the partner operations
from tests.factories import order_body
from tests.tp_api.openapi_support import (
    CHILD,
    QUERY_PARAMS,
    UNDATED_CHILD,
    check_request,
    check_response,
    documented_error,
    partner_operations,
    partner_rules,
    served_document,
)
from tp_api.db import utcnow
from tp_api.models import Event, Order, Ticket
from tp_api.schemas import partner as schemas


def test_every_partner_route_is_documented(app, client):
    document = served_document(client)
    rules = partner_rules(app)
    operations = partner_operations(document)
    assert len(rules) == 10
    assert set(operations) == set(rules)
    assert set(QUERY_PARAMS) == set(rules)
    for key, operation in operations.items():
        assert operation["operationId"].startswith("partner_")
        assert operation["tags"] == ["Partner API"]
        assert operation["security"] == [{"partnerKey": []}]
        parameters = {(p["in"], p["name"]) for p in operation["parameters"]}
        assert {n for where, n in parameters if where == "path"} == rules[key], key
        assert {n for where, n in parameters if where == "query"} == QUERY_PARAMS[key], key
        responses = operation["responses"]
        assert "200" in responses and {"403", "429"} <= set(responses), key
        assert "Retry-After" in responses["429"]["headers"]
        for status, response in responses.items():
            if status != "200":
                assert response["content"]["text/plain"]["schema"] == {"type": "string"}
    assert document["components"]["securitySchemes"]["partnerKey"]["name"] == "key"
    operation_ids = [
        op["operationId"] for item in document["paths"].values() for op in item.values()
    ]
    assert len(operation_ids) == len(set(operation_ids))


def test_every_partner_reference_resolves(client):
    document = served_document(client)
    components = document["components"]["schemas"]

    def refs(value: Any) -> list[str]:
        if isinstance(value, dict):
            found = [value["$ref"]] if "$ref" in value else []
            return found + [r for v in value.values() for r in refs(v)]
        if isinstance(value, list):
            return [r for v in value for r in refs(v)]
        return []

    names = {r.removeprefix("#/components/schemas/") for r in refs(partner_operations(document))}
    names |= {r.removeprefix("#/components/schemas/") for r in refs(components)}
    assert {"PartnerEventList", "PartnerOrderCreate", "PartnerSignedUrl"} <= names
    assert names <= set(components)


# --- (b) real answers conform to the document ------------------------------------------------


@pytest.fixture
def shop(factory):
    """A seller with a parent event (dated and undated children), one personalised order and
    one waiting for personalisation, both of external user 7."""
    seller = factory.seller()
    event = factory.event(seller, name="Summer Festival 2025", children=[CHILD, UNDATED_CHILD])
    factory.event(seller, name="Undated", start_date=None, end_date=None, password="secret")
    ticket_type = factory.ticket_type(event)
    done = factory.order(seller, ticket_type, quantity=2)
    factory.personalise_all(seller, done)
    waiting = factory.order(seller, ticket_type, quantity=1)
    undated = Event.get(Event.name == "Day 2")
    Event.update(deleted_at=utcnow()).where(Event.id == undated.id).execute()
    return seller, event, done, waiting


def test_catalogue_answers_match_the_document(client, shop):
    seller, event, _, _ = shop
    document = served_document(client)
    listed = client.get(f"/tp-api/events?key={seller.key}")
    check_response(document, "get", "/tp-api/events", listed)
    events = listed.get_json()
    assert {e["start_date"] is None for e in events} == {True, False}
    children = [c for e in events for c in e["children"]]
    assert {c["deleted_at"] is None for c in children} == {True, False}
    user_events = client.get(f"/tp-api/users/7/events?key={seller.key}")
    check_response(document, "get", "/tp-api/users/{user_id}/events", user_events)
    assert [e["id"] for e in user_events.get_json()] == [event.id]
    tickets = client.get(f"/tp-api/events/{event.id}/tickets?key={seller.key}&wp_user_id=7")
    check_response(document, "get", "/tp-api/events/{event_id}/tickets", tickets)
    # Personalised and waiting tickets (null attendee fields) are both checked.
    assert {t["first_name"] is None for t in tickets.get_json()} == {True, False}


def test_personalise_answer_matches_the_document(client, shop):
    seller, event, _, waiting = shop
    document = served_document(client)
    path = "/tp-api/events/{event_id}/tickets/personalize"
    [ticket] = Ticket.select().where(Ticket.order == waiting.order_id)
    body = {
        "tickets": [
            {
                "ticket_id": ticket.reference,
                "first_name": "Jane",
                "last_name": "Doe",
                "email": "jane@example.com",
                "tel": "+31612345678",
            }
        ]
    }
    check_request(document, "post", path, body)
    schemas.PartnerPersonaliseRequest.model_validate(body, strict=True)
    response = client.post(
        f"/tp-api/events/{event.id}/tickets/personalize?key={seller.key}&wp_user_id=7", json=body
    )
    check_response(document, "post", path, response)
    assert response.get_json() == {"tickets": body["tickets"], "all_personalized": True}


def test_order_answer_matches_the_document(client, factory, shop):
    seller, event, _, _ = shop
    document = served_document(client)
    body = order_body(
        factory.ticket_type(event).id,
        quantity=2,
        wp_order_id="wc_9001",
        payment_method="ideal",
        payment_method_title="iDEAL",
        locale="nl",
        my_tickets_url="https://shop.test/my-tickets",
        date_created="2026-06-01T10:00:00Z",
    )
    check_request(document, "post", "/tp-api/orders/create", body)
    schemas.PartnerOrderCreate.model_validate(body, strict=True)
    response = client.post(f"/tp-api/orders/create?key={seller.key}", json=body)
    documented = check_response(document, "post", "/tp-api/orders/create", response)
    assert response.get_data(as_text=True) == "Order created"
    assert set(documented["headers"]) <= set(response.headers.keys())
    # The id a partner learns is the order's public number, not its row id.
    assert int(response.headers["X-TP-Order-Id"]) == Order.get(Order.wp_order_id == "9001").number


def test_download_links_match_the_document(client, shop):
    seller, _, done, _ = shop
    document = served_document(client)
    ticket = Ticket.select().where(Ticket.order == done.order_id).first()
    query = f"key={seller.key}&wp_user_id=7"
    single = client.get(f"/tp-api/users/get-ticket?{query}&ticket_id={ticket.reference}")
    check_response(document, "get", "/tp-api/users/get-ticket", single)
    assert single.status_code == 200
    whole = client.get(f"/tp-api/orders/get-ticket?{query}&order_id={done.reference}")
    check_response(document, "get", "/tp-api/orders/get-ticket", whole)
    assert whole.status_code == 200


def test_errors_are_documented_plain_text(client, factory, shop):
    seller, event, done, waiting = shop
    document = served_document(client)
    intruder = factory.seller()
    foreign = factory.order(intruder, factory.ticket_type(factory.event(intruder)))
    done_ref = Ticket.select().where(Ticket.order == done.order_id).first().reference
    waiting_ref = Ticket.get(Ticket.order == waiting.order_id).reference
    key = f"key={seller.key}"
    cases = _catalogue_and_order_cases(event.id, key, waiting_ref, foreign.number)
    cases += _download_cases(key, done_ref, waiting_ref, done.reference, waiting.reference)
    statuses = set()
    for method, path, url, body in cases:
        if isinstance(body, dict):
            response = client.open(url, method=method.upper(), json=body)
        else:
            response = client.open(url, method=method.upper(), data=body)
        documented_error(document, method, path, response)
        statuses.add(response.status_code)
    assert statuses == {400, 401, 403, 404}


def test_every_operation_documents_the_missing_key_answer(app, client, shop):
    _, event, _, _ = shop
    document = served_document(client)
    for method, path in partner_rules(app):
        url = path.format(event_id=event.id, user_id=7)
        response = client.open(url, method=method.upper())
        assert (response.status_code, response.get_data(as_text=True)) == (403, "Unauthorized")
        documented_error(document, method, path, response)


def test_blocked_client_answer_is_documented(app, client, shop):
    seller, _, _, _ = shop
    document = served_document(client)
    for _ in range(20):
        response = client.get("/tp-api/events?key=not-a-key")
        if response.status_code == 429:
            break
        documented_error(document, "get", "/tp-api/events", response)
    assert response.status_code == 429
    documented_error(document, "get", "/tp-api/events", response)
    assert "Retry-After" in response.headers
    # The blocked address's right key is still served.
    assert client.get(f"/tp-api/events?key={seller.key}").status_code == 200


Case = tuple[str, str, str, Any]  # (method, documented path, URL, body)


def _catalogue_and_order_cases(
    event_id: int, key: str, waiting_ref: str, foreign_number: int
) -> list[Case]:
    """Refused calls of the catalogue, personalisation and order endpoints."""
    tickets = "/tp-api/events/{event_id}/tickets"
    personalize = tickets + "/personalize"
    attendee = {
        "ticket_id": waiting_ref,
        "first_name": "J",
        "last_name": "D",
        "email": "j@example.com",
        "tel": "1",
    }
    return [
        ("get", "/tp-api/events", "/tp-api/events", None),
        ("get", "/tp-api/users/{user_id}/events", f"/tp-api/users/abc/events?{key}", None),
        ("get", "/tp-api/users/{user_id}/events", f"/tp-api/users/99/events?{key}", None),
        ("get", tickets, f"/tp-api/events/999999/tickets?{key}&wp_user_id=7", None),
        ("get", tickets, f"/tp-api/events/{event_id}/tickets?{key}", None),
        ("get", tickets, f"/tp-api/events/{event_id}/tickets?{key}&wp_user_id=x", None),
        ("post", personalize, f"/tp-api/events/{event_id}/tickets/personalize?{key}", "{}"),
        (
            "post",
            personalize,
            f"/tp-api/events/{event_id}/tickets/personalize?{key}&wp_user_id=7",
            "",
        ),
        (
            "post",
            personalize,
            f"/tp-api/events/{event_id}/tickets/personalize?{key}&wp_user_id=8",
            {"tickets": [attendee]},
        ),
        ("post", "/tp-api/orders/create", f"/tp-api/orders/create?{key}", ""),
        ("post", "/tp-api/orders/create", f"/tp-api/orders/create?{key}", {"wp_order_id": "1"}),
        ("post", "/tp-api/orders/create", f"/tp-api/orders/create?{key}", {"tp_order_id": 9999}),
        (
            "post",
            "/tp-api/orders/create",
            f"/tp-api/orders/create?{key}",
            {"tp_order_id": foreign_number},
        ),
    ]


def _download_cases(
    key: str, done_ref: str, waiting_ref: str, done_order: str, waiting_order: str
) -> list[Case]:
    """Refused calls of the two download endpoints."""
    return [
        ("get", "/tp-api/users/get-ticket", f"/tp-api/users/get-ticket?{key}&ticket_id=x", None),
        ("get", "/tp-api/users/get-ticket", f"/tp-api/users/get-ticket?{key}&wp_user_id=7", None),
        (
            "get",
            "/tp-api/users/get-ticket",
            f"/tp-api/users/get-ticket?{key}&wp_user_id=7&ticket_id=zzzz",
            None,
        ),
        (
            "get",
            "/tp-api/users/get-ticket",
            f"/tp-api/users/get-ticket?{key}&wp_user_id=8&ticket_id={done_ref}",
            None,
        ),
        (
            "get",
            "/tp-api/users/get-ticket",
            f"/tp-api/users/get-ticket?{key}&wp_user_id=7&ticket_id={waiting_ref}",
            None,
        ),
        ("get", "/tp-api/orders/get-ticket", f"/tp-api/orders/get-ticket?{key}&order_id=x", None),
        ("get", "/tp-api/orders/get-ticket", f"/tp-api/orders/get-ticket?{key}&wp_user_id=7", None),
        (
            "get",
            "/tp-api/orders/get-ticket",
            f"/tp-api/orders/get-ticket?{key}&wp_user_id=7&order_id=TP-99999",
            None,
        ),
        (
            "get",
            "/tp-api/orders/get-ticket",
            f"/tp-api/orders/get-ticket?{key}&wp_user_id=8&order_id={done_order}",
            None,
        ),
        (
            "get",
            "/tp-api/orders/get-ticket",
            f"/tp-api/orders/get-ticket?{key}&wp_user_id=7&order_id={waiting_order}",
            None,
        ),
    ]
