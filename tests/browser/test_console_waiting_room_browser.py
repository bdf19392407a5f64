"""A seller switches on an event's waiting room in the console, in a real browser at phone
width, in English and in Dutch: a refused rate is explained beside the field and the typed
values stay; the saved room shows its figures and the link for the shop."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.console_pages import photograph, sign_in
from tp_api.models import WaitingRoom


@pytest.fixture
def event(factory, staff_seller):
    return factory.event(staff_seller, name="Harbour Drop", timezone="Europe/Amsterdam")


def test_switch_on_a_waiting_room_on_a_phone(live_server, open_page, screenshot, event):
    page = open_page("phone")
    sign_in(page, live_server, landing=f"/console/events/{event.id}")
    page.get_by_role("link", name="Waiting room").click()
    expect(page.get_by_role("heading", name="Waiting room of Harbour Drop")).to_be_visible()
    page.get_by_label("Waiting room on").check()
    page.get_by_label("People let through per minute").fill("0")
    page.get_by_label("Return address").fill("https://shop.example/p/drop")
    page.get_by_role("button", name="Save").click()
    rate = page.get_by_label("People let through per minute")
    expect(rate).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#ratePerMinute-error")).to_have_text(
        "Enter a whole number from 1 to 100000."
    )
    expect(page.get_by_label("Return address")).to_have_value("https://shop.example/p/drop")
    photograph(page, screenshot, "console-waiting-room-refused", "phone")
    rate.fill("300")
    page.get_by_label("General Admission").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Waiting room saved.")
    expect(page.get_by_text(f"/queue/{event.id}?customer=")).to_be_visible()
    photograph(page, screenshot, "console-waiting-room", "phone")
    room = WaitingRoom.get(WaitingRoom.event == event.id)
    assert room.enabled and room.rate_per_minute == 300 and room.ticket_type_ids


def test_the_waiting_room_page_in_dutch(live_server, open_page, screenshot, event):
    page = open_page("phone")
    sign_in(page, live_server, landing=f"/console/events/{event.id}")
    page.goto(f"{live_server}/console/events/{event.id}/queue?lang=nl")
    expect(page.get_by_role("heading", name="Wachtrij van Harbour Drop")).to_be_visible()
    expect(page.get_by_label("Mensen doorgelaten per minuut")).to_have_value("100")
    photograph(page, screenshot, "console-waiting-room-nl", "phone")
