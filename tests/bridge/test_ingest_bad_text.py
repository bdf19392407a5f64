"""A shop order with a bad billing address or bad text is recorded (the shop took the money),
its text made harmless, and its tickets never mailed to an address that is not one address."""

from __future__ import annotations

import pytest

from bridge.adapters.mapping import snapshot_from_woo
from tests.fake_woo import woo_order
from tp_api.models import Order, OrderLine, ShopOrder
from tp_api.services.orders.ingest import ingest_shop_order
from tp_api.services.shops import connections


@pytest.fixture
def shop(factory):
    return factory.shop(stock=10)


def ingest(shop_row, woo):
    snapshot = snapshot_from_woo(woo, connections.mappings(shop_row.id))
    return ingest_shop_order(shop_row.id, shop_row.account_id, snapshot)


@pytest.mark.parametrize(
    "email", ["a@example.com, v@evil.example", "a@example.com\r\nBcc: v@evil.example"]
)
def test_a_bad_billing_email_is_recorded_and_reported(shop, email):
    _, shop_row, _ = shop
    woo = woo_order(1)
    woo["billing"]["email"] = email
    outcome = ingest(shop_row, woo)
    assert outcome.action == "new"
    assert Order.get_by_id(outcome.order_id).billing_email == email
    [problem] = outcome.problems
    assert "is not an e-mail address: tickets are not mailed" in problem
    assert ShopOrder.get().problem == problem


def test_a_good_billing_email_reports_nothing(shop):
    _, shop_row, _ = shop
    assert ingest(shop_row, woo_order(1)).problems == []


def test_control_and_bidi_characters_are_neutralised(shop):
    _, shop_row, _ = shop
    woo = woo_order(1)
    woo["billing"]["first_name"] = "Jane\r\nBcc: x"
    woo["billing"]["last_name"] = "Doe\u202egpj.exe"
    woo["line_items"][0]["name"] = "VIP\u2066 pass\x07"
    outcome = ingest(shop_row, woo)
    order = Order.get_by_id(outcome.order_id)
    assert order.billing_first_name == "Jane  Bcc: x"
    assert order.billing_last_name == "Doegpj.exe"
    assert (
        OrderLine.get(OrderLine.order == order.id, OrderLine.order_item_type == "line_item").name
        == "VIP pass"
    )
