"""The door app's browser tests' fixtures: ``door`` (events, tickets, their codes and
scanners) and ``phone`` (a page at 360 px in a chromium whose camera shows QR codes)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from config.tickets import ticket_tools
from tests.browser.fake_camera import blank_frame, camera_browser, qr_frame, write_y4m
from tp_api.models import Ticket
from tp_api.services.delivery.ticket_files import ticket_code
from tp_api.services.door import pairing, scanners

PHONE = {
    "viewport": {"width": 360, "height": 740},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
    # Times on screen are checked against the database's, in this zone.
    "timezone_id": "Europe/Amsterdam",
}


@pytest.fixture
def door(factory, settings, staff_seller):
    """Two events, three personalised tickets of the first and one of the other, and two
    scanners of the first event."""
    here = factory.event(staff_seller, name="Harbour Jazz", ticket_stock=10)
    elsewhere = factory.event(staff_seller, name="Other Night", ticket_stock=10)
    tickets = []
    for event, count in ((here, 3), (elsewhere, 1)):
        outcome = factory.order(staff_seller, factory.ticket_type(event), quantity=count)
        tickets += [Ticket.get_by_id(t.id) for t in factory.personalise_all(staff_seller, outcome)]
    scanner = scanners.create_scanner(staff_seller.id, "Gate A phone", [here.id]).scanner
    second = scanners.create_scanner(staff_seller.id, "Gate B phone", [here.id]).scanner
    tools = ticket_tools(settings)
    codes = [ticket_code(tools, ticket) for ticket in tickets]
    return {
        "scanner": scanner,
        "second": second,
        "owner": staff_seller,
        "valid": codes[0],
        "here": codes[:3],
        "other": codes[3],
        "attendee": f"{tickets[0].first_name} {tickets[0].last_name}",
    }


@pytest.fixture
def phone(browser, tmp_path) -> Iterator:
    """``phone(codes, locale)``: a page at 360 px in a chromium whose camera shows ``codes``
    one after the other, a second each, over and over."""
    opened = []

    def open_(codes: list[str], locale: str = "en-GB", *, blank_seconds: int = 0) -> Page:
        frames = [blank_frame()] * blank_seconds + [qr_frame(code) for code in codes]
        video = write_y4m(frames, tmp_path / f"camera{len(opened)}.y4m")
        chromium = camera_browser(browser, video)
        context = chromium.new_context(locale=locale, **PHONE)
        context.set_default_timeout(10_000)
        opened.append(chromium)
        errors: list[str] = []
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.script_errors = errors  # type: ignore[attr-defined]
        return page

    yield open_
    for chromium in opened:
        chromium.close()


def pair(page: Page, base: str, door: dict, *, label: str, button: str) -> None:
    code = pairing.issue_code(door["owner"].id, door["scanner"].id).code
    page.goto(f"{base}/door")
    page.get_by_label(label).fill(code)
    page.get_by_role("button", name=button, exact=True).click()


def paired_with_its_list(page: Page, base: str, door: dict, scanner_key: str = "scanner") -> None:
    code = pairing.issue_code(door["owner"].id, door[scanner_key].id).code
    page.goto(f"{base}/door#pair={code}")
    expect(page.locator("#list-state")).to_contain_text("Offline list: 3 tickets")


# The camera shows nothing for the first seconds (time to pair and go offline), then the
# tickets, a second each, over and over.
LEAD_IN = 6
