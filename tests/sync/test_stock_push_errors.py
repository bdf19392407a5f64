"""The stock push when one product or one variation group fails: the others are still
pushed, and the run names what failed and why (against the fake WooCommerce on loopback)."""

from __future__ import annotations

import pytest

from bridge.adapters.woocommerce import WooClient
from bridge.adapters.woocommerce_shop import WooCommerceShop
from sync.jobs import ERROR_TEXT_MAX, error_text, pull_orders, push_stock
from sync.reconcile import reconcile
from tests.fake_woo import FakeWoo, fail_times, woo_order
from tp_api.models import ProductMapping
from tp_api.services.shops import connections


@pytest.fixture
def woo():
    with FakeWoo() as fake:
        yield fake


@pytest.fixture
def shop_with_four_mappings(factory, woo):
    """Product 93 and variation 96/61 exist in the shop; product 94 was deleted there, and
    variable product 95 too (its variations route answers 404)."""
    owner, shop, ticket_type = factory.shop(url=woo.url, stock=50)
    for product_id, variation_id in ((94, 0), (95, 23), (96, 61)):
        connections.map_product(
            shop, product_id=product_id, variation_id=variation_id, ticket_type_id=ticket_type.id
        )
    woo.products[93] = {"id": 93, "manage_stock": True, "stock_quantity": 7}
    woo.variations[96] = {61: {"id": 61, "manage_stock": True, "stock_quantity": 7}}
    client = WooCommerceShop(WooClient(woo.url, "ck_test", "cs_test", sleep=lambda s: None))
    return shop, client


def _pushed(product_id: int, variation_id: int) -> int | None:
    mapping = ProductMapping.get(
        ProductMapping.product_id == product_id, ProductMapping.variation_id == variation_id
    )
    return mapping.last_pushed_stock


def test_a_deleted_product_and_a_404_variation_group_do_not_stop_the_others(
    woo, shop_with_four_mappings
):
    shop, client = shop_with_four_mappings
    run = push_stock(shop, client)
    assert woo.products[93]["stock_quantity"] == 50
    assert woo.variations[96][61]["stock_quantity"] == 50
    assert (run.stock_writes, run.errors) == (2, 2)
    assert run.error_text.splitlines() == [
        "product 94: not found in the shop (deleted, or in the trash?)",
        "product 95 variation 23: GET products/95/variations: HTTP 404 rest_no_route "
        "No route was found",
    ]
    assert (_pushed(93, 0), _pushed(96, 61)) == (50, 50)
    assert (_pushed(94, 0), _pushed(95, 23)) == (None, None)
    # Nothing is written to the product the shop does not list.
    assert ("POST", "/wp-json/wc/v3/products/95/variations/batch") not in woo.requests


def test_a_refused_variation_batch_fails_only_its_group(woo, shop_with_four_mappings):
    shop, client = shop_with_four_mappings
    woo.variations[95] = {23: {"id": 23, "manage_stock": True, "stock_quantity": 1}}
    woo.products[94] = {"id": 94, "manage_stock": True, "stock_quantity": 1}

    def refuse_95(handler) -> bool:
        if handler.command == "POST" and "/products/95/variations/batch" in handler.path:
            return fail_times(
                1, 404, b'{"code":"rest_no_route","message":"No route"}', {}, "application/json"
            )(handler)
        return False

    woo.failures.append(refuse_95)
    run = push_stock(shop, client)
    assert run.errors == 1 and run.stock_writes == 3
    assert run.error_text == (
        "product 95 variation 23: POST products/95/variations/batch: HTTP 404 rest_no_route "
        "No route"
    )
    assert woo.variations[95][23]["stock_quantity"] == 1 and _pushed(95, 23) is None
    assert woo.products[94]["stock_quantity"] == 50 and _pushed(94, 0) == 50


def test_a_shop_that_refuses_our_credentials_stops_the_push(woo, shop_with_four_mappings):
    shop, client = shop_with_four_mappings
    woo.failures.append(
        fail_times(
            9,
            401,
            b'{"code":"woocommerce_rest_authentication_error","message":"No"}',
            {},
            "application/json",
        )
    )
    run = push_stock(shop, client)
    assert run.errors == 1 and run.stock_writes == 0
    assert run.error_text.startswith("stock push stopped: GET products: HTTP 401")
    assert not [r for r in woo.requests if r[0] == "POST"]


def test_reconcile_names_the_products_it_could_not_read(woo, shop_with_four_mappings):
    shop, client = shop_with_four_mappings
    report = reconcile(shop, client)
    assert "product 94: not found in the shop (deleted, or in the trash?)" in report.problems
    assert any(p.startswith("product 95 variation 23: GET products/95/") for p in report.problems)
    assert not report.clean


def test_order_problems_are_named_on_the_run(woo, factory):
    _, shop, _ = factory.shop(url=woo.url)
    woo.put(woo_order(5, product_id=22))
    woo.put(woo_order(6))
    run = pull_orders(
        shop, WooCommerceShop(WooClient(woo.url, "ck_test", "cs_test", sleep=lambda s: None))
    )
    assert (run.orders_new, run.errors) == (2, 1)
    assert run.error_text == "order 5: unmapped product 22"


def test_error_text_keeps_whole_lines_and_counts_the_rest():
    lines = [f"product {i}: not found in the shop\r\n(deleted?)" for i in range(500)]
    text = error_text(lines)
    assert len(text) <= ERROR_TEXT_MAX
    kept = text.splitlines()
    assert kept[0] == "product 0: not found in the shop (deleted?)"
    assert kept[-1] == f"... and {500 - len(kept) + 1} more"
    assert error_text([]) is None
