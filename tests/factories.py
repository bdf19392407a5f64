"""Small builders for test data, going through the real services where one exists."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tp_api.models import Account, Event, Shop, StaffUser, Ticket, TicketType
from tp_api.services.credentials import admin_keys, partner_keys, staff_auth
from tp_api.services.credentials.secret_box import SecretBox
from tp_api.services.events import catalogue
from tp_api.services.orders import personalise, submit
from tp_api.services.orders.order_input import parse_partner_order
from tp_api.services.shops import connections

STAFF_PASSWORD = "correct horse battery staple"


@dataclass
class Seller:
    account: Account
    key: str

    @property
    def id(self) -> int:
        return int(self.account.id)


@dataclass
class Factory:
    counter: int = 0
    sellers: list[Seller] = field(default_factory=list)

    def _next(self) -> int:
        self.counter += 1
        return self.counter

    def seller(self, name: str | None = None) -> Seller:
        account = partner_keys.create_account(name or f"Seller {self._next()}")
        seller = Seller(account, partner_keys.create_key(account.id, label="test").secret)
        self.sellers.append(seller)
        return seller

    def api_key(self, seller: Seller, scopes: list[str] | None = None) -> str:
        """An admin-API key of the seller (every scope unless narrowed); its secret."""
        return admin_keys.create_api_key(seller.id, label="test", scopes=scopes).secret

    def event(
        self,
        seller: Seller,
        *,
        stock: int = 100,
        ticket_stock: int = 100,
        children: list[dict[str, Any]] | None = None,
        **fields: Any,
    ) -> Event:
        data = {
            "name": fields.pop("name", f"Event {self._next()}"),
            "city": "Amsterdam",
            "start_date": 1785780000,
            "end_date": 1785823200,
            "price": "29.95",
            "stock": stock,
            "tickets": [
                {
                    "name": "General Admission",
                    "stock": ticket_stock,
                    "price": 29.95,
                    "date": 1785780000,
                }
            ],
            "children": children or [],
            **fields,
        }
        return catalogue.load_events(seller.id, [data])[0].event

    def shop(
        self,
        *,
        url: str = "https://shop.test",
        stock: int = 100,
        secret: str = "test-secret",
        seller: str | None = None,
    ) -> tuple[Seller, Shop, TicketType]:
        """A seller with a WooCommerce shop whose product 93 sells a new ticket type."""
        owner = self.seller(seller)
        ticket_type = self.ticket_type(self.event(owner, ticket_stock=stock))
        new = connections.add_shop(
            SecretBox([secret]),
            owner.id,
            "main",
            platform="woocommerce",
            base_url=url,
            consumer_key="ck_test",
            consumer_secret="cs_test",
        )
        connections.map_product(new.shop, product_id=93, ticket_type_id=ticket_type.id)
        return owner, new.shop, ticket_type

    def staff(
        self,
        seller: Seller,
        *,
        email: str | None = None,
        password: str = STAFF_PASSWORD,
        role: str = "owner",
    ) -> StaffUser:
        """A console user of the seller (password ``STAFF_PASSWORD`` unless given)."""
        email = email or f"staff{self._next()}@example.com"
        return staff_auth.create_staff(seller.id, email, password, name="Staff", role=role)

    def ticket_type(self, event: Event) -> TicketType:
        return TicketType.select().where(TicketType.event == event).order_by(TicketType.id).get()

    def order(
        self,
        seller: Seller,
        ticket_type: TicketType,
        *,
        quantity: int = 1,
        wp_user_id: int | None = 7,
        paid: bool = True,
        **fields: Any,
    ) -> submit.OrderOutcome:
        body = order_body(
            ticket_type.id,
            quantity=quantity,
            wp_user_id=wp_user_id,
            paid=paid,
            wp_order_id=fields.pop("wp_order_id", f"wc_{self._next()}"),
            **fields,
        )
        return submit.submit_order(seller.id, parse_partner_order(body))

    def personalise_all(
        self,
        seller: Seller,
        outcome: submit.OrderOutcome,
        wp_user_id: int = 7,
        *,
        email: str | None = None,
    ) -> list[Ticket]:
        """Personalise every ticket of the order through the real service: holders
        ``a0@example.com``, ``a1@...`` (each then gets their own ticket e-mail), or all
        ``email`` (the buyer's ``jane@example.com``: only the order's e-mail goes)."""
        tickets = list(Ticket.select().where(Ticket.order == outcome.order_id).order_by(Ticket.id))
        for event_id in sorted({t.event_id for t in tickets}):
            body = {
                "tickets": [
                    {
                        "ticket_id": t.reference,
                        "first_name": f"Attendee{i}",
                        "last_name": "Doe",
                        "email": email or f"a{i}@example.com",
                        "tel": "+31600000000",
                    }
                    for i, t in enumerate(tickets)
                    if t.event_id == event_id
                ]
            }
            personalise.personalise_tickets(seller.id, event_id, wp_user_id=wp_user_id, body=body)
        return list(Ticket.select().where(Ticket.order == outcome.order_id).order_by(Ticket.id))


def order_body(
    ticket_type_id: int,
    *,
    quantity: int = 1,
    wp_user_id: int | None = 7,
    paid: bool = True,
    **fields: Any,
) -> dict[str, Any]:
    """A ``POST /tp-api/orders/create`` body with one ticket line."""
    body: dict[str, Any] = {
        "wp_user_id": wp_user_id,
        "currency": "EUR",
        "order_total": round(29.95 * quantity, 2),
        "billing_information": {
            "first_name": "Jane",
            "last_name": "Doe",
            "email": "jane@example.com",
        },
        "order_lines": [
            {
                "tp_event_ticket_id": ticket_type_id,
                "name": "General Admission",
                "quantity": quantity,
                "product_id": 101,
                "order_item_type": "line_item",
                "unit_price": 29.95,
            }
        ],
    }
    if paid:
        body["date_paid"] = "2026-06-01T10:01:00Z"
    body.update(fields)
    return body
