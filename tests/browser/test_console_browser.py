"""The seller's console in a real browser, walked as staff would: sign in, look at sales,
refund an order and see the stock come back, watch the door figures move on their own, and
see a failed shop sync's error. Each page is checked for the accessibility basics and
photographed at phone and desktop widths."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from config.settings import Settings
from config.shops import secret_box, sync_now_handler
from config.tickets import scan_public_keys, ticket_tools
from tests.browser.checks import assert_keyboard_reachable
from tests.browser.console_pages import EMAIL, photograph, sign_in
from tests.conftest import TEST_SECRET
from tests.factories import STAFF_PASSWORD
from tests.fake_woo import FakeWoo, fail_times
from tp_api.models import TicketType
from tp_api.services.delivery import outbox
from tp_api.services.delivery.ticket_files import ticket_code
from tp_api.services.door import scanners
from tp_api.services.door.checkin import ScanRequest, scan
from tp_api.services.shops.sync_requests import SYNC_SHOP_NOW
from tp_api.services.webhooks import webhook_endpoints, webhook_events
from tp_api.services.webhooks.webhook_endpoints import EndpointPolicy


@pytest.mark.parametrize("kind", ["phone", "desktop"])
def test_sign_in_and_browse_the_sales(
    live_server, open_page, screenshot, factory, staff_seller, kind
):
    event = factory.event(staff_seller, name="Harbour Jazz", ticket_stock=120)
    ticket_type = factory.ticket_type(event)
    for quantity in (2, 3, 1):
        factory.order(staff_seller, ticket_type, quantity=quantity)
    page = open_page(kind)
    page.goto(live_server + "/console/events")
    assert_keyboard_reachable(page, "#email")
    photograph(page, screenshot, "console-sign-in", kind)
    page.get_by_label("E-mail address").fill(EMAIL)
    page.get_by_label("Password").fill("not the right one")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_have_text("The e-mail address or password is wrong.")
    page.get_by_label("Password").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Events", exact=True)).to_be_visible()
    row = page.get_by_role("row", name=re.compile("General Admission"))
    expect(row).to_contain_text("6")  # sold
    expect(row).to_contain_text("114")  # left
    photograph(page, screenshot, "console-events", kind)
    page.get_by_role("link", name="Harbour Jazz").click()
    expect(page.get_by_role("heading", name="Tickets sold per day")).to_be_visible()
    expect(page.locator("svg.chart rect.bar")).to_have_count(30)
    photograph(page, screenshot, "console-event", kind)


@pytest.mark.parametrize("kind", ["phone", "desktop"])
def test_staff_refund_an_order_and_see_the_stock_come_back(
    live_server, open_page, screenshot, factory, staff_seller, kind
):
    event = factory.event(staff_seller, name="Canal Concert", ticket_stock=10)
    ticket_type = factory.ticket_type(event)
    outcome = factory.order(
        staff_seller,
        ticket_type,
        quantity=3,
        billing_information={
            "first_name": "Grace",
            "last_name": "Hopper",
            "email": "grace@example.com",
        },
    )
    page = open_page(kind)
    sign_in(page, live_server, landing="/console/orders")
    page.get_by_label("Search").fill("hopper")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name=outcome.reference).click()
    stock_left = page.locator("[data-stock-left]")
    expect(stock_left).to_have_text("7")
    photograph(page, screenshot, "console-order", kind)
    page.get_by_label("Tickets of General Admission to refund").fill("2")
    page.get_by_label("Reason (kept with the refund)").fill("Illness")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Refund the chosen tickets").click()
    expect(page.get_by_role("status")).to_contain_text("Refunded 59.90")
    expect(stock_left).to_have_text("9")
    expect(page.get_by_text("Illness")).to_be_visible()
    assert TicketType.get_by_id(ticket_type.id).sold == 1
    photograph(page, screenshot, "console-order-refunded", kind)


def test_a_cancelled_confirmation_refunds_nothing(live_server, open_page, factory, staff_seller):
    ticket_type = factory.ticket_type(factory.event(staff_seller, ticket_stock=10))
    outcome = factory.order(staff_seller, ticket_type, quantity=1)
    page = open_page("desktop")
    sign_in(page, live_server, landing=f"/console/orders/{outcome.number}")
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name="Refund the whole order").click()
    expect(page.locator("[data-stock-left]")).to_have_text("9")
    assert TicketType.get_by_id(ticket_type.id).sold == 1


@pytest.mark.parametrize("kind", ["phone", "desktop"])
def test_door_figures_refresh_on_their_own(
    live_server, open_page, screenshot, factory, staff_seller, settings, kind, monkeypatch
):
    from tp_api.web.console import door

    monkeypatch.setattr(door, "REFRESH_SECONDS", 2)
    event = factory.event(staff_seller, name="Door Night")
    tickets = factory.personalise_all(
        staff_seller, factory.order(staff_seller, factory.ticket_type(event), quantity=3)
    )
    page = open_page(kind)
    sign_in(page, live_server, landing=f"/console/door/{event.id}")
    inside = page.locator('[data-figure="inside"]')
    expect(inside).to_have_text("0")
    context = scanners.authenticate_scanner(
        scanners.create_scanner(staff_seller.id, "Gate kit", [event.id]).secret
    )
    tools = ticket_tools(settings)
    for ticket, gate in zip(tickets[:2], ("North", "North"), strict=True):
        request = ScanRequest(ticket_code(tools, ticket), event.id, gate=gate)
        assert scan(context, request, scan_public_keys(settings)).success
    # No reload: console.js fetches the figures every few seconds.
    expect(inside).to_have_text("2", timeout=15_000)
    expect(page.get_by_role("row", name=re.compile("North"))).to_contain_text("2")
    photograph(page, screenshot, "console-door", kind)


@pytest.mark.parametrize("kind", ["phone", "desktop"])
def test_a_failed_sync_shows_its_error(live_server, open_page, screenshot, factory, settings, kind):
    with FakeWoo() as woo:
        owner, shop, _ = factory.shop(url=woo.url, secret=TEST_SECRET, seller="Shop Seller")
        factory.staff(owner, email=EMAIL)
        page = open_page(kind)
        sign_in(page, live_server, landing="/console/shops")
        expect(page.get_by_text("No runs yet.")).to_be_visible()
        page.get_by_role("button", name="Sync now").click()
        expect(page.get_by_role("status")).to_contain_text("Sync requested")
        expect(page.get_by_role("button", name="Sync now")).to_be_disabled()
        # The outbox worker's turn: the shop refuses our credentials.
        woo.failures.append(
            fail_times(1, 401, b'{"code":"woocommerce_rest_cannot_view"}', {}, "application/json")
        )
        (job,) = outbox.claim([SYNC_SHOP_NOW])
        sync_now_handler(settings)(job)
        outbox.complete(job)
    page.reload()
    expect(
        page.get_by_text(re.compile("GET orders: HTTP 401 woocommerce_rest_cannot_view"))
    ).to_be_visible()
    expect(page.get_by_role("button", name="Sync now")).to_be_enabled()
    photograph(page, screenshot, "console-shops", kind)


@pytest.mark.parametrize("kind", ["phone", "desktop"])
def test_webhook_delivery_log(live_server, open_page, screenshot, factory, staff_seller, kind):
    endpoint = webhook_endpoints.create_endpoint(
        staff_seller.id,
        secret_box(Settings(secret_key=TEST_SECRET)),
        EndpointPolicy(resolver=lambda host, port: ["93.184.216.34"]),
        url="https://hooks.example.com/tickets",
        event_types=["order.created", "order.refunded"],
        description="Accounting",
    ).endpoint
    webhook_events.emit_ping(staff_seller.id, endpoint)
    page = open_page(kind)
    sign_in(page, live_server, landing="/console/webhooks")
    page.get_by_role("link", name="https://hooks.example.com/tickets").click()
    expect(page.get_by_role("row", name=re.compile("webhook.ping"))).to_have_count(2)
    photograph(page, screenshot, "console-webhooks", kind)
