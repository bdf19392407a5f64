"""Shared helpers for the admin-API tests of orders, customers, keys and the service edges."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from tests.factories import Factory, Seller, order_body
from tp_api.models import ApiKey, Event, Order, OrderLine, Ticket, TicketType
from tp_api.services.credentials import admin_keys
from tp_api.services.credentials.partner_keys import hash_key
from tp_api.services.orders import submit as order_submit
from tp_api.services.orders.order_input import parse_partner_order

UNIT = 2995  # the factory's ticket price, 29.95 in cents


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def key_id(secret: str) -> int:
    """The id of the admin-API key whose secret is ``secret``."""
    return int(ApiKey.get(ApiKey.key_hash == hash_key(secret)).id)


def new_key(seller: Seller, scopes: list[str] | None = None) -> tuple[str, int]:
    """A new admin-API key of the seller: (secret, id)."""
    created = admin_keys.create_api_key(seller.id, label="test", scopes=scopes)
    return created.secret, int(created.key.id)


def tickets_of(order_id: int) -> list[Ticket]:
    """The tickets of the order with this row id, oldest first."""
    return list(Ticket.select().where(Ticket.order == order_id).order_by(Ticket.id))


def line_number(line: OrderLine) -> int:
    """The line's ``id`` in the admin API: its place in its order (1, 2, ...), not its row id."""
    return (
        OrderLine.select().where(OrderLine.order == line.order_id, OrderLine.id <= line.id).count()
    )


def numbers_newest_first(outcomes: Iterable[order_submit.OrderOutcome]) -> list[int]:
    """The public numbers of these orders, newest (highest row id) first: the order in which
    the admin API lists them."""
    return [o.number for o in sorted(outcomes, key=lambda o: o.order_id, reverse=True)]


def sold(ticket_type: TicketType) -> int:
    return int(TicketType.get_by_id(ticket_type.id).sold)


@dataclass
class Shop:
    """One seller with an admin key (every scope), an event and its ticket type."""

    seller: Seller
    key: str
    event: Event
    ticket_type: TicketType

    def order(self, factory: Factory, **fields: Any) -> order_submit.OrderOutcome:
        return factory.order(self.seller, self.ticket_type, **fields)

    def personalised_order(self, factory: Factory, quantity: int = 1, **fields: Any) -> Order:
        """A paid order with every ticket personalised, as its row: ``id`` is the row id (for
        the database), ``number`` the public number (for the admin API and the services)."""
        outcome = self.order(factory, quantity=quantity, **fields)
        factory.personalise_all(self.seller, outcome)
        return Order.get_by_id(outcome.order_id)


def make_shop(factory: Factory, **event_fields: Any) -> Shop:
    seller = factory.seller()
    event = factory.event(seller, **event_fields)
    return Shop(seller, factory.api_key(seller), event, factory.ticket_type(event))


def submit(seller: Seller, body: dict[str, Any]) -> order_submit.OrderOutcome:
    return order_submit.submit_order(seller.id, parse_partner_order(body))


def two_event_order(factory: Factory, shop: Shop) -> order_submit.OrderOutcome:
    """A paid order with one ticket for the shop's event and one for a second event."""
    other = factory.ticket_type(factory.event(shop.seller))
    body = order_body(shop.ticket_type.id, wp_order_id="wc_9001")
    body["order_lines"].append({**body["order_lines"][0], "tp_event_ticket_id": other.id})
    body["order_total"] = 59.90
    return submit(shop.seller, body)


def dumps(body: Any) -> bytes:
    return json.dumps(body).encode()
