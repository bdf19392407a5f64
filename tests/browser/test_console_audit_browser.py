"""The audit trail in a real browser: a price changed and a partner key made in the console
are listed with who made them, what changed and the values before and after, and the
filters narrow the list."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.console_pages import EMAIL, photograph, sign_in


@pytest.mark.parametrize("kind", ["phone", "desktop"])
def test_console_changes_are_in_the_audit_trail_and_filtered(
    live_server, open_page, screenshot, factory, staff_seller, kind
):
    event = factory.event(staff_seller, name="Canal Concert", ticket_stock=10)
    page = open_page(kind)
    sign_in(page, live_server, landing=f"/console/events/{event.id}/edit")
    group = page.get_by_role("group", name=re.compile("General Admission"))
    group.get_by_label("Price").fill("35")
    group.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_be_visible()
    page.goto(live_server + "/console/keys")
    page.get_by_label("Label of a new partner key").fill("Main shop plugin")
    page.get_by_role("button", name="Create partner key").click()
    issued = page.get_by_role("heading", name="Your new partner key: Main shop plugin")
    expect(issued).to_be_visible()

    page.goto(live_server + "/console/audit")
    price = page.get_by_role("row", name=re.compile("Ticket type updated: General Admission"))
    expect(price).to_contain_text(EMAIL)
    expect(price).to_contain_text("price: 29.95 → 35.00")
    key = page.get_by_role("row", name=re.compile("Partner key created: Main shop plugin"))
    expect(key).to_contain_text(EMAIL)
    expect(key).to_contain_text("label: — → Main shop plugin")
    photograph(page, screenshot, "console-audit-trail", kind)

    page.get_by_label("What").select_option(label="Ticket types")
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(re.compile(r"action=ticket_type"))
    expect(price).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("Partner key created"))).to_have_count(0)
    page.get_by_label("What").select_option(label="Every change")
    page.get_by_label("Who (e-mail or key name)").fill("nobody@example.com")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_text("No changes match these filters.")).to_be_visible()
