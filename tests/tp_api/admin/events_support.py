"""Helpers shared by the admin-API events tests: a small client, bodies, error checks."""

from __future__ import annotations

import json
from typing import Any

from tests.admin_api import api_error
from tests.factories import Seller, order_body
from tp_api.models import Event, Order, Ticket


def field_errors(response: Any) -> dict[str, str]:
    """A 400 ``validation_error``'s details as {field: message}."""
    error = api_error(response, 400, "validation_error")
    return {d["field"]: d["message"] for d in error["details"]}


def partner_order(
    client: Any, seller: Seller, ticket_type_id: int, quantity: int = 1, **fields: Any
) -> Any:
    """``POST /tp-api/orders/create`` with one ticket line; the response."""
    body = order_body(ticket_type_id, quantity=quantity, **fields)
    return client.post(
        f"/tp-api/orders/create?key={seller.key}",
        data=json.dumps(body),
        content_type="application/json",
    )


def placed(response: Any) -> int:
    """The public number of the order a successful partner push created (``X-TP-Order-Id``)."""
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_data(as_text=True) == "Order created"
    return int(response.headers["X-TP-Order-Id"])


def event_row(event_id: int) -> Event:
    return Event.get_by_id(event_id)


def order_row(number: int) -> Order:
    """The stored order with this public number (``placed``), for checks on the database."""
    return Order.get(Order.number == number)


def walk(api: Any, **query: Any) -> tuple[list[int], int]:
    """Every page of the list: (ids in order, number of pages)."""
    ids: list[int] = []
    pages, cursor = 0, None
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


def in_state(api: Any, client: Any, seller: Seller, state: str, **fields: Any) -> Any:
    """A new event in ``state`` (sold_out: its only ticket type, of 2, sold)."""
    if state == "sold_out":
        fields.setdefault("ticketTypes", [{"name": "GA", "price": 2500, "quantity": 2}])
    event = api.create(**fields)
    if state == "draft":
        return event
    if state == "cancelled":
        assert api.post(f"/events/{event['id']}/cancel").status_code == 200
        return api.event(event["id"])
    event = api.publish(event)
    if state == "sold_out":
        placed(partner_order(client, seller, event["ticketTypes"][0]["id"], quantity=2))
    if state in ("completed", "archived"):
        assert api.post(f"/events/{event['id']}/complete").status_code == 200
    if state == "archived":
        assert api.post(f"/events/{event['id']}/archive").status_code == 200
    event = api.event(event["id"])
    assert event["status"] == state
    return event


def lifecycles(event_id: int) -> dict[int, str]:
    """The stored lifecycle of the event and of each of its dates."""
    rows = Event.select().where((Event.id == event_id) | (Event.parent == event_id))
    return {row.id: row.lifecycle for row in rows.order_by(Event.id)}


def tickets_of(order_id: int) -> list[Ticket]:
    return list(Ticket.select().where(Ticket.order == order_id).order_by(Ticket.id))
