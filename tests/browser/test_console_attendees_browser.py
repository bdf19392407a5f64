"""An event's attendee list in a real browser at phone and desktop width: reached from the
event's page, narrowed by admission, checked with axe-core."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.console_pages import photograph, sign_in


@pytest.mark.parametrize("kind", ["phone", "desktop"])
def test_the_attendee_list(live_server, open_page, screenshot, factory, staff_seller, kind):
    event = factory.event(staff_seller, name="Harbour Jazz")
    outcome = factory.order(staff_seller, factory.ticket_type(event), quantity=2)
    tickets = factory.personalise_all(staff_seller, outcome)
    page = open_page(kind)
    sign_in(page, live_server, landing=f"/console/events/{event.id}")
    page.get_by_role("link", name="Attendees").click()
    expect(page.get_by_role("heading", name="Attendees of Harbour Jazz")).to_be_visible()
    expect(page.get_by_role("row", name=f"{tickets[0].first_name} Doe")).to_be_visible()
    photograph(page, screenshot, "console-attendees", kind)
    page.get_by_label("Admitted").select_option("yes")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_text("No tickets match.")).to_be_visible()
