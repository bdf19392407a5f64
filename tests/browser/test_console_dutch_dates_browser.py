"""The console in Dutch, in a real browser at phone and desktop widths: a seller switches
the language at the foot of the page, adds a date with its first ticket type to a published
event (a refused form says why in Dutch, beside the field), and the date is on sale through
the partner API."""

from __future__ import annotations

import pytest
import requests
from playwright.sync_api import expect

from tests.browser.console_pages import photograph, sign_in


@pytest.mark.parametrize("kind", ["phone", "desktop"])
def test_add_a_date_in_dutch(live_server, open_page, screenshot, factory, staff_seller, kind):
    event = factory.event(staff_seller, name="Zomerfestival", ticket_stock=100)
    factory.ticket_type(event)
    page = open_page(kind)
    sign_in(page, live_server, landing=f"/console/events/{event.id}/edit")
    page.get_by_role("link", name="Nederlands").click()
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.get_by_role("heading", name="Datums")).to_be_visible()
    page.get_by_role("link", name="Een datum toevoegen").click()

    page.get_by_label("Titel").fill("Zaterdag")
    page.get_by_role("button", name="Datum toevoegen").click()
    expect(page.locator("#startsAt-error")).to_have_text("Vul in wanneer de datum begint.")
    expect(page.get_by_label("Begint om")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Titel")).to_have_value("Zaterdag")
    photograph(page, screenshot, "console-date-refused-nl", kind)

    page.get_by_label("Begint om").fill("2027-07-03T12:00")
    first = page.get_by_role("group", name="Het eerste tickettype (optioneel)")
    first.get_by_label("Naam").fill("Dagkaart zaterdag")
    first.get_by_label("Prijs").fill("35,50")
    first.get_by_label("Aantal").fill("200")
    page.get_by_role("button", name="Datum toevoegen").click()
    expect(page.get_by_role("status")).to_have_text("Datum toegevoegd: Zaterdag.")
    expect(
        page.get_by_role("group", name="Dagkaart zaterdag (0 verkocht, 0 gereserveerd)")
    ).to_be_visible()
    photograph(page, screenshot, "console-date-nl", kind)

    on_sale = requests.get(
        f"{live_server}/tp-api/events", params={"key": staff_seller.key}, timeout=5
    )
    assert "Dagkaart zaterdag" in on_sale.text
