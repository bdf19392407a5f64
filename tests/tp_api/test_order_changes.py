"""Every way an order comes in names what it did with one type, OrderChange: created, paid,
cancelled, refunded, changed or skipped (the partner push and shop snapshots alike)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from bridge.adapters.mapping import snapshot_from_woo
from tests.factories import order_body
from tests.fake_woo import EPOCH, woo_order
from tp_api.models import Order, OrderStatus
from tp_api.services.errors import Conflict
from tp_api.services.orders import submit
from tp_api.services.orders.ingest import ingest_shop_order
from tp_api.services.orders.order_input import OrderInput, parse_partner_order
from tp_api.services.orders.outcomes import OrderChange
from tp_api.services.shops import connections


@pytest.fixture
def shop(factory):
    return factory.shop(stock=10)


def _later(seconds: int) -> datetime:
    return EPOCH + timedelta(seconds=seconds)


def _ingest(shop_row, woo, refunds=None):
    snapshot = snapshot_from_woo(woo, connections.mappings(shop_row.id), refunds)
    return ingest_shop_order(shop_row.id, shop_row.account_id, snapshot)


def test_a_partner_push_is_created_then_changed_then_skipped_then_paid(shop):
    seller, _, ticket_type = shop
    body = order_body(ticket_type.id, wp_order_id="wc_41", paid=False)
    first = submit.submit_order(seller.id, parse_partner_order(body))
    assert (first.change, first.created, first.status) == (
        OrderChange.CREATED,
        True,
        OrderStatus.PENDING,
    )
    again = submit.submit_order(seller.id, parse_partner_order(body))
    assert (again.change, again.order_id) == (OrderChange.SKIPPED, first.order_id)
    paid = submit.submit_order(seller.id, OrderInput(tp_order_id=first.number))
    assert (paid.change, paid.status, paid.tickets_issued) == (
        OrderChange.PAID,
        OrderStatus.PROCESSING,
        1,
    )


def test_a_repeated_push_that_fills_in_a_missing_detail_is_changed(shop):
    seller, _, ticket_type = shop
    body = order_body(ticket_type.id, wp_order_id="wc_42", paid=False)
    bare = {**body, "wp_user_id": None}
    submit.submit_order(seller.id, parse_partner_order(bare))
    outcome = submit.submit_order(seller.id, parse_partner_order(body))
    assert outcome.change is OrderChange.CHANGED


def test_paying_a_cancelled_order_through_the_partner_api_is_refused_with_its_code(shop):
    seller, shop_row, _ = shop
    created = _ingest(shop_row, woo_order(5, quantity=1))
    _ingest(shop_row, woo_order(5, status="cancelled", modified=_later(60)))
    number = Order.get_by_id(created.order_id).number
    with pytest.raises(Conflict) as refused:
        submit.submit_order(seller.id, OrderInput(tp_order_id=number))
    assert refused.value.code == "order_closed"


@pytest.mark.parametrize(
    ("steps", "last"),
    [
        ([("processing", 0)], OrderChange.CREATED),
        ([("on-hold", 0), ("processing", 60)], OrderChange.PAID),
        ([("processing", 0), ("cancelled", 60)], OrderChange.CANCELLED),
        ([("processing", 0), ("refunded", 60)], OrderChange.REFUNDED),
        ([("processing", 0), ("cancelled", 60), ("completed", 120)], OrderChange.PAID),
        ([("processing", 0), ("processing", 0)], OrderChange.SKIPPED),
        ([("processing", 60), ("cancelled", 0)], OrderChange.SKIPPED),  # stale
        ([("processing", 0), ("completed", 60)], OrderChange.CHANGED),  # paid already
    ],
)
def test_shop_snapshots_name_their_change(shop, steps, last):
    _, shop_row, _ = shop
    outcomes = [
        _ingest(shop_row, woo_order(7, status=status, quantity=2, modified=_later(at)))
        for status, at in steps
    ]
    assert outcomes[-1].change is last
    assert outcomes[-1].action == last.counted_as


def test_a_partial_refund_in_the_shop_is_refunded(shop):
    _, shop_row, _ = shop
    woo = woo_order(8, quantity=3)
    _ingest(shop_row, woo)
    refunds = [{"id": 9, "line_items": [{"product_id": 93, "variation_id": 0, "quantity": -1}]}]
    changed = {**woo, "refunds": [{"id": 9, "total": "-29.95"}]}
    outcome = _ingest(shop_row, changed, refunds)
    assert (outcome.change, outcome.action) == (OrderChange.REFUNDED, "changed")
    assert Order.get_by_id(outcome.order_id).status == OrderStatus.PROCESSING


def test_the_counted_words_are_the_documented_three():
    assert {c.counted_as for c in OrderChange} == {"new", "changed", "skipped"}
