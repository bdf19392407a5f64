"""Deliveries are signed the Standard Webhooks way: what the ``standardwebhooks`` library
accepts, what it rejects, secret rotation, and the same ``webhook-id`` on every attempt."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from tests.webhooks.support import (
    Received,
    drain,
)
from tp_api.models import WebhookEvent
from tp_api.services.webhooks.signing import new_secret

TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")


@pytest.fixture
def hook(api, rx, outbox):
    """An endpoint hearing orders, its ping already delivered (and checked here)."""
    created = api.create_hook(rx.url, ["order.created", "order.paid"])
    drain(outbox)
    (ping,) = rx.wait_for(1)
    assert Webhook(created["secret"]).verify(ping.body, ping.headers)["type"] == "webhook.ping"
    return created


def ping(api, endpoint_id: int) -> None:
    assert api.post(f"/webhooks/{endpoint_id}/ping").status_code == 202


def expected_signature(secret: str, received: Received) -> str:
    """The signature computed from the spec, independently of the library and the service."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = b"%s.%s.%s" % (
        received.headers["webhook-id"].encode(),
        received.headers["webhook-timestamp"].encode(),
        received.body,
    )
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def with_header(received: Received, **changes: str) -> dict[str, str]:
    return {**received.headers, **{k.replace("_", "-"): v for k, v in changes.items()}}


def rejected(secret: str, body: bytes | str, headers: dict[str, str]) -> str:
    with pytest.raises(WebhookVerificationError) as error:
        Webhook(secret).verify(body, headers)
    return str(error.value)


# --- headers and body ----------------------------------------------------------------------------


def test_a_request_carries_the_standard_headers_and_verifies(
    api, rx, outbox, hook, factory, seller
):
    event = factory.event(seller)
    order = factory.order(seller, factory.ticket_type(event), paid=False)
    before = int(datetime.now(UTC).timestamp())
    drain(outbox)
    after = int(datetime.now(UTC).timestamp())
    _, received = rx.wait_for(2)
    headers = received.headers
    assert received.method == "POST" and received.path == "/hooks/tp"
    assert headers["content-type"] == "application/json"
    assert headers["x-tp-event"] == "order.created"
    assert headers["user-agent"].startswith("tp-bridge-webhooks/")
    assert re.fullmatch(r"evt_[0-9a-f]{32}", headers["webhook-id"])
    assert before <= int(headers["webhook-timestamp"]) <= after
    assert headers["webhook-signature"] == expected_signature(hook["secret"], received)
    payload = Webhook(hook["secret"]).verify(received.body, headers)
    assert payload == json.loads(received.body)
    assert set(payload) == {"id", "type", "timestamp", "accountId", "data"}
    assert payload["id"] == headers["webhook-id"]
    assert payload["type"] == "order.created"
    assert TIMESTAMP.match(payload["timestamp"])
    assert payload["accountId"] == seller.id
    assert payload["data"]["id"] == order.number
    assert payload["data"]["status"] == "pending"
    # The bytes sent are the bytes stored (and signed).
    stored = WebhookEvent.get(WebhookEvent.public_id == headers["webhook-id"])
    assert stored.body.encode() == received.body


def test_non_ascii_data_is_signed_as_sent(api, rx, outbox, hook, factory, seller):
    event = factory.event(seller)
    billing = {"first_name": "Zoë", "last_name": "Ångström-李", "email": "zoe@example.com"}
    factory.order(seller, factory.ticket_type(event), billing_information=billing)
    drain(outbox)
    created = rx.wait_for(3)[1]
    payload = Webhook(hook["secret"]).verify(created.body, created.headers)
    assert payload["type"] == "order.created"
    assert payload["data"]["customer"]["firstName"] == "Zoë"
    assert payload["data"]["customer"]["lastName"] == "Ångström-李"
    assert created.headers["webhook-signature"] == expected_signature(hook["secret"], created)


