"""The "my tickets" page's wallet links: shown per downloadable ticket when the service offers
a wallet (English and Dutch), redirecting to a fresh pass link; absent, and 404, when not."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from flask import Flask

from bridge.partner_client import PartnerClient
from tests.bridge.my_tickets.support import get_page, page_path
from tests.loopback import serving
from tests.wallet_support import SAVE_PREFIX, decode_save_link, open_pkpass, wallet_settings


@pytest.fixture
def wallet_files(tmp_path):
    return tmp_path / "wallet"


@pytest.fixture
def settings(settings, wallet_files):
    """Both wallets configured with throwaway credentials."""
    return wallet_settings(settings, wallet_files)[0]


def wallet_links(dom, ref):
    actions = dom.by_id(f"ticket-{ref}").select("a", cls="tpmt-download")
    return {a.text: a.attrs["href"] for a in actions if "wallet" in a.attrs["href"]}


def test_each_downloadable_ticket_has_both_wallet_links(client, factory, bought):
    seller, event, outcome, refs, path = bought
    factory.personalise_all(seller, outcome)
    links = wallet_links(get_page(client, path), refs[0])
    assert links == {
        f"Add to Apple Wallet (ticket {refs[0]})": f"{path}/tickets/{refs[0]}/wallet/apple",
        f"Save to Google Wallet (ticket {refs[0]})": f"{path}/tickets/{refs[0]}/wallet/google",
    }
    dutch = wallet_links(get_page(client, f"{path}?lang=nl"), refs[1])
    assert dutch == {
        f"Toevoegen aan Apple Wallet (ticket {refs[1]})": (
            f"{path}/tickets/{refs[1]}/wallet/apple?lang=nl"
        ),
        f"Opslaan in Google Wallet (ticket {refs[1]})": (
            f"{path}/tickets/{refs[1]}/wallet/google?lang=nl"
        ),
    }


def test_a_ticket_awaiting_its_attendee_has_no_wallet_link(client, bought):
    _, _, _, refs, path = bought
    assert wallet_links(get_page(client, path), refs[0]) == {}
    missing = client.get(f"{path}/tickets/{refs[0]}/wallet/apple")
    assert missing.status_code == 404


def test_the_links_redirect_to_a_fresh_pass_and_save_link(
    client, factory, bought, wallet_files, tmp_path, settings
):
    seller, event, outcome, refs, path = bought
    factory.personalise_all(seller, outcome)
    apple = client.get(f"{path}/tickets/{refs[0]}/wallet/apple")
    assert apple.status_code == 302 and apple.headers["Referrer-Policy"] == "no-referrer"
    target = urlsplit(apple.headers["Location"])
    assert target.path == f"/files/tickets/ticket_{refs[0]}.pkpass"
    file = client.get(f"{target.path}?{target.query}")
    pass_json = open_pkpass(file.data, wallet_files / "apple" / "ca.pem", tmp_path / "p")
    assert pass_json["serialNumber"] == refs[0]
    google = client.get(f"{path}/tickets/{refs[0]}/wallet/google")
    assert google.status_code == 302 and google.headers["Location"].startswith(SAVE_PREFIX)
    claims = decode_save_link(google.headers["Location"])
    [event_object] = claims["payload"]["eventTicketObjects"]
    assert event_object["barcode"]["value"] == pass_json["barcodes"][0]["message"]
    assert client.get(f"{path}/tickets/{refs[0]}/wallet/samsung").status_code == 404
    another = page_path(settings, seller.id, wp_user_id=8)
    assert client.get(f"{another}/tickets/{refs[0]}/wallet/apple").status_code == 404


def test_a_service_without_the_extension_means_no_wallets(app):
    """A shop's own server may talk to a Ticket Pulse without wallet passes: its 404 for
    ``GET /wallets`` means none, over a real socket."""
    bare = Flask("bare")
    with serving(bare) as base:
        assert PartnerClient(f"{base}/tp-api", "key").wallets() == ()
