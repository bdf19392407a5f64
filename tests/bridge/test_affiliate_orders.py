"""WooCommerce orders name their affiliate by a coupon code (``coupon_lines[].code``) or by
the ``_tp_affiliate`` meta the shop's page sets; the bridge carries the meta as the order's
``affiliate_code`` and the order service decides, for the webhook, the pull and reconcile
alike. A refund in the shop takes the order's earnings away."""

from __future__ import annotations

import json

import pytest

from bridge.adapters.mapping import affiliate_meta, snapshot_from_woo
from bridge.adapters.woocommerce import WooClient
from bridge.adapters.woocommerce_shop import WooCommerceShop
from sync.jobs import pull_orders
from tests.bridge.test_woo_webhooks import deliver, signed_headers
from tests.bridge.test_woo_webhooks import shop as webhook_shop  # noqa: F401 - a fixture
from tests.fake_woo import FakeWoo, woo_order
from tests.tp_api.affiliates.support import affiliate
from tp_api.models import AffiliateOrder, Order, Shop
from tp_api.services.actors import SYSTEM
from tp_api.services.affiliates import earnings, registry
from tp_api.services.orders.ingest import ingest_shop_order
from tp_api.services.shops import connections


def with_affiliate(order: dict, *, coupon: str = "", meta: object = None) -> dict:
    if coupon:
        order["coupon_lines"] = [{"id": 1, "code": coupon, "discount": "0.00"}]
    if meta is not None:
        order["meta_data"] = [
            {"id": 7, "key": "_download_permissions_granted", "value": "yes"},
            {"id": 8, "key": "_tp_affiliate", "value": meta},
        ]
    return order


def ingest(shop_row, woo):
    snapshot = snapshot_from_woo(woo, connections.mappings(shop_row.id))
    return ingest_shop_order(shop_row.id, shop_row.account_id, snapshot)


def attributed(wp_order_id: str) -> AffiliateOrder:
    return AffiliateOrder.get(
        AffiliateOrder.order == Order.get(Order.wp_order_id == wp_order_id).id
    )


@pytest.mark.parametrize(
    ("meta", "code"),
    [("Anna", "Anna"), (42, "42"), ({"code": "anna"}, ""), (["anna"], ""), (True, ""), (None, "")],
)
def test_only_a_text_meta_value_is_a_code(meta, code):
    entries = [{"id": 1, "key": "_tp_affiliate", "value": meta}]
    assert affiliate_meta(entries) == code
    assert affiliate_meta("not a list") == ""


def test_the_meta_travels_as_the_orders_affiliate_code():
    snapshot = snapshot_from_woo(with_affiliate(woo_order(5), meta=" anna\n"), {(93, 0): 1})
    assert snapshot.order.affiliate_code == "anna"


@pytest.fixture
def shop(factory):
    return factory.shop(stock=50)


def test_a_shop_coupon_attributes_the_order(shop):
    seller, shop_row, _ = shop
    anna = affiliate(seller, code="anna")
    ingest(shop_row, with_affiliate(woo_order(1), coupon="anna"))
    row = attributed("1")
    assert (row.affiliate_id, row.source) == (anna.id, "coupon")


def test_the_meta_attributes_the_order_and_a_coupon_wins_over_it(shop):
    seller, shop_row, _ = shop
    anna, bram = affiliate(seller, code="anna"), affiliate(seller, "Bram", code="bram")
    ingest(shop_row, with_affiliate(woo_order(1), meta="anna"))
    assert (attributed("1").affiliate_id, attributed("1").source) == (anna.id, "code")
    ingest(shop_row, with_affiliate(woo_order(2), coupon="bram", meta="anna"))
    assert (attributed("2").affiliate_id, attributed("2").source) == (bram.id, "coupon")


def test_an_unknown_meta_code_keeps_the_order(shop):
    seller, shop_row, _ = shop
    outcome = ingest(shop_row, with_affiliate(woo_order(1), meta="ghost"))
    assert outcome.action == "new" and outcome.problems == []
    assert attributed("1").affiliate_id is None
    assert earnings.unattributed_orders(seller.id) == 1


def test_a_signed_webhook_delivery_with_an_affiliate_coupon(client, webhook_shop):  # noqa: F811
    anna = affiliate_of(webhook_shop, "anna")
    raw = json.dumps(with_affiliate(woo_order(727, quantity=2), coupon="anna")).encode()
    response = deliver(client, webhook_shop.id, raw, signed_headers(raw))
    assert (response.status_code, response.get_data(as_text=True)) == (200, "new")
    assert attributed("727").affiliate_id == anna.id
    figures = earnings.by_affiliate(webhook_shop.account_id, [anna.id])[anna.id]
    assert [(e.orders, e.revenue_cents, e.commission_cents) for e in figures] == [(1, 5990, 599)]


def affiliate_of(shop_row, code: str):
    draft = registry.AffiliateDraft(name=code.title(), rate_bps=1000, code=code)
    return registry.create_affiliate(shop_row.account_id, draft, actor=SYSTEM)


def test_the_pull_attributes_and_a_refund_in_the_shop_takes_the_earnings_away(factory):
    with FakeWoo() as woo:
        seller, shop_row, _ = factory.shop(url=woo.url, stock=50)
        anna = affiliate(seller, rate=1000, code="anna")
        client = WooCommerceShop(WooClient(woo.url, "ck_test", "cs_test", sleep=lambda s: None))
        woo.put(with_affiliate(woo_order(11, quantity=2), meta="anna"))
        woo.put(with_affiliate(woo_order(12), coupon="ANNA"))
        assert pull_orders(shop_row, client).orders_new == 2
        figures = earnings.by_affiliate(seller.id, [anna.id])[anna.id]
        assert [(e.orders, e.revenue_cents, e.commission_cents) for e in figures] == [
            (2, 8985, 599 + 300)
        ]
        woo.touch(11, 60, status="refunded")
        pull_orders(Shop.get_by_id(shop_row.id), client)
        assert Order.get(Order.wp_order_id == "11").status == "refunded"
        figures = earnings.by_affiliate(seller.id, [anna.id])[anna.id]
        assert [(e.orders, e.revenue_cents, e.commission_cents) for e in figures] == [
            (1, 2995, 300)
        ]
