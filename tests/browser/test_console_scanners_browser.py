"""A door scanner made and paired in the console, in a real browser: the pairing code is
shown as a QR code and as text, and a device redeems it for a working key."""

from __future__ import annotations

import pytest
import requests
from playwright.sync_api import expect

from tests.browser.console_pages import photograph, sign_in


@pytest.mark.parametrize("kind", ["phone", "desktop"])
def test_make_a_scanner_and_pair_a_phone(
    live_server, open_page, screenshot, factory, staff_seller, kind
):
    event = factory.event(staff_seller, name="Harbour Jazz")
    page = open_page(kind)
    sign_in(page, live_server, landing="/console/scanners")
    page.get_by_label("Name").fill("Gate A phone")
    page.get_by_role("button", name="Create scanner").click()
    expect(page.locator("#events-error")).to_have_text("Choose the events it may scan.")
    page.get_by_label("Harbour Jazz").check()
    page.get_by_role("button", name="Create scanner").click()
    expect(page.get_by_role("heading", name="Gate A phone")).to_be_visible()
    page.get_by_role("button", name="Pair a device").click()
    expect(page.get_by_role("img", name="Pairing QR code for Gate A phone")).to_be_visible()
    code = page.locator("#pairing-code").inner_text()
    photograph(page, screenshot, "console-scanner-pairing", kind)

    paired = requests.post(f"{live_server}/api/v1/door/pair", json={"code": code}, timeout=5)
    assert paired.status_code == 200
    key = paired.json()["key"]
    live = requests.get(
        f"{live_server}/api/v1/events/{event.id}/live",
        headers={"Authorization": f"Bearer {key}"},
        timeout=5,
    )
    assert live.status_code == 200
