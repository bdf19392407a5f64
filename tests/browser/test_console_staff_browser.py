"""A door user invited from the console in a real browser: the invitation goes through the
outbox to a real SMTP server on loopback, its link sets a password in the browser, and the
new user signs in to the door screens and is refused the event editor."""

from __future__ import annotations

import dataclasses
import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from config.workers import outbox_worker
from tests.browser.console_pages import photograph, sign_in
from tests.webhooks.support import drain
from tp_api.models import AuditEntry, StaffUser

DOOR_EMAIL = "gate@example.com"
DOOR_PASSWORD = "a door password of some length"


def _delivered_link(settings, smtp) -> str:
    """Run the outbox worker against the SMTP server; the set-password link's path."""
    controller, inbox = smtp
    mailing = dataclasses.replace(
        settings, smtp_host="127.0.0.1", smtp_port=controller.port, mail_from="c@festival.test"
    )
    drain(outbox_worker(mailing))
    [message] = inbox.messages
    assert message["To"] == DOOR_EMAIL
    body = message.get_payload(decode=True).decode()
    found = re.search(r"https?://\S+/console/set-password\?token=\S+", body)
    assert found, body
    parts = urlsplit(found.group(0))
    return f"{parts.path}?{parts.query}"


@pytest.mark.parametrize("kind", ["phone", "desktop"])
def test_an_invited_door_user_sets_a_password_and_keeps_to_the_door(
    live_server, open_page, screenshot, factory, staff_seller, settings, smtp, kind
):
    event = factory.event(staff_seller, name="Door Night")
    owner = open_page(kind)
    sign_in(owner, live_server, landing="/console/staff")
    owner.get_by_label("E-mail address").fill(DOOR_EMAIL)
    owner.get_by_label("Name").fill("Gate")
    owner.get_by_label("Role", exact=True).select_option("door")
    owner.get_by_role("button", name="Send invitation").click()
    expect(owner.get_by_role("row", name=re.compile(DOOR_EMAIL))).to_be_visible()

    newcomer = open_page(kind)
    newcomer.goto(live_server + _delivered_link(settings, smtp))
    expect(newcomer.get_by_text(f"For {DOOR_EMAIL}: at least 12 characters.")).to_be_visible()
    newcomer.get_by_label("New password").fill(DOOR_PASSWORD)
    newcomer.get_by_label("The same password again").fill(DOOR_PASSWORD)
    newcomer.get_by_role("button", name="Set password and sign in").click()
    expect(newcomer.get_by_role("status")).to_contain_text("Your password is set")
    expect(newcomer).to_have_url(re.compile(r"/console/door"))
    newcomer.get_by_role("button", name="Sign out").click()

    sign_in(
        newcomer, live_server, landing=f"/console/door/{event.id}",
        email=DOOR_EMAIL, password=DOOR_PASSWORD,
    )  # fmt: skip
    expect(newcomer.get_by_role("heading", name="Door: Door Night")).to_be_visible()
    expect(newcomer.locator('[data-figure="inside"]')).to_have_text("0")
    photograph(newcomer, screenshot, "console-door-user", kind)
    assert newcomer.goto(live_server + "/console/scanners").status == 200
    refused = newcomer.goto(live_server + f"/console/events/{event.id}/edit")
    assert refused.status == 403
    expect(newcomer.get_by_text("Your role does not include this page.")).to_be_visible()
    expect(newcomer.get_by_role("link", name="Events", exact=True)).to_have_count(0)

    user = StaffUser.get(StaffUser.email == DOOR_EMAIL)
    entry = AuditEntry.get(AuditEntry.action == "staff.password_set_by_link")
    assert (user.role, entry.actor_label) == ("door", DOOR_EMAIL)
