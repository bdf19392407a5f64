"""A seller reviews a held order in the console, in a real browser at phone width: the
review queue says why it was held, approving issues its tickets; in Dutch too."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.console_pages import photograph, sign_in
from tests.factories import order_body
from tp_api.models import Order, Ticket
from tp_api.services.orders import submit
from tp_api.services.orders.order_input import parse_partner_order


@pytest.fixture
def held(factory, staff_seller):
    """A paid order held for review: a burst from one address, a first-time buyer of ten
    tickets with a throwaway e-mail address (velocity, bulk, disposable: 95)."""
    event = factory.event(staff_seller, name="Harbour Drop", stock=1000, ticket_stock=1000)
    ticket_type = factory.ticket_type(event)
    for n in range(4):
        body = order_body(ticket_type.id, ip_address="192.0.2.7", wp_order_id=f"b{n}")
        body["billing_information"]["email"] = f"buyer{n}@example.com"
        submit.submit_order(staff_seller.id, parse_partner_order(body))
    body = order_body(ticket_type.id, quantity=10, ip_address="192.0.2.7", wp_order_id="held")
    body["billing_information"]["email"] = "fresh@mailinator.com"
    outcome = submit.submit_order(staff_seller.id, parse_partner_order(body))
    order = Order.get_by_id(outcome.order_id)
    assert order.fraud_review == "held"
    return order


def test_approve_a_held_order_on_a_phone(live_server, open_page, screenshot, held):
    page = open_page("phone")
    sign_in(page, live_server, landing="/console/fraud")
    expect(page.get_by_role("heading", name="Fraud review")).to_be_visible()
    row = page.get_by_role("row").filter(has_text=held.reference)
    expect(row).to_contain_text("95")
    expect(row).to_contain_text("A throwaway e-mail address")
    expect(row).to_contain_text("tickets held")
    photograph(page, screenshot, "console-fraud-queue", "phone")
    assert Ticket.select().where(Ticket.order == held.id).count() == 0
    row.get_by_role("button", name=f"Approve and issue tickets {held.reference}").click()
    expect(page.get_by_role("status")).to_contain_text(f"Order {held.reference} is approved.")
    expect(page.get_by_text("No orders are waiting for a review.")).to_be_visible()
    assert Ticket.select().where(Ticket.order == held.id).count() == 10


def test_the_review_queue_in_dutch(live_server, open_page, screenshot, held):
    page = open_page("phone")
    sign_in(page, live_server, landing="/console/fraud")
    page.goto(f"{live_server}/console/fraud?lang=nl")
    expect(page.get_by_role("heading", name="Fraudecontrole")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text=held.reference)).to_contain_text(
        "Een wegwerp-e-mailadres"
    )
    photograph(page, screenshot, "console-fraud-queue-nl", "phone")
