"""The WooCommerce webhook receiver, with the documented delivery and ping."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import hmac
import json

import pytest

from bridge.web.woo_webhooks import signature_ok
from config.wsgi import create_app
from tests.fake_woo import woo_order
from tests.fixtures import woo_fixture
from tp_api.models import Order, OutboxEntry, Shop, Ticket
from tp_api.services.credentials.secret_box import SecretBox
from tp_api.services.delivery import outbox
from tp_api.services.shops import connections

DELIVERY = woo_fixture("woo_webhook_order_updated_delivery")
PING = woo_fixture("woo_webhook_ping")


def test_the_documented_delivery_verifies_and_a_one_byte_change_does_not():
    raw = DELIVERY["body_raw"].encode()
    given = DELIVERY["headers"]["X-WC-Webhook-Signature"]
    assert signature_ok(raw, DELIVERY["secret"], given)
    assert not signature_ok(raw[:-1] + b" ", DELIVERY["secret"], given)
    assert not signature_ok(raw, "another-secret", given)
    # Re-serialised JSON no longer matches: the check must use the raw bytes.
    assert not signature_ok(json.dumps(json.loads(raw)).encode(), DELIVERY["secret"], given)


@pytest.fixture
def shop(app, factory, settings):
    seller = factory.seller()
    ticket_type = factory.ticket_type(factory.event(seller, ticket_stock=10))
    box = SecretBox([settings.secret_key])
    new = connections.add_shop(
        box,
        seller.id,
        "main",
        platform="woocommerce",
        base_url="https://shop.test",
        consumer_key="ck",
        consumer_secret="cs",
    )
    # Use the fixture's secret, as if the webhook had been set up with it.
    Shop.update(webhook_secret_enc=box.seal(DELIVERY["secret"])).execute()
    connections.map_product(new.shop, product_id=93, ticket_type_id=ticket_type.id)
    return new.shop


def signed_headers(raw: bytes, *, topic: str = "order.updated") -> dict[str, str]:
    """Headers of a delivery signed the way WooCommerce signs it, with the fixture's secret."""
    digest = hmac.new(DELIVERY["secret"].encode(), raw, hashlib.sha256).digest()
    return {
        "X-WC-Webhook-Signature": base64.b64encode(digest).decode(),
        "X-WC-Webhook-Resource": "order",
        "X-WC-Webhook-Topic": topic,
        "Content-Type": "application/json",
    }


def deliver(client, shop_id, raw, headers):
    return client.post(f"/shops/{shop_id}/woocommerce/webhook", data=raw, headers=headers)


def test_a_signed_delivery_is_ingested_once(client, shop):
    headers = {k: v for k, v in DELIVERY["headers"].items() if k != "User-Agent"}
    first = deliver(client, shop.id, DELIVERY["body_raw"].encode(), headers)
    assert (first.status_code, first.get_data(as_text=True)) == (200, "new")
    again = deliver(client, shop.id, DELIVERY["body_raw"].encode(), headers)
    assert (again.status_code, again.get_data(as_text=True)) == (200, "skipped")
    assert Order.get().wp_order_id == "727"
    assert Ticket.select().count() == 2


def test_bad_or_missing_signatures_are_refused(client, shop):
    headers = dict(DELIVERY["headers"])
    raw = DELIVERY["body_raw"].encode()
    assert deliver(client, shop.id, raw + b" ", headers).status_code == 401
    del headers["X-WC-Webhook-Signature"]
    assert deliver(client, shop.id, raw, headers).status_code == 401
    assert Order.select().count() == 0


def test_the_ping_gets_200(client, shop):
    response = deliver(client, shop.id, PING["body_raw"], PING["headers"])
    assert response.status_code == PING["expected_response_status"] == 200


def test_deletions_are_queued_for_the_worker(client, shop):
    raw = b'{"id":727}'
    response = deliver(client, shop.id, raw, signed_headers(raw, topic="order.deleted"))
    assert response.status_code == 202
    [job] = OutboxEntry.select()
    assert job.kind == outbox.REFRESH_SHOP_ORDER
    assert outbox.payload(job) == {"shop_id": shop.id, "order_id": 727}


def test_an_unknown_shop_is_answered_as_a_bad_signature(client, shop, caplog):
    headers = dict(DELIVERY["headers"])
    raw = DELIVERY["body_raw"].encode()
    unknown = deliver(client, shop.id + 999, raw, headers)
    bad = deliver(client, shop.id, raw + b" ", headers)
    Shop.update(enabled=False).where(Shop.id == shop.id).execute()
    disabled = deliver(client, shop.id, raw, headers)
    answers = {
        (r.status_code, r.mimetype, r.get_data(as_text=True)) for r in (unknown, bad, disabled)
    }
    assert answers == {(401, "text/plain", "Bad signature")}
    logged = [r.getMessage() for r in caplog.records if r.name == "bridge.web.woo_webhooks"]
    assert f"webhook for unknown or disabled shop id {shop.id + 999} refused" in logged
    assert "shop main: webhook with a bad signature refused" in logged
    assert f"webhook for unknown or disabled shop id {shop.id} refused" in logged


@pytest.mark.parametrize(
    "raw",
    [
        b'{"id": 1e400}',
        b'{"id": 5, "line_items": [1, 2]}',
        b'{"id": 5, "line_items": [{"quantity": "many"}]}',
    ],
)
def test_signed_but_malformed_payloads_get_400(client, shop, raw):
    assert deliver(client, shop.id, raw, signed_headers(raw)).status_code == 400


def test_a_pending_shop_order_holds_for_the_configured_seconds(settings, shop, time_machine):
    time_machine.move_to("2026-06-01T10:00:00Z", tick=False)
    client = create_app(dataclasses.replace(settings, unpaid_hold_seconds=120)).test_client()
    raw = json.dumps(woo_order(55, status="pending", quantity=2)).encode()
    assert deliver(client, shop.id, raw, signed_headers(raw)).status_code == 200
    order = Order.get()
    assert order.status == "pending"
    assert (order.hold_expires_at - order.created_at).total_seconds() == 120
