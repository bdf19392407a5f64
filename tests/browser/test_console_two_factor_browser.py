"""Two-factor sign-in turned on in a real browser at phone width, then used to sign in."""

from __future__ import annotations

import re

import pyotp
from playwright.sync_api import expect

from tests.browser.console_pages import EMAIL, photograph, sign_in
from tests.factories import STAFF_PASSWORD


def test_turn_on_two_factors_and_sign_in_with_a_recovery_code(
    live_server, open_page, screenshot, staff_seller
):
    page = open_page("phone")
    sign_in(page, live_server)
    page.get_by_role("link", name=EMAIL).click()
    page.get_by_role("button", name="Set up two-factor sign-in").click()
    expect(page.get_by_role("img", name=re.compile("authenticator app"))).to_be_visible()
    photograph(page, screenshot, "console-two-factor-setup", "phone")
    secret = page.locator("#totp-secret").inner_text()
    page.get_by_label("Code from your app").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect(page.get_by_role("heading", name=re.compile("your recovery codes"))).to_be_visible()
    recovery = page.locator("ul.recovery code").first.inner_text()
    page.get_by_role("button", name="Sign out").click()

    page.goto(live_server + "/console/events")
    page.get_by_label("E-mail address").fill(EMAIL)
    page.get_by_label("Password").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Type the code from your app")).to_be_visible()
    photograph(page, screenshot, "console-two-factor-code", "phone")
    page.get_by_label("Code (or a recovery code)").fill(recovery)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/console/events$"))
