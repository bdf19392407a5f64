"""A seller adds an affiliate in the console, in a real browser at phone width: a refused
rate is explained beside its field and what was typed stays; the new affiliate's page shows
its tracking link, whose click and order then show in the list; in Dutch too. Checked
with axe-core."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.console_pages import photograph, sign_in
from tests.tp_api.affiliates.support import affiliate, push
from tp_api.models import Affiliate, AffiliateLink


@pytest.fixture
def ticket_type(factory, staff_seller):
    return factory.ticket_type(factory.event(staff_seller, name="Harbour Drop"))


def test_add_an_affiliate_on_a_phone(live_server, open_page, screenshot, staff_seller, ticket_type):
    page = open_page("phone")
    sign_in(page, live_server, landing="/console/affiliates")
    expect(page.get_by_role("heading", name="Affiliates", exact=True)).to_be_visible()
    page.get_by_label("Name").fill("Anna Rijs")
    page.get_by_label("Commission rate (%)").fill("150")
    page.get_by_label("Code").fill("anna")
    page.get_by_role("button", name="Add affiliate").click()
    rate = page.get_by_label("Commission rate (%)")
    expect(rate).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#rate-error")).to_have_text(
        "Enter a percentage from 0 to 100, such as 10 or 12.5."
    )
    expect(page.get_by_label("Code")).to_have_value("anna")
    photograph(page, screenshot, "console-affiliates-refused", "phone")
    rate.fill("12.5")
    page.get_by_role("button", name="Add affiliate").click()
    expect(page.get_by_role("status")).to_contain_text("Affiliate Anna Rijs added")
    expect(page.get_by_role("heading", name="Anna Rijs")).to_be_visible()
    made = Affiliate.get(Affiliate.code == "anna")
    link = AffiliateLink.get(AffiliateLink.affiliate == made.id)
    row = page.get_by_role("row").filter(has_text="Harbour Drop")
    expect(row).to_contain_text(f"/r/{link.code}")
    photograph(page, screenshot, "console-affiliate", "phone")
    # A customer follows the link and buys: the list shows the click and the order.
    page.goto(f"{live_server}/console/affiliates")
    AffiliateLink.update(clicks=1).where(AffiliateLink.id == link.id).execute()
    push(staff_seller, ticket_type, quantity=2, wp_order_id="wc_1", affiliate_code="anna")
    page.reload()
    row = page.get_by_role("row").filter(has_text="Anna Rijs")
    expect(row).to_contain_text("12.5%")
    expect(row).to_contain_text("EUR 59.90")
    expect(row).to_contain_text("EUR 7.49")
    photograph(page, screenshot, "console-affiliates", "phone")


def test_the_affiliates_in_dutch(live_server, open_page, screenshot, staff_seller, ticket_type):
    anna = affiliate(staff_seller, name="Anna Rijs", rate=1250, code="anna")
    push(staff_seller, ticket_type, wp_order_id="wc_1", affiliate_code="anna")
    page = open_page("phone")
    sign_in(page, live_server, landing="/console/affiliates")
    page.goto(f"{live_server}/console/affiliates?lang=nl")
    expect(page.get_by_role("heading", name="Een affiliate toevoegen")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="Anna Rijs")).to_contain_text("12,5%")
    photograph(page, screenshot, "console-affiliates-nl", "phone")
    page.goto(f"{live_server}/console/affiliates/{anna.id}")
    expect(page.get_by_role("heading", name="Trackinglinks")).to_be_visible()
    photograph(page, screenshot, "console-affiliate-nl", "phone")
