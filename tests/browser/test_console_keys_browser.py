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
    page.get_by_role("group", name="What the key may do").get_by_label("Read orders").check()
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


@pytest.mark.parametrize("kind", ["phone", "desktop"])
def test_an_oauth_client_and_an_allowlist(live_server, open_page, screenshot, staff_seller, kind):
    page = open_page(kind)
    sign_in(page, live_server, landing="/console/keys")
    page.get_by_label("Label of a new OAuth client").fill("Box office")
    page.get_by_label("Allowed addresses").fill("203.0.113.0/24\nnot-an-address")
    page.get_by_role("button", name="Create OAuth client").click()
    expect(page.locator("#oauth-scopes-error")).to_have_text("Choose what the client may do.")
    page.get_by_role("group", name="What the client may do").get_by_label("Read orders").check()
    page.get_by_role("button", name="Create OAuth client").click()
    expect(page.locator("#oauth-addresses-error")).to_contain_text(
        "not an IP address or CIDR range"
    )
    expect(page.get_by_label("Allowed addresses")).to_have_value("203.0.113.0/24\nnot-an-address")
    page.get_by_label("Allowed addresses").fill("")
    page.get_by_role("group", name="What the client may do").get_by_label("Read orders").check()
    page.get_by_role("button", name="Create OAuth client").click()

    client_id = page.get_by_label("Client ID", exact=True).input_value()
    secret = page.get_by_label("Client secret", exact=True).input_value()
    assert client_id.startswith("tpc_") and secret.startswith("tpcs_")
    photograph(page, screenshot, "console-oauth-issued", kind)
    body = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
    token = requests.post(f"{live_server}/api/v1/oauth/token", json=body, timeout=5)
    assert token.status_code == 200, token.text

    page.goto(live_server + "/console/keys")
    page.get_by_role("link", name="Rotate secret Box office").click()
    page.get_by_label("Old secret keeps working").select_option("0")
    photograph(page, screenshot, "console-oauth-rotate", kind)
    page.get_by_role("button", name="Rotate secret").click()
    rotated = page.get_by_label("Client secret", exact=True).input_value()
    assert rotated.startswith("tpcs_") and rotated != secret
    stale = requests.post(f"{live_server}/api/v1/oauth/token", json=body, timeout=5)
    assert stale.status_code == 401  # no grace chosen: the old secret stopped at once
    body["client_secret"] = rotated

    page.goto(live_server + "/console/keys")
    page.get_by_role("link", name="Change addresses of Box office").click()
    page.get_by_label("Addresses and ranges").fill("10.0.0.0/33")
    page.get_by_role("button", name="Save addresses").click()
    expect(page.locator("#addresses-error")).to_contain_text("not an IP address or CIDR range")
    photograph(page, screenshot, "console-key-addresses", kind)
    page.get_by_label("Addresses and ranges").fill("192.0.2.1")
    page.get_by_role("button", name="Save addresses").click()
    expect(page.get_by_role("status")).to_contain_text(
        "Addresses of the OAuth client Box office saved."
    )
    refused = requests.post(f"{live_server}/api/v1/oauth/token", json=body, timeout=5)
    assert refused.status_code == 403  # the browser's tests run on 127.0.0.1, not 192.0.2.1


@pytest.mark.parametrize("kind", ["phone", "desktop"])
def test_test_mode_keys_and_the_wipe(
    live_server, open_page, screenshot, staff_seller, factory, kind
):
    factory.ticket_type(factory.event(staff_seller, name="Harbour Jazz"))
    page = open_page(kind)
    sign_in(page, live_server, landing="/console/keys")
    page.get_by_role("link", name="Test mode: keys for certifying").click()
    page.get_by_label("Label of a new test partner key").fill("Test shop")
    page.get_by_role("button", name="Create test partner key").click()
    secret = page.get_by_label("Key", exact=True).input_value()
    assert secret.startswith("tp_test_")
    events = requests.get(f"{live_server}/tp-api/events", params={"key": secret}, timeout=5)
    assert events.headers["X-TP-Test-Mode"] == "true"
    assert [e["name"] for e in events.json()] == ["Harbour Jazz"]

    page.goto(live_server + "/console/test-mode")
    expect(page.get_by_role("row", name="Test shop")).to_be_visible()
    photograph(page, screenshot, "console-test-mode", kind)
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Wipe test data").click()
    expect(page.get_by_role("status")).to_contain_text("Test data wiped: 0 test orders deleted.")
