"""Wallet passes through the partner API extension (GET /tp-api/wallets and
/tp-api/users/get-wallet-pass) and the signed ``.pkpass`` files, with throwaway credentials:
signature and manifest verified, the barcode admitted by the door's scan API, revoked with
the ticket's version."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import pytest

from tests.bridge.my_tickets.support import tickets_of
from tests.door.support import post_scan
from tests.wallet_support import ISSUER_ID, decode_save_link, open_pkpass, wallet_settings
from tp_api.services.door import scanners
from tp_api.services.orders import personalise
from tp_api.services.orders.personalise import AttendeeInput


@pytest.fixture
def settings(settings, tmp_path):
    """Both wallets configured (the conftest's settings otherwise)."""
    return wallet_settings(settings, tmp_path / "wallet")[0]


@pytest.fixture
def bought(factory):
    seller = factory.seller("Festival BV")
    event = factory.event(seller, name="Summer Festival")
    outcome = factory.order(seller, factory.ticket_type(event), quantity=2, wp_user_id=7)
    tickets = factory.personalise_all(seller, outcome)
    door = {
        "event": event,
        "key": scanners.create_scanner(seller.id, "Gate A", [event.id]).secret,
    }
    return seller, event, tickets, door


def wallet_url(client, key, **params):
    query = "&".join(f"{k}={v}" for k, v in {"key": key, **params}.items())
    return client.get(f"/tp-api/users/get-wallet-pass?{query}")


def fetch(client, url):
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == "http://tickets.test"
    return client.get(f"{parts.path}?{parts.query}")


def ca_file(tmp_path):
    return tmp_path / "wallet" / "apple" / "ca.pem"


def test_the_service_lists_its_wallets(client, bought):
    seller = bought[0]
    answer = client.get(f"/tp-api/wallets?key={seller.key}")
    assert answer.status_code == 200 and answer.get_json() == ["apple", "google"]
    assert client.get("/tp-api/wallets?key=wrong").status_code == 403


def test_the_apple_pass_is_signed_and_the_door_admits_its_barcode(client, bought, tmp_path):
    seller, event, tickets, door = bought
    answer = wallet_url(
        client, seller.key, wp_user_id=7, ticket_id=tickets[0].reference, wallet="apple"
    )
    assert answer.status_code == 200, answer.get_data(as_text=True)
    url = answer.get_json()
    assert url.startswith(
        f"http://tickets.test/files/tickets/ticket_{tickets[0].reference}.pkpass?secret="
    )
    file = fetch(client, url)
    assert file.status_code == 200 and file.mimetype == "application/vnd.apple.pkpass"
    assert "private" in file.headers["Cache-Control"]
    body = open_pkpass(file.data, ca_file(tmp_path), tmp_path / "unzipped")
    assert body["serialNumber"] == tickets[0].reference
    assert body["organizationName"] == "Festival BV"
    assert body["eventTicket"]["primaryFields"][0]["value"] == "Summer Festival"
    holder = body["eventTicket"]["auxiliaryFields"][1]
    assert holder["value"] == f"{tickets[0].first_name} {tickets[0].last_name}"
    code = body["barcodes"][0]["message"]
    admitted = post_scan(client, door, code).get_json()
    assert admitted["success"] is True and admitted["reason"] is None


def test_the_google_link_carries_the_scan_code_the_door_admits(client, bought):
    seller, event, tickets, door = bought
    answer = wallet_url(
        client, seller.key, wp_user_id=7, ticket_id=tickets[1].reference, wallet="google"
    )
    assert answer.status_code == 200, answer.get_data(as_text=True)
    claims = decode_save_link(answer.get_json())
    assert claims["origins"] == ["http://tickets.test"]
    [event_object] = claims["payload"]["eventTicketObjects"]
    [event_class] = claims["payload"]["eventTicketClasses"]
    assert event_class["id"] == f"{ISSUER_ID}.tickets.test.event-{event.id}"
    assert event_class["issuerName"] == "Festival BV"
    assert event_object["id"] == f"{ISSUER_ID}.tickets.test.ticket-{tickets[1].reference}-v1"
    assert event_object["classId"] == event_class["id"] and event_object["state"] == "ACTIVE"
    assert event_object["barcode"]["type"] == "QR_CODE"
    admitted = post_scan(client, door, event_object["barcode"]["value"]).get_json()
    assert admitted["success"] is True


def test_a_reissued_ticket_revokes_the_pass_link_and_its_old_barcode(client, bought, tmp_path):
    seller, event, tickets, door = bought
    ref = tickets[0].reference
    url = wallet_url(client, seller.key, wp_user_id=7, ticket_id=ref, wallet="apple").get_json()
    old_code = open_pkpass(fetch(client, url).data, ca_file(tmp_path), tmp_path / "old")[
        "barcodes"
    ][0]["message"]
    personalise.reissue_ticket(
        seller.id, ref, AttendeeInput(ref, "New", "Holder", "n@example.com", "1")
    )
    revoked = fetch(client, url)
    assert (
        revoked.status_code == 403 and revoked.get_data(as_text=True) == "Forbidden: link revoked"
    )
    assert post_scan(client, door, old_code).get_json()["reason"] == "superseded"
    fresh = wallet_url(client, seller.key, wp_user_id=7, ticket_id=ref, wallet="apple").get_json()
    body = open_pkpass(fetch(client, fresh).data, ca_file(tmp_path), tmp_path / "new")
    assert body["eventTicket"]["auxiliaryFields"][1]["value"] == "New Holder"
    assert post_scan(client, door, body["barcodes"][0]["message"]).get_json()["success"] is True
    google = wallet_url(client, seller.key, wp_user_id=7, ticket_id=ref, wallet="google").get_json()
    [event_object] = decode_save_link(google)["payload"]["eventTicketObjects"]
    assert event_object["id"].endswith(f"ticket-{ref}-v2")  # a new object with the new code


def test_the_pass_follows_the_get_ticket_rules(client, factory, bought):
    seller, event, tickets, _ = bought
    ref = tickets[0].reference
    other_user = wallet_url(client, seller.key, wp_user_id=8, ticket_id=ref, wallet="apple")
    assert (other_user.status_code, other_user.get_data(as_text=True)) == (
        401,
        "Not allowed to see this ticket",
    )
    unknown = wallet_url(client, seller.key, wp_user_id=7, ticket_id="zzzz", wallet="google")
    assert (unknown.status_code, unknown.get_data(as_text=True)) == (401, "Ticket not found")
    waiting = factory.order(seller, factory.ticket_type(event), quantity=1, wp_user_id=7)
    [pending] = tickets_of(waiting.order_id)
    not_yet = wallet_url(
        client, seller.key, wp_user_id=7, ticket_id=pending.reference, wallet="apple"
    )
    assert (not_yet.status_code, not_yet.get_data(as_text=True)) == (401, "File not found")
    missing = wallet_url(client, seller.key, wp_user_id=7, ticket_id=ref, wallet="samsung")
    assert (missing.status_code, missing.get_data(as_text=True)) == (404, "Wallet not configured")
    url = wallet_url(client, seller.key, wp_user_id=7, ticket_id=ref, wallet="apple").get_json()
    forged = fetch(client, url.replace(ref, tickets[1].reference))
    assert forged.status_code == 403
    assert client.get(f"/files/tickets/ticket_{ref}.pkpass").status_code == 403


def test_the_venue_coordinates_from_event_params_reach_the_pass(client, factory, tmp_path):
    seller = factory.seller("Festival BV")
    event = factory.event(
        seller, name="Open Air", event_params={"latitude": 52.358, "longitude": 4.868}
    )
    outcome = factory.order(seller, factory.ticket_type(event), quantity=1, wp_user_id=7)
    [ticket] = factory.personalise_all(seller, outcome)
    url = wallet_url(
        client, seller.key, wp_user_id=7, ticket_id=ticket.reference, wallet="apple"
    ).get_json()
    body = open_pkpass(fetch(client, url).data, ca_file(tmp_path), tmp_path / "unzipped")
    assert body["locations"] == [{"latitude": 52.358, "longitude": 4.868}]
    assert json.dumps(body["relevantDate"])  # the event's start, present


@pytest.mark.parametrize("wallet", ["apple", "google"])
def test_without_wallets_configured_nothing_is_offered(
    db, factory, wallet, tmp_path, db_url, request
):
    from config.settings import Settings
    from config.wsgi import create_app
    from tests.conftest import TEST_SECRET

    plain = Settings(
        database_url=db_url,
        secret_key=TEST_SECRET,
        public_url="http://tickets.test",
        files_dir=str(tmp_path / "files"),
    )
    from tp_api.db import database

    client = create_app(plain).test_client()
    request.addfinalizer(database.close_all)
    seller = factory.seller()
    event = factory.event(seller, name="Summer Festival")
    outcome = factory.order(seller, factory.ticket_type(event), quantity=1, wp_user_id=7)
    [ticket] = factory.personalise_all(seller, outcome)
    assert client.get(f"/tp-api/wallets?key={seller.key}").get_json() == []
    answer = wallet_url(client, seller.key, wp_user_id=7, ticket_id=ticket.reference, wallet=wallet)
    assert (answer.status_code, answer.get_data(as_text=True)) == (404, "Wallet not configured")
    assert (
        client.get(f"/files/tickets/ticket_{ticket.reference}.pkpass?secret=x").status_code == 404
    )


def test_the_wallet_answers_match_the_openapi_document(client, factory, bought):
    import tp_api.web.partner_spec  # noqa: F401 - registers the partner operations
    from tests.tp_api.openapi_support import check_response, documented_error, served_document

    seller, event, tickets, _ = bought
    document = served_document(client)
    path = "/tp-api/users/get-wallet-pass"
    check_response(
        document, "get", "/tp-api/wallets", client.get(f"/tp-api/wallets?key={seller.key}")
    )
    for wallet in ("apple", "google"):
        answer = wallet_url(
            client, seller.key, wp_user_id=7, ticket_id=tickets[0].reference, wallet=wallet
        )
        assert answer.status_code == 200
        check_response(document, "get", path, answer)
    pending = tickets_of(factory.order(seller, factory.ticket_type(event), wp_user_id=7).order_id)[
        0
    ]
    refused = [
        wallet_url(client, seller.key, ticket_id=tickets[0].reference, wallet="apple"),
        wallet_url(client, seller.key, wp_user_id=7, wallet="apple"),
        wallet_url(client, seller.key, wp_user_id=7, ticket_id="zzzz", wallet="apple"),
        wallet_url(
            client, seller.key, wp_user_id=8, ticket_id=tickets[0].reference, wallet="apple"
        ),
        wallet_url(client, seller.key, wp_user_id=7, ticket_id=pending.reference, wallet="apple"),
        wallet_url(client, seller.key, wp_user_id=7, ticket_id=tickets[0].reference, wallet="x"),
    ]
    for response in refused:
        documented_error(document, "get", path, response)
    assert {r.status_code for r in refused} == {400, 401, 404}
