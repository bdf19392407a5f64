"""Helpers of the emitted-events tests: a shop with an admin-API client, endpoints that hear
every type, order pushes and lookups."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from tests.admin_api import Admin
from tests.factories import Seller, order_body
from tests.webhooks.support import (
    ALL_TYPES,
    public_dns,
    stored_events,
)
from tp_api.models import (
    Event,
    Order,
    Ticket,
    TicketType,
    WebhookEndpoint,
)
from tp_api.services.credentials.secret_box import SecretBox
from tp_api.services.webhooks import webhook_endpoints
from tp_api.services.webhooks.webhook_endpoints import EndpointPolicy

HOLDER = {"firstName": "Sam", "lastName": "Smith", "email": "sam@example.com"}


def subscribe(
    settings, seller: Seller, types: list[str] | None = None, url: str | None = None
) -> WebhookEndpoint:
    """An endpoint of the seller (its creation ping left out of what follows)."""
    created = webhook_endpoints.create_endpoint(
        seller.id,
        SecretBox([settings.secret_key]),
        EndpointPolicy(allow_private=url is not None, resolver=public_dns),
        url=url or f"https://hooks.example.com/{seller.id}",
        event_types=types or ALL_TYPES,
    )
    return created.endpoint


@dataclass
class Shop:
    seller: Seller
    api: Admin
    client: Any
    event: Event
    ticket_type: TicketType

    def push(self, quantity: int = 1, **fields: Any) -> int:
        """``POST /tp-api/orders/create``; the order's public number."""
        return push_order(self.client, self.seller, self.ticket_type.id, quantity, **fields)

    def order(self, number: int) -> dict[str, Any]:
        """``GET /orders/{number}``: the order by its public number."""
        response = self.api.get(f"/orders/{number}")
        assert response.status_code == 200, response.get_data(as_text=True)
        return dict(response.get_json())

    def event_json(self, event_id: int | None = None) -> dict[str, Any]:
        response = self.api.get(f"/events/{event_id or self.event.id}")
        assert response.status_code == 200, response.get_data(as_text=True)
        return dict(response.get_json())


def push_order(client, seller: Seller, ticket_type_id: int, quantity: int = 1, **fields) -> int:
    """A partner order push; the order's public number (``X-TP-Order-Id``)."""
    body = order_body(ticket_type_id, quantity=quantity, **fields)
    response = client.post(
        f"/tp-api/orders/create?key={seller.key}",
        data=json.dumps(body),
        content_type="application/json",
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    return int(response.headers["X-TP-Order-Id"])


def make_shop(factory, client, **event_fields: Any) -> Shop:
    seller = factory.seller()
    event = factory.event(seller, **event_fields)
    return Shop(
        seller,
        Admin(client, factory.api_key(seller)),
        client,
        event,
        factory.ticket_type(event),
    )


def types_of(events: list[dict[str, Any]]) -> list[str]:
    return [e["type"] for e in events]


def only(event_type: str) -> dict[str, Any]:
    (event,) = stored_events(event_type)
    return event


def tickets_of(order_id: int) -> list[Ticket]:
    """The tickets of the order with this row id."""
    return list(Ticket.select().where(Ticket.order == order_id).order_by(Ticket.id))


def order_row(number: int) -> Order:
    """The stored order with this public number (what ``push`` answers)."""
    return Order.get(Order.number == number)


def personalise_body(tickets: list[Ticket]) -> dict[str, Any]:
    return {
        "tickets": [
            {
                "ticket_id": t.reference,
                "first_name": f"Guest{i}",
                "last_name": "Doe",
                "email": f"g{i}@example.com",
                "tel": "+31600000000",
            }
            for i, t in enumerate(tickets)
        ]
    }
