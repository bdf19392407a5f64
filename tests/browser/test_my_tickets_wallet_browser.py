"""The "my tickets" page's wallet links in a real browser on a 390 px phone, in English and
Dutch: visible, inside the screen, accessible (axe-core), and leading to a pass that verifies
and to a Google save link."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from urllib.parse import urljoin

import pytest

from config.tickets import my_tickets_links
from tests.browser.checks import assert_accessible, assert_axe_clean
from tests.wallet_support import SAVE_PREFIX, decode_save_link, open_pkpass, wallet_settings
from tp_api.web.parts import install, parts_of


@pytest.fixture
def wallet_files(tmp_path):
    return tmp_path / "wallet"


@pytest.fixture
def settings(settings, wallet_files):
    """Both wallets configured with throwaway credentials."""
    return wallet_settings(settings, wallet_files)[0]


@pytest.fixture
def customer(app, factory, settings, live_server):
    """Customer 7 with a personalised order of two tickets."""
    # Signed file links point at TP_PUBLIC_URL; here that is the live server the browser sees.
    shared = parts_of(app)
    tools = dataclasses.replace(shared.ticket_tools, public_url=live_server)
    install(app, dataclasses.replace(shared, ticket_tools=tools))
    seller = factory.seller("Festival BV")
    event = factory.event(seller, name="Summer Festival 2026")
    outcome = factory.order(seller, factory.ticket_type(event), quantity=2, wp_user_id=7)
    tickets = factory.personalise_all(seller, outcome)
    token = my_tickets_links(settings).sign(seller.id, 7, "en")
    return {
        "url": f"{live_server}/my-tickets/{token}",
        "refs": [t.reference for t in tickets],
    }


@pytest.mark.parametrize(
    ("lang", "apple", "google"),
    [
        ("en", "Add to Apple Wallet", "Save to Google Wallet"),
        ("nl", "Toevoegen aan Apple Wallet", "Opslaan in Google Wallet"),
    ],
)
def test_the_wallet_links_on_a_phone(
    customer, open_page, screenshot, wallet_files, tmp_path, lang, apple, google
):
    ref = customer["refs"][0]
    page = open_page("phone", locale="nl-NL" if lang == "nl" else "en-GB")
    response = page.goto(f"{customer['url']}?lang={lang}")
    assert response is not None and response.status == 200
    ticket = page.locator(f"#ticket-{ref}")
    apple_link = ticket.locator("a.tpmt-download--apple-wallet")
    google_link = ticket.locator("a.tpmt-download--google-wallet")
    assert apple_link.is_visible() and google_link.is_visible()
    assert apple_link.inner_text().startswith(apple)
    assert google_link.inner_text().startswith(google)
    # The buttons wrap within the 390 px screen: nothing scrolls sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    for link in (apple_link, google_link):
        box = link.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 390 and box["height"] >= 44
    assert_accessible(page)
    assert_axe_clean(page)
    screenshot(page, f"my-tickets-wallet-phone-{lang}")

    with page.expect_download() as download_info:
        apple_link.click()
    download = download_info.value
    assert download.suggested_filename == f"ticket_{ref}.pkpass"
    saved = Path(download.path())
    pass_json = open_pkpass(saved.read_bytes(), wallet_files / "apple" / "ca.pem", tmp_path / "p")
    assert pass_json["serialNumber"] == ref

    # The Google link leaves for pay.google.com, which this machine cannot reach: follow our
    # own redirect only, and read the save link it gives.
    href = urljoin(page.url, google_link.get_attribute("href"))
    answer = page.request.get(href, max_redirects=0)
    assert answer.status == 302 and answer.headers["location"].startswith(SAVE_PREFIX)
    [event_object] = decode_save_link(answer.headers["location"])["payload"]["eventTicketObjects"]
    assert event_object["barcode"]["value"] == pass_json["barcodes"][0]["message"]
