"""A delivery that can never succeed is failed at once, with its reason; a temporary refusal
is retried. Through a real SMTP server (aiosmtpd) on loopback."""

from __future__ import annotations

import dataclasses
import socket

import pytest
from aiosmtpd.controller import Controller

from config.workers import outbox_worker
from tp_api.models import Order, OutboxEntry


class Refusing:
    """Answers RCPT TO with a fixed reply; counts the messages it took."""

    def __init__(self, reply: str) -> None:
        self.reply = reply
        self.rcpts: list[str] = []
        self.messages = 0

    async def handle_RCPT(self, server, session, envelope, address, options):  # noqa: N802
        self.rcpts.append(address)
        if self.reply.startswith("250"):
            envelope.rcpt_tos.append(address)
        return self.reply

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.messages += 1
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def smtp_replying():
    controllers = []

    def start(reply: str, *, smtputf8: bool = True):
        handler = Refusing(reply)
        controller = Controller(
            handler, hostname="127.0.0.1", port=_free_port(), enable_SMTPUTF8=smtputf8
        )
        controller.start()
        controllers.append(controller)
        return controller, handler

    yield start
    for controller in controllers:
        controller.stop()


@pytest.fixture
def worker_for(settings):
    def build(port: int):
        configured = dataclasses.replace(
            settings, smtp_host="127.0.0.1", smtp_port=port, mail_from="tickets@festival.example"
        )
        return outbox_worker(configured)

    return build


def _personalised_order(factory):
    """An order whose buyer holds its ticket: one e-mail, the order's."""
    seller = factory.seller()
    outcome = factory.order(seller, factory.ticket_type(factory.event(seller)))
    factory.personalise_all(seller, outcome, email="jane@example.com")
    return outcome


def test_permanent_smtp_refusal_fails_the_delivery_without_retry(
    factory, smtp_replying, worker_for
):
    controller, handler = smtp_replying("550 5.1.1 No such user")
    _personalised_order(factory)
    worker = worker_for(controller.port)
    assert worker.run_once() == 1
    entry = OutboxEntry.get()
    assert entry.failed_at is not None and entry.done_at is None
    assert entry.attempts == 1
    assert "550" in entry.last_error and "jane@example.com" in entry.last_error
    assert worker.stats["failed"] == 1 and worker.stats["retry"] == 0
    # Never claimed again, however much later.
    assert worker.run_once() == 0
    assert handler.rcpts == ["jane@example.com"] and handler.messages == 0


def test_temporary_smtp_refusal_is_retried(factory, smtp_replying, worker_for):
    controller, _ = smtp_replying("450 4.2.1 Mailbox busy")
    _personalised_order(factory)
    worker = worker_for(controller.port)
    assert worker.run_once() == 1
    entry = OutboxEntry.get()
    assert entry.failed_at is None and entry.done_at is None
    assert entry.not_before > entry.created_at
    assert worker.stats["retry"] == 1


@pytest.mark.parametrize(
    "stored",
    ["a@example.com, v@evil.example", "a@example.com\r\nBcc: v@evil.example", "not-an-address"],
)
def test_a_malformed_stored_address_is_never_sent_to(factory, smtp_replying, worker_for, stored):
    # A shop order is recorded with whatever address the shop took; the delivery fails
    # visibly instead of mailing a list of addresses or a forged header.
    controller, handler = smtp_replying("250 OK")
    outcome = _personalised_order(factory)
    Order.update(billing_email=stored).where(Order.id == outcome.order_id).execute()
    worker = worker_for(controller.port)
    assert worker.run_once() == 1
    entry = OutboxEntry.get()
    assert entry.failed_at is not None and entry.attempts == 1
    assert "is not an e-mail address" in entry.last_error
    assert handler.rcpts == [] and handler.messages == 0


def test_an_internationalised_address_a_relay_cannot_take_fails_at_once(
    factory, smtp_replying, worker_for
):
    # A relay that does not offer SMTPUTF8 never will: retrying would never help.
    controller, handler = smtp_replying("250 OK", smtputf8=False)
    outcome = _personalised_order(factory)
    Order.update(billing_email="zoë@exämple.nl").where(Order.id == outcome.order_id).execute()
    worker = worker_for(controller.port)
    assert worker.run_once() == 1
    entry = OutboxEntry.get()
    assert entry.failed_at is not None and entry.attempts == 1
    assert "cannot send this message" in entry.last_error
    assert handler.messages == 0
