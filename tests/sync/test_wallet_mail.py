"""Wallet links in the ticket e-mail, through a real SMTP server on loopback: the page's wallet
addresses for a customer with a page, day-long pass links for a guest, none when no wallet is
configured. Every link is followed to a pass that verifies."""

from __future__ import annotations

import dataclasses
import re
from urllib.parse import urlsplit

import pytest

from config.workers import outbox_worker
from tests.sync.test_ticket_delivery import body_text
from tests.wallet_support import decode_save_link, open_pkpass, wallet_settings


@pytest.fixture
def wallet_files(tmp_path):
    return tmp_path / "wallet"


@pytest.fixture
def settings(settings, wallet_files):
    """Both wallets configured with throwaway credentials."""
    return wallet_settings(settings, wallet_files)[0]


@pytest.fixture
def worker_for(settings):
    def build(port: int, base=None):
        configured = dataclasses.replace(
            base or settings,
            smtp_host="127.0.0.1",
            smtp_port=port,
            mail_from="tickets@festival.test",
        )
        return outbox_worker(configured)

    return build


def local(url: str) -> str:
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == "http://tickets.test"
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def test_a_customer_gets_the_page_wallet_links_of_each_ticket(
    client, factory, smtp, worker_for, wallet_files, tmp_path
):
    controller, inbox = smtp
    seller = factory.seller("Festival BV")
    outcome = factory.order(seller, factory.ticket_type(factory.event(seller)), quantity=2)
    tickets = factory.personalise_all(seller, outcome)
    assert worker_for(controller.port).run_once() == 1
    body = body_text(inbox.messages[0])
    assert "Add your tickets to the wallet on your phone:" in body
    for ticket in tickets:
        apple = re.search(rf"Ticket {ticket.reference}, Add to Apple Wallet: (\S+)", body).group(1)
        google = re.search(rf"Ticket {ticket.reference}, Save to Google Wallet: (\S+)", body).group(
            1
        )
        assert re.fullmatch(
            rf"http://tickets.test/my-tickets/\S+/tickets/{ticket.reference}/wallet/apple", apple
        )
        to_pass = client.get(local(apple))
        assert to_pass.status_code == 302
        file = client.get(local(to_pass.headers["Location"]))
        assert file.status_code == 200, file.get_data(as_text=True)
        work = tmp_path / ticket.reference
        pass_json = open_pkpass(file.data, wallet_files / "apple" / "ca.pem", work)
        assert pass_json["serialNumber"] == ticket.reference
        to_google = client.get(local(google))
        assert to_google.status_code == 302
        [event_object] = decode_save_link(to_google.headers["Location"])["payload"][
            "eventTicketObjects"
        ]
        assert event_object["barcode"]["value"] == pass_json["barcodes"][0]["message"]


def test_a_guest_gets_pass_links_that_last_as_long_as_a_page_link(
    client, factory, smtp, worker_for, wallet_files, tmp_path, time_machine
):
    time_machine.move_to("2026-06-01T10:00:00Z", tick=False)
    controller, inbox = smtp
    seller = factory.seller("Festival BV")
    event = factory.event(seller, name="Zomerfestival")
    outcome = factory.order(seller, factory.ticket_type(event), wp_user_id=0, locale="nl_NL")
    [ticket] = factory.personalise_all(seller, outcome, wp_user_id=0)
    assert worker_for(controller.port).run_once() == 1
    body = body_text(inbox.messages[0])
    assert "Zet je tickets in de wallet op je telefoon:" in body
    apple = re.search(rf"Ticket {ticket.reference}, toevoegen aan Apple Wallet: (\S+)", body)
    google = re.search(rf"Ticket {ticket.reference}, opslaan in Google Wallet: (\S+)", body)
    assert apple.group(1).startswith(
        f"http://tickets.test/files/tickets/ticket_{ticket.reference}.pkpass?secret="
    )
    [event_object] = decode_save_link(google.group(1))["payload"]["eventTicketObjects"]
    # A day later, long past the hour of the page's links, the e-mail's link still works.
    time_machine.shift(86400)
    file = client.get(local(apple.group(1)))
    assert file.status_code == 200, file.get_data(as_text=True)
    pass_json = open_pkpass(file.data, wallet_files / "apple" / "ca.pem", tmp_path / "pass")
    assert pass_json["eventTicket"]["secondaryFields"][0]["label"] == "Datum"
    assert pass_json["barcodes"][0]["message"] == event_object["barcode"]["value"]
    # ...until the page links' lifetime (TP_MY_TICKETS_LINK_DAYS, 30 days) is over.
    time_machine.shift(30 * 86400)
    expired = client.get(local(apple.group(1)))
    assert (expired.status_code, expired.get_data(as_text=True)) == (
        403,
        "Forbidden: link expired",
    )


def test_no_wallet_links_when_no_wallet_is_configured(factory, smtp, worker_for, db_url, tmp_path):
    from config.settings import Settings
    from tests.conftest import TEST_SECRET

    controller, inbox = smtp
    plain = Settings(
        database_url=db_url,
        secret_key=TEST_SECRET,
        public_url="http://tickets.test",
        files_dir=str(tmp_path / "files"),
    )
    seller = factory.seller()
    outcome = factory.order(seller, factory.ticket_type(factory.event(seller)))
    factory.personalise_all(seller, outcome)
    assert worker_for(controller.port, plain).run_once() == 1
    body = body_text(inbox.messages[0])
    assert "Wallet" not in body and "wallet" not in body
