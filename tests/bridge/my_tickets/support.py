"""Helpers of the "my tickets" page tests: signed page paths, the attendee form, the page's
DOM and the messages next to its fields."""

from __future__ import annotations

from config.tickets import my_tickets_links
from tests.bridge.html_dom import Node, parse
from tp_api.models import Ticket

DAY2 = {
    "name": "Day 2",
    "status": 1,
    "stock": 100,
    "price": "15.00",
    "featured": False,
    "manage_price_per_ticket": True,
    "manage_stock_per_ticket": True,
    "start_date": 1785866400,
    "end_date": 1785909600,
    "tickets": [{"name": "Sunday", "stock": 100, "price": 15.0, "status": 1, "date": None}],
}


def page_path(settings, account_id: int, wp_user_id: int = 7, locale: str = "") -> str:
    return "/my-tickets/" + my_tickets_links(settings).sign(account_id, wp_user_id, locale)


def tickets_of(order_id: int) -> list[Ticket]:
    return list(Ticket.select().where(Ticket.order == order_id).order_by(Ticket.id))


def attendee_form(ref: str, **values: str) -> dict[str, str]:
    data = {
        "first_name": "Jane",
        "last_name": "Doe",
        "email": "jane@example.com",
        "tel": "+31612345678",
        **values,
    }
    return {f"{ref}-{name}": value for name, value in data.items()}


def get_page(client, path: str, status: int = 200) -> Node:
    response = client.get(path)
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    return parse(response.get_data(as_text=True))


def field_error(dom: Node, ref: str, name: str) -> str:
    """The message shown next to a field, checked to be tied to the input for screen readers."""
    field = dom.by_id(f"t-{ref}-{name}")
    assert field.attrs["aria-invalid"] == "true"
    message = dom.by_id(field.attrs["aria-describedby"])
    assert message.parent is field.parent  # in the same field block as the input
    return message.text
