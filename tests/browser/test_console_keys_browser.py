"""Keys in the console in a real browser: a new admin-API key is shown once with a Copy
button, works at once, and is revoked after a confirmation."""

from __future__ import annotations

import pytest
import requests
from playwright.sync_api import expect

from tests.browser.console_pages import photograph, sign_in


@pytest.mark.parametrize("kind", ["phone", "desktop"])
def test_create_copy_and_revoke_an_api_key(live_server, open_page, screenshot, staff_seller, kind):
    page = open_page(kind)
    sign_in(page, live_server, landing="/console/keys")
    page.get_by_label("Label of a new API key").fill("Accounting export")
    page.get_by_role("button", name="Create API key").click()
    expect(page.locator("#scopes-error")).to_have_text("Choose what the key may do.")
    page.get_by_label("Read orders").check()
    page.get_by_role("button", name="Create API key").click()

    secret = page.get_by_label("Key", exact=True).input_value()
    assert secret.startswith("tpk_")
    page.get_by_role("button", name="Copy").click()
    expect(page.get_by_role("button", name="Copied")).to_be_visible()
    photograph(page, screenshot, "console-keys-issued", kind)
    auth = {"Authorization": f"Bearer {secret}"}
    assert requests.get(f"{live_server}/api/v1/orders", headers=auth, timeout=5).status_code == 200

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Revoke Accounting export").click()
    expect(page.get_by_role("status")).to_contain_text("API key Accounting export revoked.")
    assert requests.get(f"{live_server}/api/v1/orders", headers=auth, timeout=5).status_code == 401
