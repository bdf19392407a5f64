"""Walking the console in a browser: the staff user's e-mail, signing in, photographing."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.checks import assert_accessible, axe_problems
from tests.factories import STAFF_PASSWORD

EMAIL = "box.office@example.com"


def sign_in(
    page: Page,
    base: str,
    *,
    landing: str = "/console/events",
    email: str = EMAIL,
    password: str = STAFF_PASSWORD,
) -> None:
    """Open ``landing``, be sent to the sign-in form, sign in (as ``EMAIL`` unless told
    otherwise) and land there."""
    page.goto(base + landing)
    expect(page).to_have_url(re.compile(r"/console/sign-in"))
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(re.escape(landing) + "$"))
    # The URL changes before console.js has run; a click on a refund button before it binds
    # its confirmation would submit the form unasked (seen once under load in CI).
    page.wait_for_load_state("load")


def photograph(page: Page, screenshot, name: str, kind: str) -> None:
    """Check the page's accessibility (our basics, then axe-core) and keep a picture of it."""
    assert_accessible(page)
    problems = axe_problems(page)  # and what axe-core (WCAG 2 A/AA) finds
    assert not problems, f"{name} ({kind}), axe-core:\n" + "\n".join(problems)
    screenshot(page, f"{name}-{kind}")
