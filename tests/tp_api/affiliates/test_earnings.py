"""Earnings are computed in SQL over the paid attributed orders: revenue less refunds, per
currency, and per order a commission of revenue x the order's rate, rounded half up."""

from __future__ import annotations

import pytest

from tests.tp_api.affiliates.support import affiliate, push
from tp_api.models import TicketType
from tp_api.services.affiliates import earnings
from tp_api.services.affiliates.earnings import Earnings


@pytest.fixture
def ticket_type(factory, seller) -> TicketType:
    return factory.ticket_type(factory.event(seller, name="Harbour Drop", ticket_stock=100))


def figures(seller, affiliate_id) -> list[Earnings]:
    return earnings.by_affiliate(seller.id, [affiliate_id]).get(affiliate_id, [])


def test_commission_is_rounded_half_up_per_order(seller, ticket_type):
    anna = affiliate(seller, rate=1250, code="anna")
    # 2995 x 12.5 % = 374.375 -> 374, twice: 748 (not 749, the rounded sum of 5990 x 12.5 %).
    push(seller, ticket_type, wp_order_id="wc_1", affiliate_code="anna")
    push(seller, ticket_type, wp_order_id="wc_2", affiliate_code="anna")
    assert figures(seller, anna.id) == [Earnings("EUR", 2, 5990, 748)]
    # 2996 x 12.5 % = 374.5 -> 375.
    push(seller, ticket_type, wp_order_id="wc_3", affiliate_code="anna", order_total=29.96)
    assert figures(seller, anna.id) == [Earnings("EUR", 3, 8986, 748 + 375)]


def test_only_paid_orders_count(api, seller, ticket_type):
    anna = affiliate(seller, code="anna")
    push(seller, ticket_type, wp_order_id="wc_1", affiliate_code="anna", paid=False)
    assert figures(seller, anna.id) == []
    cancelled = push(seller, ticket_type, wp_order_id="wc_2", affiliate_code="anna", paid=False)
    assert api.post(f"/orders/{cancelled.number}/cancel").status_code == 200
    paid = push(seller, ticket_type, wp_order_id="wc_3", affiliate_code="anna")
    assert figures(seller, anna.id) == [Earnings("EUR", 1, 2995, 300)]
    # Paying the first order counts it from then on.
    push(seller, ticket_type, wp_order_id="wc_1", affiliate_code="anna")
    assert figures(seller, anna.id) == [Earnings("EUR", 2, 5990, 600)]
    assert paid.status == "processing"


def test_refunds_reduce_revenue_and_commission(api, seller, ticket_type):
    anna = affiliate(seller, rate=1000, code="anna")
    two = push(seller, ticket_type, quantity=2, wp_order_id="wc_1", affiliate_code="anna")
    one = push(seller, ticket_type, wp_order_id="wc_2", affiliate_code="anna")
    assert figures(seller, anna.id) == [Earnings("EUR", 2, 8985, 599 + 300)]
    partial = api.post(f"/orders/{two.number}/refund", {"lines": [{"lineId": 1, "quantity": 1}]})
    assert partial.status_code == 200, partial.get_data(as_text=True)
    # 2995 left of the first order: 299.5 -> 300.
    assert figures(seller, anna.id) == [Earnings("EUR", 2, 5990, 300 + 300)]
    full = api.post(f"/orders/{one.number}/refund", {})
    assert full.status_code == 200, full.get_data(as_text=True)
    assert figures(seller, anna.id) == [Earnings("EUR", 1, 2995, 300)]


def test_currencies_are_summed_apart(seller, ticket_type):
    anna = affiliate(seller, rate=1000, code="anna")
    push(seller, ticket_type, wp_order_id="wc_1", affiliate_code="anna")
    push(seller, ticket_type, wp_order_id="wc_2", affiliate_code="anna", currency="USD")
    push(seller, ticket_type, wp_order_id="wc_3", affiliate_code="anna", currency="USD")
    assert figures(seller, anna.id) == [
        Earnings("EUR", 1, 2995, 300),
        Earnings("USD", 2, 5990, 600),
    ]


def test_each_affiliate_and_each_link_has_its_own_figures(factory, seller, ticket_type):
    other_type = factory.ticket_type(factory.event(seller, name="Dune Night"))
    anna = affiliate(seller, rate=1000, code="anna")
    bram = affiliate(seller, "Bram", rate=2000, code="bram")
    push(seller, ticket_type, wp_order_id="wc_1", affiliate_code="anna")
    push(seller, other_type, quantity=3, wp_order_id="wc_2", affiliate_code="anna")
    push(seller, ticket_type, wp_order_id="wc_3", affiliate_code="bram")
    push(seller, ticket_type, wp_order_id="wc_4", affiliate_code="stranger")
    assert earnings.by_affiliate(seller.id, [anna.id, bram.id]) == {
        anna.id: [Earnings("EUR", 2, 11980, 300 + 899)],
        bram.id: [Earnings("EUR", 1, 2995, 599)],
    }
    assert earnings.by_event(anna.id) == {
        ticket_type.event_id: [Earnings("EUR", 1, 2995, 300)],
        other_type.event_id: [Earnings("EUR", 1, 8985, 899)],
    }
    assert earnings.unattributed_orders(seller.id) == 1
    # Another account asking for these ids sees nothing.
    assert earnings.by_affiliate(factory.seller().id, [anna.id]) == {}
