"""The "my tickets" page in a real browser: a customer on a phone fixes the form's complaints,
saves two attendees, downloads the order PDF and a QR code; the same page on a desktop."""

from __future__ import annotations

import dataclasses

import pytest
from playwright.sync_api import Page

from config.tickets import my_tickets_links
from tests.browser.checks import assert_accessible, assert_axe_clean, assert_keyboard_reachable
from tp_api.models import Ticket, TicketStatus
from tp_api.web.parts import install, parts_of


def tickets_of(order_id: int) -> list[Ticket]:
    return list(Ticket.select().where(Ticket.order == order_id).order_by(Ticket.id))


@pytest.fixture
def customer(app, factory, settings, live_server):
    """Customer 7 with a fresh order of two tickets and an older one already personalised."""
    # Signed file links point at TP_PUBLIC_URL; here that is the live server the browser sees.
    shared = parts_of(app)
    tools = dataclasses.replace(shared.ticket_tools, public_url=live_server)
    install(app, dataclasses.replace(shared, ticket_tools=tools))
    seller = factory.seller("Festival BV")
    event = factory.event(seller, name="Summer Festival 2026")
    ticket_type = factory.ticket_type(event)
    older = factory.order(seller, ticket_type, quantity=1, wp_user_id=7)
    factory.personalise_all(seller, older)
    fresh = factory.order(seller, ticket_type, quantity=2, wp_user_id=7)
    token = my_tickets_links(settings).sign(seller.id, 7, "en")
    return {
        "url": f"{live_server}/my-tickets/{token}",
        "event": event,
        "older": older,
        "fresh": fresh,
        "refs": [t.reference for t in tickets_of(fresh.order_id)],
    }


def fill_ticket(page: Page, ref: str, first: str, last: str, email: str, tel: str) -> None:
    page.fill(f"#t-{ref}-first_name", first)
    page.fill(f"#t-{ref}-last_name", last)
    page.fill(f"#t-{ref}-email", email)
    page.fill(f"#t-{ref}-tel", tel)


def test_a_customer_personalises_and_downloads_on_a_phone(customer, open_page, screenshot):
    refs = customer["refs"]
    page = open_page("phone")
    response = page.goto(customer["url"])
    assert response is not None and response.status == 200
    assert page.locator("h1").inner_text() == "My tickets"
    assert_accessible(page)
    assert_axe_clean(page)

    # First try: a mistyped address and a missing last name.
    fill_ticket(page, refs[0], "Jane", "Doe", "jane.example.com", "+31612345678")
    fill_ticket(page, refs[1], "John", "", "john@example.com", "+31687654321")
    page.click("button[type=submit]")
    page.wait_for_selector(".tpmt-error-summary")
    summary = page.locator(".tpmt-error-summary")
    # The summary takes focus (the script), so a screen reader starts there.
    # The summary is in the served HTML before the script runs, so wait for
    # the focus rather than reading it at once.
    page.wait_for_function(
        "document.activeElement.classList.contains('tpmt-error-summary')", timeout=5000
    )
    assert "Enter a last name" in summary.inner_text()
    assert page.locator(f"#t-{refs[1]}-last_name-error").inner_text().endswith("Enter a last name")
    assert page.input_value(f"#t-{refs[1]}-first_name") == "John"
    assert page.input_value(f"#t-{refs[0]}-email") == "jane.example.com"
    assert_accessible(page)
    assert_axe_clean(page)
    screenshot(page, "my-tickets-errors-phone")

    # The summary's link leads to the field.
    summary.locator("a").first.click()
    assert page.evaluate("document.activeElement.id") == f"t-{refs[1]}-last_name"
    page.fill(f"#t-{refs[1]}-last_name", "Roe")
    page.click("button[type=submit]")
    page.wait_for_selector(".tpmt-error-summary")
    # Now the server refuses the address (the page had no way to know), next to that field.
    assert (
        page.locator(f"#t-{refs[0]}-email-error")
        .inner_text()
        .endswith("Enter an e-mail address like name@example.com")
    )
    page.fill(f"#t-{refs[0]}-email", "jane@example.com")
    page.click("button[type=submit]")

    notice = page.locator(".tpmt-notice")
    notice.wait_for()
    assert notice.inner_text() == "Saved. Thank you!"
    assert page.locator("input").count() == 0
    assert page.locator(f"#ticket-{refs[1]}").inner_text().count("John Roe") == 1
    assert [t.status for t in tickets_of(customer["fresh"].order_id)] == [TicketStatus.ACTIVE] * 2
    assert_accessible(page)
    assert_axe_clean(page)
    screenshot(page, "my-tickets-phone")

    _download_the_pdf_and_a_qr_code(page, customer, refs[0])


def _download_the_pdf_and_a_qr_code(page, customer, ref: str) -> None:
    """The order PDF and a QR code, through the page's own links (fresh signed URLs)."""
    fresh_order = f"#order-{customer['event'].id}-{customer['fresh'].reference}"
    pdf_link = page.locator(f"{fresh_order} a.tpmt-download--pdf")
    # Served inline, so chromium opens it in its PDF viewer (whose page is what body() would
    # give): check what arrived, then fetch the same signed URL's bytes once more.
    with page.expect_response(lambda r: "/files/tickets/order_" in r.url) as pdf_response:
        pdf_link.click()
    pdf = pdf_response.value
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    assert page.request.get(pdf.url).body().startswith(b"%PDF-")
    page.go_back()

    qr_link = page.locator(f"#ticket-{ref} a.tpmt-download--qr")
    with page.expect_response(lambda r: "/files/tickets/ticket_" in r.url) as qr_response:
        qr_link.click()
    qr = qr_response.value
    assert qr.status == 200 and qr.headers["content-type"] == "image/png"
    assert qr.body().startswith(b"\x89PNG")


def test_the_page_on_a_desktop_reads_and_works_with_the_keyboard(customer, open_page, screenshot):
    refs = customer["refs"]
    page = open_page("desktop")
    page.goto(customer["url"])
    assert_accessible(page)
    assert_axe_clean(page)
    # Two fields per row on a wide screen.
    first = page.locator(f"#t-{refs[0]}-first_name").bounding_box()
    last = page.locator(f"#t-{refs[0]}-last_name").bounding_box()
    assert first and last and first["y"] == last["y"] and last["x"] > first["x"]
    # Everything is reachable in order with Tab: the older order's PDF, then the form.
    older_pdf = f"#order-{customer['event'].id}-{customer['older'].reference} a.tpmt-download--pdf"
    pdf_presses = assert_keyboard_reachable(page, older_pdf)
    field_presses = assert_keyboard_reachable(page, f"#t-{refs[0]}-first_name")
    assert assert_keyboard_reachable(page, "button[type=submit]") > field_presses > pdf_presses
    # The focused element shows it: a visible outline.
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"
    screenshot(page, "my-tickets-desktop")
