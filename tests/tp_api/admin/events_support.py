"""Helpers shared by the admin-API events tests: a small client, bodies, error checks."""

from __future__ import annotations

import json
from typing import Any

from tests.admin_api import api_error
from tests.factories import Seller, order_body
from tp_api.models import Event, Order


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
