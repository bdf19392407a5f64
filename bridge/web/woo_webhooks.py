"""The WooCommerce webhook receiver: ``POST /shops/<id>/woocommerce/webhook``.

It answers fast and never with a redirect (WooCommerce counts a 3xx as delivered and loses
the payload), answers the unsigned form-encoded ping with 200, checks
``X-WC-Webhook-Signature`` (base64 HMAC-SHA256 of the raw body bytes; re-serialised JSON
would not match), and hands the order to the same ingestion as the poller. It does not
de-duplicate on ``X-WC-Webhook-Delivery-ID``, which collides across orders; ingestion is
idempotent instead. A webhook is a hint: the poller remains the source of truth.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging

from flask import Blueprint, Response, request

from bridge.adapters.mapping import snapshot_from_woo
from tp_api.db import write_transaction
from tp_api.models import Shop
from tp_api.services.credentials.secret_box import SecretBox
from tp_api.services.delivery import outbox
from tp_api.services.errors import TicketingError
from tp_api.services.orders.ingest import ingest_shop_order
from tp_api.services.shops import connections, shop_authorization
from tp_api.services.shops.shop_authorization import ApprovalSigner

log = logging.getLogger(__name__)


def create_shop_webhooks_blueprint(
    secret_box: SecretBox, *, unpaid_hold_seconds: int, approvals: ApprovalSigner
) -> Blueprint:
    """The receiver at ``/shops/<id>/woocommerce/webhook``: shop credentials are opened with
    ``secret_box``; a pending order's units are held for ``unpaid_hold_seconds``. And the
    callback of WooCommerce's approval screen, ``/shops/wc-auth/callback``."""
    bp = Blueprint("woo_webhooks", __name__, url_prefix="/shops")

    @bp.post("/<int:shop_id>/woocommerce/webhook")
    def receive(shop_id: int) -> Response:
        return _receive(shop_id, secret_box, unpaid_hold_seconds)

    @bp.post("/wc-auth/callback")
    def approved_key() -> Response:
        # WooCommerce deletes the new key unless this answers 2xx; any refusal says why.
        try:
            body = json.loads(request.get_data(cache=False) or b"null")
            shop = shop_authorization.complete(approvals, secret_box, body)
        except (ValueError, RecursionError):
            return _answer(400, "The body must be JSON")
        except TicketingError as error:
            log.warning("shop approval refused: %s", error.message)
            return _answer(error.status, error.message)
        log.info("shop %s connected through WooCommerce's approval", shop.name)
        return _answer(200, "connected")

    return bp


def _answer(status: int, text: str) -> Response:
    return Response(text, status=status, mimetype="text/plain")


def signature_ok(raw: bytes, secret: str, given: str | None) -> bool:
    """Whether ``given`` is base64(HMAC-SHA256(raw, secret)), compared in constant time."""
    if not given:
        return False
    expected = base64.b64encode(hmac.new(secret.encode(), raw, hashlib.sha256).digest())
    return hmac.compare_digest(expected, given.strip().encode())


def _receive(shop_id: int, secret_box: SecretBox, unpaid_hold_seconds: int) -> Response:
    shop = Shop.get_or_none(Shop.id == shop_id)
    if shop is None or not shop.enabled:
        # Answered exactly as a bad signature, so the answers do not tell which shop ids
        # exist; only this log line tells the operator which it was.
        log.warning("webhook for unknown or disabled shop id %d refused", shop_id)
        return _answer(401, "Bad signature")
    raw = request.get_data(cache=False)
    signature = request.headers.get("X-WC-Webhook-Signature")
    if signature is None and request.mimetype == "application/x-www-form-urlencoded":
        # The ping sent when the webhook is created: form body, no signature. Must be 200.
        return _answer(200, "pong")
    connection = connections.connection(secret_box, shop)
    if not signature_ok(raw, connection.webhook_secret, signature):
        log.warning("shop %s: webhook with a bad signature refused", shop.name)
        return _answer(401, "Bad signature")
    resource = request.headers.get("X-WC-Webhook-Resource", "")
    if resource != "order":
        return _answer(200, "ignored")  # product/coupon topics: the stock push reconciles
    try:
        payload = json.loads(raw)
        order_id = int(payload["id"])
    except (ValueError, KeyError, TypeError, OverflowError):
        return _answer(400, "Not an order payload")
    if payload.get("line_items") is None or payload.get("refunds"):
        # A deletion ({"id": N} only) or an order with refunds: the worker fetches the whole
        # order and its refund records through the API, then ingests it.
        with write_transaction():
            outbox.enqueue(
                outbox.REFRESH_SHOP_ORDER,
                {"shop_id": shop.id, "order_id": order_id},
                account_id=shop.account_id,
            )
        return _answer(202, "queued")
    try:
        snapshot = snapshot_from_woo(payload, connections.mappings(shop.id))
    except (ValueError, TypeError, KeyError, AttributeError, OverflowError):
        log.warning("shop %s: signed webhook with a malformed order payload", shop.name)
        return _answer(400, "Malformed order payload")
    outcome = ingest_shop_order(
        shop.id,
        shop.account_id,
        snapshot,
        hold_seconds=unpaid_hold_seconds,
    )
    return _answer(200, outcome.action)
