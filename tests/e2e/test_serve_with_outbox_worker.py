"""`tp-bridge serve --outbox-worker`: the service delivers webhooks without a daemon."""

from __future__ import annotations

import json
import os

import pytest
from standardwebhooks import Webhook

from tests.e2e.serve import cli, serving
from tests.webhooks.support import receiver

pytestmark = pytest.mark.slow


def test_a_ping_reaches_the_receiver_through_the_servers_own_worker(db, db_url, tmp_path):
    env = {
        **os.environ,
        "TP_DATABASE_URL": db_url,
        "TP_SECRET_KEY": "s" * 48,
        "TP_WEBHOOK_ALLOW_PRIVATE": "1",
    }
    cli(env, "account", "create", "Hooks")
    log = tmp_path / "server.log"
    # The server's SIGTERM on leaving `serving` stops its outbox worker too.
    with receiver() as rx, serving(env, log, workers=1, args=("--outbox-worker",)):
        created = json.loads(
            cli(env, "webhook", "create", "--account", "Hooks", "--event", "order.paid",
                "--url", rx.url)
        )  # fmt: skip
        (ping,) = rx.wait_for(1, timeout=30)
    event = Webhook(created["secret"]).verify(ping.body, ping.headers)
    assert event["type"] == "webhook.ping"
    assert event["data"]["endpointId"] == created["id"]
