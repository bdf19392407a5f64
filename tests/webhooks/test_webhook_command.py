"""The ``tp-bridge webhook`` command: create, list, test, rotate and remove from a terminal,
and its refusals of bad input."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from standardwebhooks import Webhook

from config.cli import main
from tests.webhooks.support import (
    ORDER_TYPES,
    drain,
    worker,
)
from tp_api.db import connect
from tp_api.models import (
    WebhookDelivery,
    WebhookEndpoint,
)

# --- the tp-bridge webhook command ---------------------------------------------------------------


@pytest.fixture
def cli(db_url, settings):
    runner = CliRunner()

    def invoke(*args, private=True):
        env = {"TP_DATABASE_URL": db_url, "TP_SECRET_KEY": settings.secret_key}
        env["TP_WEBHOOK_ALLOW_PRIVATE"] = "1" if private else "0"
        return runner.invoke(main, ["webhook", *args], env=env)

    yield invoke
    connect(db_url).close_all()


def ok(result):
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_the_webhook_command(cli, factory, rx, settings, db):
    factory.seller("Festival BV")
    factory.seller("Other BV")
    created = ok(
        cli("create", "--account", "Festival BV", "--url", rx.url, "--event", "order.paid",
            "--event", "order.created", "--description", "CRM")
    )  # fmt: skip
    secret = created["secret"]
    assert secret.startswith("whsec_")
    assert created["eventTypes"] == ORDER_TYPES and created["description"] == "CRM"
    endpoint_id = created["id"]
    listed = cli("list", "--account", "Festival BV")
    assert [e["id"] for e in ok(listed)] == [endpoint_id]
    assert secret not in listed.output
    assert ok(cli("list", "--account", "Other BV")) == []

    outbox = worker(settings)
    drain(outbox)
    (ping,) = rx.wait_for(1)
    assert Webhook(secret).verify(ping.body, ping.headers)["type"] == "webhook.ping"

    pinged = ok(cli("ping", "--account", "Festival BV", str(endpoint_id)))
    rotated = ok(
        cli("rotate-secret", "--account", "Festival BV", "--grace-hours", "0", str(endpoint_id))
    )
    assert rotated["endpoint_id"] == endpoint_id and rotated["secret"] != secret
    drain(outbox)
    _, second = rx.wait_for(2)
    Webhook(rotated["secret"]).verify(second.body, second.headers)
    assert second.headers["webhook-signature"].count("v1,") == 1

    deliveries = ok(cli("deliveries", "--account", "Festival BV", str(endpoint_id)))
    assert [d["id"] for d in deliveries][0] == pinged["delivery_id"]
    assert {d["status"] for d in deliveries} == {"succeeded"}
    assert (
        ok(cli("deliveries", "--account", "Festival BV", "--status", "pending", str(endpoint_id)))
        == []
    )
    resent = ok(cli("resend", "--account", "Festival BV", str(pinged["delivery_id"])))
    assert resent == {"delivery_id": pinged["delivery_id"], "status": "pending"}
    drain(outbox)
    third = rx.wait_for(3)[2]
    assert third.headers["webhook-id"] == second.headers["webhook-id"]

    _check_other_accounts_and_delete(cli, endpoint_id, pinged["delivery_id"])


def _check_other_accounts_and_delete(cli, endpoint_id: int, delivery_id: int) -> None:
    # Another account's endpoint or delivery is not found.
    missing = cli("delete", "--account", "Other BV", str(endpoint_id))
    assert missing.exit_code == 1 and "Webhook endpoint not found" in missing.output
    not_theirs = cli("resend", "--account", "Other BV", str(delivery_id))
    assert not_theirs.exit_code == 1 and "Delivery not found" in not_theirs.output

    deleted = ok(cli("delete", "--account", "Festival BV", str(endpoint_id)))
    assert deleted == {"deleted": endpoint_id}
    assert ok(cli("list", "--account", "Festival BV")) == []
    assert WebhookDelivery.select().count() == 0


def test_the_webhook_command_refuses_bad_input(cli, factory, db):
    factory.seller("Festival BV")
    refused = cli(
        "create",
        "--account",
        "Festival BV",
        "--url",
        "http://127.0.0.1:9/",
        "--event",
        "order.paid",
        private=False,
    )
    assert refused.exit_code == 1 and "public addresses only" in refused.output
    unknown = cli(
        "create",
        "--account",
        "Festival BV",
        "--url",
        "http://127.0.0.1:9/",
        "--event",
        "order.shipped",
    )
    assert unknown.exit_code == 2 and "order.shipped" in unknown.output
    nobody = cli("list", "--account", "Nobody BV")
    assert nobody.exit_code == 1 and "not found" in nobody.output
    assert WebhookEndpoint.select().count() == 0
