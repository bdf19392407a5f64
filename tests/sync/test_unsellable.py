"""An event or ticket type that cannot be sold is not sold by any path: the partner catalogue,
the stock push, and shop orders pulled or delivered by webhook after it went off sale."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re

import pytest
from click.testing import CliRunner

from bridge.adapters.woocommerce import WooClient
from bridge.adapters.woocommerce_shop import WooCommerceShop
from config.cli import main
from sync.daemon import stock_fingerprint
from sync.jobs import pull_orders, push_stock
from tests.conftest import TEST_SECRET
from tests.fake_woo import FakeWoo, woo_order
from tests.tp_api.console.support import sign_in
from tests.webhooks.support import fresh_subscriptions
from tp_api.db import connect
from tp_api.models import (
    Event,
    Order,
    OrderStatus,
    Shop,
    ShopOrder,
    Ticket,
    TicketStatus,
    TicketType,
    WebhookEvent,
)
from tp_api.services.credentials.secret_box import SecretBox
from tp_api.services.events import event_lifecycle
from tp_api.services.webhooks import webhook_endpoints
from tp_api.services.webhooks.webhook_endpoints import EndpointPolicy

HOOK_SECRET = "woo-hook-secret"
OFF_SALE = ["draft", "cancelled", "completed", "archived", "type_disabled", "type_inactive"]


@pytest.fixture(autouse=True)
def _subscriptions():
    yield from fresh_subscriptions()


@pytest.fixture
def woo():
    with FakeWoo() as fake:
        yield fake


@pytest.fixture
def shop(factory, woo):
    owner, shop, ticket_type = factory.shop(url=woo.url, stock=50, secret=TEST_SECRET)
    return owner, shop, ticket_type


def take_off_sale(owner, ticket_type: TicketType, how: str) -> None:
    """Put the ticket type (or its event) in the given state through the domain."""
    event_id = str(ticket_type.event_id)
    if how == "draft":
        Event.update(lifecycle="draft").where(Event.id == ticket_type.event_id).execute()
    elif how == "cancelled":
        event_lifecycle.cancel_event(owner.id, event_id)
    elif how in ("completed", "archived"):
        event_lifecycle.complete_event(owner.id, event_id)
        if how == "archived":
            event_lifecycle.archive_event(owner.id, event_id)
    elif how == "type_disabled":
        TicketType.update(enabled=False).where(TicketType.id == ticket_type.id).execute()
    else:
        TicketType.update(status=0).where(TicketType.id == ticket_type.id).execute()


def subscribe(settings, owner) -> None:
    webhook_endpoints.create_endpoint(
        owner.id,
        SecretBox([settings.secret_key]),
        EndpointPolicy(allow_private=False, resolver=lambda host, port: ["93.184.216.34"]),
        url="https://hooks.example.com/tp",
        event_types=["shop_order.needs_refund"],
    )


def needs_refund_events() -> list[dict]:
    rows = WebhookEvent.select().where(WebhookEvent.event_type == "shop_order.needs_refund")
    return [json.loads(row.body)["data"] for row in rows]


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


@pytest.mark.parametrize("how", OFF_SALE)
def test_the_catalogue_shows_it_off_sale_with_the_documented_fields(client, factory, how):
    seller = factory.seller()
    on_sale = factory.event(seller, name="Still On", stock=80, ticket_stock=70)
    off = factory.event(seller, name="Off", stock=80, ticket_stock=70)
    take_off_sale(seller, factory.ticket_type(off), how)
    listed = {e["name"]: e for e in client.get(f"/tp-api/events?key={seller.key}").get_json()}
    assert listed["Still On"]["status"] == 1 and listed["Still On"]["stock"] == 80
    assert listed["Still On"]["tickets"][0] | {"id": 0} == {
        "id": 0,
        "name": "General Admission",
        "stock": 70,
        "price": 29.95,
        "status": 1,
        "date": 1785780000,
        "enabled": True,
    }
    event = listed["Off"]
    assert list(event) == list(listed["Still On"])
    [ticket] = event["tickets"]
    assert list(ticket) == list(listed["Still On"]["tickets"][0])
    assert (ticket["enabled"], ticket["stock"]) == (False, 0)
    if how.startswith("type_"):
        assert (event["status"], event["stock"]) == (1, 80)  # the event itself still sells
    else:
        assert (event["status"], event["stock"]) == (0, 0)
    assert on_sale.id != off.id


@pytest.mark.parametrize("how", OFF_SALE)
def test_the_stock_push_writes_zero(woo, shop, how):
    owner, shop, ticket_type = shop
    client = WooCommerceShop(WooClient(woo.url, "ck_test", "cs_test", sleep=lambda s: None))
    woo.products[93] = {"id": 93, "manage_stock": True, "stock_quantity": 0}
    assert push_stock(shop, client).stock_writes == 1
    assert woo.products[93]["stock_quantity"] == 50
    take_off_sale(owner, ticket_type, how)
    run = push_stock(Shop.get_by_id(shop.id), client)
    assert (run.stock_writes, run.errors) == (1, 0)
    assert woo.products[93]["stock_quantity"] == 0


@pytest.mark.parametrize("how", ["cancelled", "type_disabled"])
def test_a_pulled_order_is_recorded_without_tickets_and_flagged(
    client, factory, woo, shop, settings, how, db_url, tmp_path
):
    owner, shop, ticket_type = shop
    subscribe(settings, owner)
    take_off_sale(owner, ticket_type, how)
    woo.put(woo_order(501, quantity=2))
    run = pull_orders(
        shop, WooCommerceShop(WooClient(woo.url, "ck_test", "cs_test", sleep=lambda s: None))
    )
    # Counted as a problem of the run, like every order that needs the seller.
    assert (run.orders_new, run.errors) == (1, 1)
    binding = ShopOrder.get(ShopOrder.external_id == 501)
    assert binding.needs_refund and binding.order_id is None
    assert "cannot be sold" in binding.problem
    assert Ticket.select().count() == 0 and Order.select().count() == 0
    assert TicketType.get_by_id(ticket_type.id).sold == 0
    [data] = needs_refund_events()
    assert (data["shop_id"], data["shop_order_id"], data["status"]) == (shop.id, 501, "processing")
    # Pulled again (unchanged, or re-read in the overlap window): announced once.
    pull_orders(Shop.get_by_id(shop.id), WooCommerceShop(WooClient(woo.url, "ck_test", "cs_test")))
    assert len(needs_refund_events()) == 1
    sign_in(client, factory.staff(owner).email)
    page = text(client.get("/console/shops"))
    assert "To refund in the shop" in page and "Needs refund Shop order #501" in page
    status = _cli(db_url, tmp_path, "sync", "status")
    assert status.exit_code == 0, status.output
    assert "main: 1 shop order(s) need a refund in the shop" in status.output
    assert "#501" in status.output


def test_a_webhook_delivered_order_is_recorded_without_tickets_and_flagged(client, shop, settings):
    owner, shop, ticket_type = shop
    subscribe(settings, owner)
    box = SecretBox([settings.secret_key])
    Shop.update(webhook_secret_enc=box.seal(HOOK_SECRET)).where(Shop.id == shop.id).execute()
    event_lifecycle.cancel_event(owner.id, str(ticket_type.event_id))
    raw = json.dumps(woo_order(602)).encode()
    digest = hmac.new(HOOK_SECRET.encode(), raw, hashlib.sha256).digest()
    headers = {
        "X-WC-Webhook-Signature": base64.b64encode(digest).decode(),
        "X-WC-Webhook-Resource": "order",
        "X-WC-Webhook-Topic": "order.created",
        "Content-Type": "application/json",
    }
    response = client.post(f"/shops/{shop.id}/woocommerce/webhook", data=raw, headers=headers)
    assert (response.status_code, response.get_data(as_text=True)) == (200, "new")
    binding = ShopOrder.get(ShopOrder.external_id == 602)
    assert binding.needs_refund and Ticket.select().count() == 0
    assert [d["shop_order_id"] for d in needs_refund_events()] == [602]


def test_a_late_payment_after_the_cancellation_issues_no_ticket(
    client, factory, woo, shop, settings
):
    owner, shop, ticket_type = shop
    subscribe(settings, owner)
    woo_client = WooCommerceShop(WooClient(woo.url, "ck_test", "cs_test", sleep=lambda s: None))
    woo.put(woo_order(703, status="on-hold"))
    pull_orders(shop, woo_client)
    order = Order.get(Order.wp_order_id == "703")
    event_lifecycle.cancel_event(owner.id, str(ticket_type.event_id))
    assert Order.get_by_id(order.id).status == OrderStatus.CANCELLED
    woo.touch(703, 60, status="processing", date_paid_gmt="2026-05-01T12:01:00")
    pull_orders(Shop.get_by_id(shop.id), woo_client)
    live = Ticket.select().where(Ticket.order == order.id, Ticket.status != TicketStatus.CANCELLED)
    assert live.count() == 0
    assert Order.get_by_id(order.id).status == OrderStatus.CANCELLED
    binding = ShopOrder.get(ShopOrder.external_id == 703)
    assert binding.needs_refund and binding.order_id == order.id
    assert [d["shop_order_id"] for d in needs_refund_events()] == [703]
    sign_in(client, factory.staff(owner).email)
    page = text(client.get(f"/console/orders/{order.number}"))
    assert "Refund in the shop Shop order #703 was paid for tickets that cannot be sold" in page


def _cli(db_url, tmp_path, *args):
    try:
        return CliRunner().invoke(
            main,
            list(args),
            env={
                "TP_DATABASE_URL": db_url,
                "TP_SECRET_KEY": "cli-test-secret-that-is-long-enough-0123456789",
                "TP_FILES_DIR": str(tmp_path / "files"),
                "TP_PUBLIC_URL": "https://tickets.test",
            },
        )
    finally:
        connect(db_url).close_all()


@pytest.mark.parametrize("how", OFF_SALE)
def test_going_off_sale_moves_the_daemons_stock_fingerprint(shop, how):
    owner, shop, ticket_type = shop
    before = stock_fingerprint(shop.id)
    take_off_sale(owner, ticket_type, how)
    # No counter needs to move (no orders): the off-sale state alone triggers a push.
    assert stock_fingerprint(shop.id) != before