def test_the_ping_body(api, rx, outbox, seller):
    created = api.create_hook(rx.url, ["order.paid"])
    drain(outbox)
    (received,) = rx.wait_for(1)
    payload = Webhook(created["secret"]).verify(received.body, received.headers)
    assert payload["type"] == received.headers["x-tp-event"] == "webhook.ping"
    assert payload["accountId"] == seller.id
    assert payload["data"] == {
        "endpointId": created["id"],
        "url": rx.url,
        "message": "Hello from tp-bridge",
    }


# --- what verification rejects -------------------------------------------------------------------


def test_an_altered_body_is_rejected(hook, rx):
    (received,) = rx.requests
    payload = json.loads(received.body)
    payload["data"]["endpointId"] += 1
    for body in (
        json.dumps(payload, separators=(",", ":")),
        received.body + b" ",
        received.body.replace(b'"type"', b'"tyPe"'),
        json.dumps(json.loads(received.body)),  # the same JSON, other whitespace
    ):
        assert rejected(hook["secret"], body, received.headers) == "No matching signature found"


def test_an_altered_id_is_rejected(hook, rx):
    (received,) = rx.requests
    other_id = "evt_" + "0" * 32
    headers = with_header(received, webhook_id=other_id)
    assert rejected(hook["secret"], received.body, headers) == "No matching signature found"


def test_a_wrong_secret_is_rejected(api, hook, rx, outbox):
    (received,) = rx.requests
    message = rejected(new_secret(), received.body, received.headers)
    assert message == "No matching signature found"
    # Each endpoint has its own secret: another endpoint's does not verify this one's request.
    other = api.create_hook(rx.url + "/other", ["order.paid"])
    assert rejected(other["secret"], received.body, received.headers)


def test_a_changed_timestamp_or_missing_header_is_rejected(hook, rx):
    (received,) = rx.requests
    moved = str(int(received.headers["webhook-timestamp"]) - 1)
    assert rejected(hook["secret"], received.body, with_header(received, webhook_timestamp=moved))
    for name in ("webhook-id", "webhook-timestamp", "webhook-signature"):
        headers = {k: v for k, v in received.headers.items() if k != name}
        assert rejected(hook["secret"], received.body, headers) == "Missing required headers"


def test_a_stale_request_is_rejected(hook, rx):
    (received,) = rx.requests
    sent = datetime.fromtimestamp(int(received.headers["webhook-timestamp"]), UTC)
    with time_machine.travel(sent + timedelta(minutes=4), tick=False):
        Webhook(hook["secret"]).verify(received.body, received.headers)
    with time_machine.travel(sent + timedelta(minutes=6), tick=False):
        message = rejected(hook["secret"], received.body, received.headers)
    assert message == "Message timestamp too old"


def test_a_request_signed_with_a_clock_behind_is_rejected(api, hook, rx, outbox):
    with time_machine.travel(datetime.now(UTC) - timedelta(minutes=10)):
        ping(api, hook["id"])
        drain(outbox)
    _, late = rx.wait_for(2)
    assert late.headers["webhook-signature"] == expected_signature(hook["secret"], late)
    assert rejected(hook["secret"], late.body, late.headers) == "Message timestamp too old"


def test_a_request_signed_with_a_clock_ahead_is_rejected(api, hook, rx, outbox):
    ahead = datetime.now(UTC) + timedelta(minutes=10)
    with time_machine.travel(ahead):
        ping(api, hook["id"])
        drain(outbox)
    _, early = rx.wait_for(2)
    assert rejected(hook["secret"], early.body, early.headers) == "Message timestamp too new"


# --- rotation ------------------------------------------------------------------------------------


