"""The door app's rules in a real browser: out and back in as the event allows, a ticket
refused before the doors open (online and offline, the same answer), the web app manifest
as Chromium reads it, a network that stalls while the phone says it is online, and the
gate a phone is paired with."""

from __future__ import annotations

import time
from datetime import timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import Page, Route, expect

from tests.browser.checks import assert_axe_clean
from tests.browser.door_phone import PHONE, paired_with_its_list
from tp_api.db import utcnow
from tp_api.models import CheckIn, Event, Ticket, TicketStatus
from tp_api.services.door import scanners

# The app treats the same code seen again within 2.5 s as one scan (the camera sees a
# ticket many times a second); a code typed again is then ignored, so the tests wait.
SAME_CODE_S = 2.6

# Every answer's time from the code read to the frame that shows it (door.js, door:shown).
RECORD_TIMES = (
    "window.__ms = [];"
    " document.addEventListener('door:shown', (e) => window.__ms.push(e.detail.ms));"
)


def _enter(page: Page, code: str) -> None:
    """A code as a hand scanner types it."""
    page.get_by_label("Ticket code").fill(code)
    page.get_by_label("Ticket code").press("Enter")


def _verdict(page: Page):
    return page.locator("#result .verdict")


def _next(page: Page) -> None:
    page.get_by_role("button", name="Next ticket").click()


def _local(at) -> str:
    return at.astimezone(ZoneInfo(PHONE["timezone_id"])).strftime("%H:%M")


def test_exit_then_back_in_as_the_event_allows(live_server, phone, door):
    page = phone([door["valid"]], blank_seconds=60)  # the camera sees no code meanwhile
    paired_with_its_list(page, live_server, door)
    page.get_by_label("Gate").fill("North")
    _enter(page, door["valid"])
    expect(_verdict(page)).to_have_text("Admitted")
    _next(page)
    steps = [("Exit", "Let out"), ("Entry", "Admitted")]  # re-entry: the event's default
    for direction, verdict in steps:
        page.get_by_label(direction, exact=True).check()
        page.wait_for_timeout(SAME_CODE_S * 1000)
        _enter(page, door["valid"])
        expect(_verdict(page)).to_have_text(verdict)
        _next(page)
    ticket = Ticket.get(Ticket.status == TicketStatus.SCANNED_IN)
    # Without re-entry, a ticket that went out stays out: "already in", since the first time.
    Event.update(allow_reentry=False).where(Event.id == ticket.event_id).execute()
    page.get_by_label("Exit", exact=True).check()
    page.wait_for_timeout(SAME_CODE_S * 1000)
    _enter(page, door["valid"])
    expect(_verdict(page)).to_have_text("Let out")
    _next(page)
    page.get_by_label("Entry", exact=True).check()
    page.wait_for_timeout(SAME_CODE_S * 1000)
    _enter(page, door["valid"])
    first = CheckIn.select().where(CheckIn.result == "ok").order_by(CheckIn.at).first()
    expect(_verdict(page)).to_have_text(f"Already in since {_local(first.at)} at North")
    expect(page.locator("#result")).to_have_class("result warn")
    assert Ticket.get_by_id(ticket.id).status == TicketStatus.SCANNED_OUT
    assert [c.direction for c in CheckIn.select().order_by(CheckIn.id)] == [
        "in", "out", "in", "out", "in"
    ]  # fmt: skip
    assert page.script_errors == []  # type: ignore[attr-defined]


def test_before_the_doors_open_online_and_offline(live_server, phone, screenshot, door):
    start = utcnow() + timedelta(minutes=40)
    Event.update(start_date=start, admission_opens_minutes=30).where(
        Event.name == "Harbour Jazz"
    ).execute()
    opens = _local(start - timedelta(minutes=30))
    page = phone([door["valid"]], blank_seconds=60)
    paired_with_its_list(page, live_server, door)
    _enter(page, door["here"][0])
    expect(_verdict(page)).to_contain_text(f"Not yet valid: the doors open at {opens}")
    expect(page.locator("#result")).to_have_class("result bad")
    assert_axe_clean(page)
    screenshot(page, "door-not-yet-valid-phone")
    assert [c.result for c in CheckIn.select()] == ["not_yet_valid"]
    _next(page)
    # Offline the phone decides the same from its list, and nothing waits to be sent.
    page.context.set_offline(True)
    _enter(page, door["here"][1])
    expect(_verdict(page)).to_contain_text(f"Not yet valid: the doors open at {opens}")
    expect(page.locator("#offline")).to_have_text("Offline: 0 scans waiting")
    assert_axe_clean(page)  # the red answer with the offline banner
    assert CheckIn.select().count() == 1
    assert page.script_errors == []  # type: ignore[attr-defined]


