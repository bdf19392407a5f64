"""The order pull and the stock push against a fake WooCommerce on loopback."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bridge.adapters.woocommerce import WooClient
from bridge.adapters.woocommerce_shop import WooCommerceShop
from sync.jobs import CURSOR_OVERLAP, pull_orders, push_stock
from tests.fake_woo import EPOCH, FakeWoo, fail_times, woo_order
from tp_api.models import Order, ProductMapping, Shop, ShopOrder, SyncRun, Ticket, TicketType
from tp_api.services.credentials.secret_box import SecretBox
from tp_api.services.shops import connections

BOX = SecretBox(["test-secret"])


@pytest.fixture
def woo():
    with FakeWoo() as fake:
        yield fake


@pytest.fixture
def setup(factory, woo):
    _, shop, ticket_type = factory.shop(url=woo.url, stock=5000)
    client = WooCommerceShop(WooClient(woo.url, "ck_test", "cs_test", sleep=lambda s: None))
    return shop, ticket_type, client


def test_first_run_ingests_every_order_and_the_next_run_nothing(woo, setup):
    shop, ticket_type, client = setup
    for i in range(1, 251):
        woo.put(woo_order(i, modified=EPOCH + timedelta(seconds=i // 3)))
    run = pull_orders(shop, client)
    assert (run.orders_new, run.errors) == (250, 0)
    assert Order.select().count() == 250 and Ticket.select().count() == 250
    assert Shop.get_by_id(shop.id).order_cursor == EPOCH + timedelta(seconds=250 // 3)
    again = pull_orders(Shop.get_by_id(shop.id), client)
    assert again.orders_new == 0 and again.orders_changed == 0
    assert TicketType.get_by_id(ticket_type.id).sold == 250


def test_changes_inside_the_overlap_window_are_seen(woo, setup):
    shop, _, client = setup
    woo.put(woo_order(1, status="on-hold", modified=EPOCH))
    woo.put(woo_order(2, modified=EPOCH + timedelta(minutes=30)))
    pull_orders(shop, client)
    # The shop commits a change stamped *before* the cursor (a slow request): still read.
    woo.touch(1, 30 * 60 - 60, status="processing", date_paid_gmt="2026-05-01T12:29:00")
    run = pull_orders(Shop.get_by_id(shop.id), client)
    assert run.orders_changed == 1
    assert Order.get(Order.wp_order_id == "1").status == "processing"
    assert CURSOR_OVERLAP >= timedelta(minutes=5)


def test_a_page_that_shifts_mid_run_loses_nothing(woo, setup):
    shop, _, client = setup
    for i in range(1, 151):
        woo.put(woo_order(i, modified=EPOCH + timedelta(seconds=i)))
    moved = []

    def shift(page: int) -> None:
        # While we read, an order we already read is modified and jumps to the end.
        if not moved:
            moved.append(True)
            woo.touch(5, 10_000, status="completed")

    woo.on_orders_page = shift
    pull_orders(shop, client)
    assert Order.select().count() == 150
    assert ShopOrder.select().count() == 150


def test_429_and_html_503_are_ridden_out(woo, setup):
    shop, _, client = setup
    woo.put(woo_order(1))
    woo.failures.append(
        fail_times(1, 429, b'{"code":"x"}', {"Retry-After": "1"}, "application/json")
    )
    woo.failures.append(fail_times(1, 503, b"<html>busy</html>", {}, "text/html"))
    run = pull_orders(shop, client)
    assert (run.orders_new, run.errors) == (1, 0)


def test_a_shop_that_stays_down_keeps_the_cursor(woo, setup):
    shop, _, client = setup
    woo.put(woo_order(1))
    woo.failures.append(fail_times(99, 503, b"<html>down</html>", {}, "text/html"))
    run = pull_orders(shop, client)
    assert run.errors == 1 and "HTTP 503" in run.error_text
    assert Shop.get_by_id(shop.id).order_cursor is None
    assert SyncRun.select().count() == 1


def test_stock_push_writes_what_is_left_and_only_differences(woo, setup, factory):
    shop, ticket_type, client = setup
    woo.products[93] = {"id": 93, "manage_stock": False, "stock_quantity": None}
    woo.products[94] = {"id": 94, "manage_stock": True, "stock_quantity": 3}
    other = factory.ticket_type(factory.event(factory.sellers[0], ticket_stock=3))
    connections.map_product(shop, product_id=94, ticket_type_id=other.id)
    factory.order(factory.sellers[0], ticket_type, quantity=12)
    run = push_stock(shop, client)
    assert run.stock_writes == 1 and run.errors == 0
    assert woo.products[93]["stock_quantity"] == 4988 and woo.products[93]["backorders"] == "no"
    posts = [r for r in woo.requests if r[0] == "POST"]
    assert len(posts) == 1
    # A manual edit in the shop is corrected on the next run.
    woo.products[93]["stock_quantity"] = 10_000
    assert push_stock(shop, client).stock_writes == 1
    assert woo.products[93]["stock_quantity"] == 4988
    assert ProductMapping.get(ProductMapping.product_id == 93).last_pushed_stock == 4988


def test_a_busy_second_is_read_without_offsets(woo, setup):
    # 250 orders stamped in the same second; one already read is modified mid-run. With
    # offset paging inside that second, the rows behind it would shift and one be skipped.
    shop, _, client = setup
    for i in range(1, 251):
        woo.put(woo_order(i, modified=EPOCH))
    calls = []

    def shift(page: int) -> None:
        calls.append(page)
        if len(calls) == 2:
            woo.touch(3, 100, status="completed")

    woo.on_orders_page = shift
    pull_orders(shop, client)
    assert ShopOrder.select().count() == 250