def test_both_secrets_verify_during_the_grace_period_then_only_the_new_one(api, hook, rx, outbox):
    old = hook["secret"]
    response = api.post(f"/webhooks/{hook['id']}/rotate-secret", {"graceHours": 24})
    assert response.status_code == 200
    new = response.get_json()["secret"]
    ping(api, hook["id"])
    drain(outbox)
    _, during = rx.wait_for(2)
    signatures = during.headers["webhook-signature"].split(" ")
    assert len(signatures) == 2 and all(s.startswith("v1,") for s in signatures)
    assert set(signatures) == {expected_signature(new, during), expected_signature(old, during)}
    Webhook(new).verify(during.body, during.headers)
    Webhook(old).verify(during.body, during.headers)
    assert rejected(new_secret(), during.body, during.headers)

    # Just before the grace period ends the old secret still signs.
    with time_machine.travel(datetime.now(UTC) + timedelta(hours=23, minutes=55)):
        ping(api, hook["id"])
        drain(outbox)
        late_in_grace = rx.wait_for(3)[2]
        assert late_in_grace.headers["webhook-signature"].count("v1,") == 2
        Webhook(old).verify(late_in_grace.body, late_in_grace.headers)

    with time_machine.travel(datetime.now(UTC) + timedelta(hours=24, minutes=5)):
        ping(api, hook["id"])
        drain(outbox)
        after = rx.wait_for(4)[3]
        assert after.headers["webhook-signature"] == expected_signature(new, after)
        Webhook(new).verify(after.body, after.headers)
        assert rejected(old, after.body, after.headers) == "No matching signature found"


def test_no_grace_means_only_the_new_secret_signs(api, hook, rx, outbox):
    response = api.post(f"/webhooks/{hook['id']}/rotate-secret", {"graceHours": 0})
    new = response.get_json()["secret"]
    ping(api, hook["id"])
    drain(outbox)
    _, received = rx.wait_for(2)
    assert received.headers["webhook-signature"] == expected_signature(new, received)
    assert rejected(hook["secret"], received.body, received.headers)


def test_a_second_rotation_drops_the_first_secret(api, hook, rx, outbox):
    first = hook["secret"]
    second = api.post(f"/webhooks/{hook['id']}/rotate-secret").get_json()["secret"]
    third = api.post(f"/webhooks/{hook['id']}/rotate-secret").get_json()["secret"]
    ping(api, hook["id"])
    drain(outbox)
    _, received = rx.wait_for(2)
    assert received.headers["webhook-signature"].count("v1,") == 2
    Webhook(third).verify(received.body, received.headers)
    Webhook(second).verify(received.body, received.headers)
    assert rejected(first, received.body, received.headers)


# --- attempts of one delivery --------------------------------------------------------------------


def test_every_attempt_of_one_event_carries_the_same_id_and_body(api, hook, rx, outbox):
    rx.answer((500, "no"), (502, "still no"))
    ping(api, hook["id"])
    start = datetime.now(UTC)
    drain(outbox)
    attempts = rx.wait_for(2)[1:]
    Webhook(hook["secret"]).verify(attempts[0].body, attempts[0].headers)
    # The retries: 5 s (+-10 %) later, then 5 minutes (+-10 %) after that.
    with time_machine.travel(start + timedelta(seconds=6)):
        drain(outbox)
        attempts = rx.wait_for(3)[1:]
        Webhook(hook["secret"]).verify(attempts[1].body, attempts[1].headers)
    with time_machine.travel(start + timedelta(seconds=6, minutes=6)):
        assert drain(outbox) == 1
        attempts = rx.wait_for(4)[1:]
        Webhook(hook["secret"]).verify(attempts[2].body, attempts[2].headers)
        assert drain(outbox) == 0
    assert len({a.headers["webhook-id"] for a in attempts}) == 1
    assert len({a.body for a in attempts}) == 1
    stamps = [int(a.headers["webhook-timestamp"]) for a in attempts]
    assert stamps == sorted(stamps) and stamps[0] < stamps[1] < stamps[2]
    (delivery,) = [d for d in api.deliveries(hook["id"]) if d["eventId"] == attempts[0].json["id"]]
    assert [a["statusCode"] for a in delivery["attemptLog"]] == [500, 502, 200]
    assert delivery["status"] == "succeeded"
