"""The worker's log lines about deliveries never carry a token from the endpoint's URL."""

from __future__ import annotations

import logging

import time_machine

from config.redaction import install_log_scrubbing
from tests.webhooks.delivery_support import make_hook, receiving, travel_start

TOKEN = "hook-t0ken-that-opens-the-receiver"


def test_webhook_urls_are_logged_without_their_credentials(db, settings, factory, caplog):
    install_log_scrubbing()  # as `tp-bridge outbox work` and `serve` do at start
    seller = factory.seller()
    caplog.set_level(logging.INFO)
    with receiving("ok") as receiver, time_machine.travel(travel_start(), tick=False):
        hook = make_hook(settings, seller, receiver, url=f"{receiver.url}?token={TOKEN}&x=1")
        hook.emit()
        assert hook.run() == 1
        receiver.down()
        hook.emit()
        hook.run()
    assert f"{receiver.url}?token=[redacted]&x=1" in caplog.text
    assert TOKEN not in caplog.text
    assert len(receiver.requests) >= 1