def test_the_manifest_is_served_and_chromium_reads_it_without_errors(live_server, open_page):
    page = open_page("phone")
    page.goto(f"{live_server}/door")
    href = page.locator('link[rel="manifest"]').get_attribute("href")
    response = page.request.get(f"{live_server}{href}")
    assert response.status == 200
    assert response.headers["content-type"].startswith("application/manifest+json")
    manifest = response.json()
    assert manifest["name"] == "tp-bridge door" and manifest["short_name"] == "Door"
    assert (manifest["start_url"], manifest["scope"], manifest["display"]) == (
        "/door",
        "/door",
        "standalone",
    )
    assert manifest["icons"], manifest
    for icon in manifest["icons"]:
        served = page.request.get(f"{live_server}{icon['src']}")
        assert served.status == 200 and served.headers["content-type"].startswith(icon["type"])
    # What Chromium itself makes of it: no errors, the same name, start URL, display, icon.
    cdp = page.context.new_cdp_session(page)
    read = cdp.send("Page.getAppManifest")
    assert read["errors"] == [], read["errors"]
    assert read["url"] == f"{live_server}{href}"
    seen = read["manifest"]
    assert (seen["name"], seen["display"]) == ("tp-bridge door", "kStandalone")
    assert seen["startUrl"] == seen["scope"] == f"{live_server}/door"
    assert [i["url"] for i in seen["icons"]] == [f"{live_server}/door/static/icon.svg"]
    # Installable as it is: a test browser is incognito, which is all Chromium holds against
    # it (no missing icon, start URL or service worker).
    errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
    assert [e["errorId"] for e in errors if e["errorId"] != "in-incognito"] == []


def _answer_times(page: Page, count: int) -> list[float]:
    """The first ``count`` answers' times, once they are on screen (polled from here: the
    page's CSP, no eval, refuses wait_for_function's predicate)."""
    deadline = time.monotonic() + 10
    while len(times := page.evaluate("window.__ms")) < count:
        assert time.monotonic() < deadline, times
        page.wait_for_timeout(100)
    return times[:count]


def _hang(route: Route) -> None:
    """The request gets no answer: a network that stalls while the phone says it is online."""


def test_on_a_stalling_network_one_scan_waits_and_the_next_are_decided_at_once(
    live_server, phone, door
):
    page = phone([door["valid"]], blank_seconds=60)
    page.add_init_script(RECORD_TIMES)
    paired_with_its_list(page, live_server, door)
    page.route("**/api/v1/**", _hang)
    _enter(page, door["here"][0])
    expect(_verdict(page)).to_have_text("Admitted", timeout=10_000)
    _next(page)
    _enter(page, door["here"][1])
    expect(page.locator("#offline")).to_have_text(
        "No answer from the service: deciding here, 2 scans waiting"
    )
    waited, at_once = _answer_times(page, 2)
    assert waited >= 2400, waited  # the first scan waited for its answer's time limit
    assert at_once < 1000, at_once  # the next one did not
    # The network answers again: the probe finds it, the scans are sent and counted.
    page.unroute("**/api/v1/**")
    expect(page.locator("#offline")).to_be_hidden(timeout=15_000)
    expect(page.locator('[data-figure="inside"]')).to_have_text("2", timeout=15_000)
    assert CheckIn.select().where(CheckIn.offline == True).count() == 2  # noqa: E712
    assert page.script_errors == []  # type: ignore[attr-defined]


def test_the_phone_starts_at_the_scanners_gate_and_staff_may_change_it(live_server, phone, door):
    scanners.set_default_gate(door["owner"].id, door["scanner"].id, "North")
    page = phone([door["valid"]], blank_seconds=60)
    paired_with_its_list(page, live_server, door)
    expect(page.get_by_label("Gate")).to_have_value("North")
    page.get_by_label("Gate").fill("South")
    _enter(page, door["valid"])
    expect(_verdict(page)).to_have_text("Admitted")
    assert CheckIn.get().gate == "South"
