"""A seller makes an event in the console, in a real browser at phone and desktop widths:
a refused form says why beside the field and keeps what was typed; the event is created
with two ticket types, published and then on sale through the partner API; it is
duplicated to new dates, and cancelled after a page that says what that refunds."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
import requests
from playwright.sync_api import Page, expect

from tests.browser.console_pages import photograph, sign_in
from tp_api.models import Event, EventLifecycle, TicketType


def _fill_type(page: Page, number: int, name: str, price: str, quantity: str) -> None:
    group = page.get_by_role("group", name=f"Ticket type {number}", exact=True)
    group.get_by_label("Name").fill(name)
    group.get_by_label("Price").fill(price)
    group.get_by_label("Quantity").fill(quantity)


@pytest.mark.parametrize("kind", ["phone", "desktop"])
def test_create_publish_duplicate_and_cancel_an_event(
    live_server, open_page, screenshot, staff_seller, kind
):
    page = open_page(kind)
    sign_in(page, live_server)
    page.get_by_role("link", name="New event").click()
    page.get_by_label("Title").fill("Harbour Jazz 2027")
    page.get_by_label("City").fill("Rotterdam")
    page.get_by_label("Starts at").fill("2027-07-03T19:30")
    page.get_by_label("Time zone").fill("Europe/Amsterdam")
    _fill_type(page, 1, "Standing", "29,95", "300")
    _fill_type(page, 2, "Balcony", "a lot", "40")
    page.get_by_role("button", name="Create event").click()

    price = page.get_by_role("group", name="Ticket type 2", exact=True).get_by_label("Price")
    expect(price).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#ticketTypes-1-price-error")).to_have_text(
        "Enter a price such as 29.95 (0 for free)."
    )
    expect(page.get_by_label("Title")).to_have_value("Harbour Jazz 2027")
    photograph(page, screenshot, "console-event-new-refused", kind)
    price.fill("45")
    page.get_by_role("button", name="Create event").click()

    expect(page.get_by_role("status")).to_contain_text("Event created as a draft")
    expect(page.get_by_role("heading", name="Harbour Jazz 2027")).to_be_visible()
    photograph(page, screenshot, "console-event-draft", kind)
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_role("status")).to_contain_text("Published")
    on_sale = requests.get(
        f"{live_server}/tp-api/events", params={"key": staff_seller.key}, timeout=5
    )
    listed = [e for e in on_sale.json() if e["name"] == "Harbour Jazz 2027"]
    assert len(listed) == 1

    _duplicate_then_cancel(page, live_server, lambda name: photograph(page, screenshot, name, kind))


def test_edit_a_ticket_type_below_what_is_sold_is_refused_beside_the_quantity(
    live_server, open_page, screenshot, factory, staff_seller
):
    event = factory.event(staff_seller, name="Canal Concert", ticket_stock=10)
    ticket_type = factory.ticket_type(event)
    factory.order(staff_seller, ticket_type, quantity=4)
    page = open_page("phone")
    sign_in(page, live_server, landing=f"/console/events/{event.id}/edit")
    group = page.get_by_role("group", name=re.compile("General Admission"))
    group.get_by_label("Quantity").fill("3")
    group.get_by_role("button", name="Save").click()
    group = page.get_by_role("group", name=re.compile("General Admission"))
    expect(group.get_by_label("Quantity")).to_have_attribute("aria-invalid", "true")
    expect(group.get_by_text("below the 4 tickets already sold")).to_be_visible()
    photograph(page, screenshot, "console-event-edit-refused", "phone")
    assert TicketType.get_by_id(ticket_type.id).stock == 10


def _duplicate_then_cancel(page: Page, live_server: str, photo: Callable[[str], None]) -> None:
    """Duplicate the event to next year, then cancel the original after its confirmation."""
    page.get_by_role("link", name="Duplicate").click()
    page.get_by_label("Title").fill("Harbour Jazz 2028")
    page.get_by_label("Starts at").fill("2028-07-01T19:30")
    page.get_by_role("button", name="Duplicate").click()
    expect(page.get_by_role("status")).to_contain_text("Duplicated as a draft")
    copy = Event.get(Event.name == "Harbour Jazz 2028")
    assert TicketType.select().where(TicketType.event == copy).count() == 2

    original = Event.get(Event.name == "Harbour Jazz 2027")
    page.goto(f"{live_server}/console/events/{original.id}")
    page.get_by_role("link", name="Cancel event").click()
    expect(page.get_by_role("heading", name=re.compile("Cancel Harbour Jazz 2027"))).to_be_visible()
    expect(page.get_by_text("0 paid orders are refunded")).to_be_visible()
    photo("console-event-cancel")
    page.get_by_label("Reason").fill("Storm warning")
    page.get_by_role("button", name="Cancel event").click()
    expect(page.get_by_role("status")).to_contain_text("Cancelled: Harbour Jazz 2027")
    assert Event.get_by_id(original.id).lifecycle == EventLifecycle.CANCELLED
