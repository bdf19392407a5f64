"""Orders are attributed to affiliates when they are created, in their own transaction:
from the partner push's ``affiliate_code`` extension and from coupon lines (which win);
unknown codes never refuse an order and are counted unattributed."""

from __future__ import annotations

import pytest

from tests.factories import order_body
from tests.tp_api.affiliates.support import affiliate, attribution, push
from tp_api.models import AffiliateOrder, Event, Order, TicketType
from tp_api.services.actors import SYSTEM
from tp_api.services.affiliates import earnings, registry
from tp_api.services.errors import OutOfStock


@pytest.fixture
def ticket_type(factory, seller) -> TicketType:
    return factory.ticket_type(factory.event(seller, name="Harbour Drop", ticket_stock=50))


def test_a_pushed_code_attributes_the_order_at_the_rate_of_its_time(seller, ticket_type, factory):
    anna = affiliate(seller, rate=1250, code="anna")
    outcome = push(seller, ticket_type, wp_order_id="wc_1", affiliate_code="anna")
    row = attribution(outcome.order_id)
    assert (row.affiliate_id, row.code, row.source, row.rate_bps) == (anna.id, "anna", "code", 1250)
    assert row.event_id == ticket_type.event_id
    # A later rate applies to later orders only.
    registry.update_affiliate(
        seller.id, anna.id, registry.AffiliateChange(rate_bps=500), actor=SYSTEM
    )
    later = push(seller, ticket_type, wp_order_id="wc_2", affiliate_code="anna")
    assert attribution(later.order_id).rate_bps == 500
    assert attribution(outcome.order_id).rate_bps == 1250


def test_codes_are_compared_in_lower_case_and_trimmed(seller, ticket_type):
    anna = affiliate(seller, code="Anna-Rijs")
    assert anna.code == "anna-rijs"
    outcome = push(seller, ticket_type, wp_order_id="wc_1", affiliate_code="  ANNA-rijs ")
    assert attribution(outcome.order_id).affiliate_id == anna.id


def test_an_affiliates_coupon_wins_over_the_pushed_code(seller, ticket_type):
    anna, bram = affiliate(seller, code="anna"), affiliate(seller, "Bram", code="bram")
    outcome = push(
        seller, ticket_type, wp_order_id="wc_1", affiliate_code="anna", coupons=("SUMMER", "BRAM")
    )
    row = attribution(outcome.order_id)
    assert (row.affiliate_id, row.source, row.code) == (bram.id, "coupon", "bram")
    # A coupon that is no affiliate's is an ordinary discount: the pushed code counts.
    other = push(
        seller, ticket_type, wp_order_id="wc_2", affiliate_code="anna", coupons=("summer",)
    )
    assert (attribution(other.order_id).affiliate_id, attribution(other.order_id).source) == (
        anna.id,
        "code",
    )


def test_an_ordinary_coupon_alone_records_nothing(seller, ticket_type):
    affiliate(seller, code="anna")
    outcome = push(seller, ticket_type, wp_order_id="wc_1", coupons=("summer10",))
    assert attribution(outcome.order_id) is None
    assert earnings.unattributed_orders(seller.id) == 0


def test_an_unknown_code_never_refuses_the_order_and_is_counted(client, seller, ticket_type):
    affiliate(seller, code="anna")
    body = order_body(ticket_type.id, wp_order_id="wc_9", affiliate_code="nobody-we-know")
    response = client.post(f"/tp-api/orders/create?key={seller.key}", json=body)
    assert (response.status_code, response.get_data(as_text=True)) == (200, "Order created")
    order = Order.get(Order.wp_order_id == "9")
    row = attribution(order.id)
    assert (row.affiliate_id, row.code, row.rate_bps) == (None, "nobody-we-know", 0)
    assert earnings.unattributed_orders(seller.id) == 1


def test_a_disabled_affiliates_code_is_recorded_unattributed(seller, ticket_type):
    anna = affiliate(seller, code="anna")
    registry.update_affiliate(
        seller.id, anna.id, registry.AffiliateChange(enabled=False), actor=SYSTEM
    )
    coupon = push(seller, ticket_type, wp_order_id="wc_1", coupons=("anna",))
    assert attribution(coupon.order_id) is None  # a coupon of nobody's: a discount
    pushed = push(seller, ticket_type, wp_order_id="wc_2", affiliate_code="anna")
    assert attribution(pushed.order_id).affiliate_id is None
    assert earnings.unattributed_orders(seller.id) == 1


def test_another_accounts_affiliate_is_unknown_here(factory, seller, ticket_type):
    affiliate(factory.seller(), code="anna")
    outcome = push(seller, ticket_type, wp_order_id="wc_1", affiliate_code="anna")
    assert attribution(outcome.order_id).affiliate_id is None


def test_a_repeated_push_keeps_the_first_attribution(seller, ticket_type):
    anna, bram = affiliate(seller, code="anna"), affiliate(seller, "Bram", code="bram")
    first = push(seller, ticket_type, wp_order_id="wc_1", affiliate_code="anna", paid=False)
    again = push(seller, ticket_type, wp_order_id="wc_1", affiliate_code="bram")
    assert again.order_id == first.order_id and again.status == "processing"
    assert AffiliateOrder.select().count() == 1
    assert attribution(first.order_id).affiliate_id == anna.id != bram.id


def test_a_refused_order_leaves_no_attribution(factory, seller):
    ticket_type = factory.ticket_type(factory.event(seller, ticket_stock=1))
    affiliate(seller, code="anna")
    with pytest.raises(OutOfStock):
        push(seller, ticket_type, quantity=2, wp_order_id="wc_1", affiliate_code="anna")
    assert AffiliateOrder.select().count() == 0


def test_an_order_for_a_date_counts_under_its_event(factory, seller):
    event = factory.event(
        seller,
        name="Festival",
        children=[{"name": "Day 1", "stock": 10, "tickets": [{"name": "Day", "stock": 10}]}],
    )
    day = Event.get(Event.parent == event.id)
    day_type = TicketType.get(TicketType.event == day.id)
    affiliate(seller, code="anna")
    outcome = push(seller, day_type, wp_order_id="wc_1", affiliate_code="anna")
    assert attribution(outcome.order_id).event_id == event.id


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("x" * 101, "affiliate_code is longer than 100 characters"),
        (["anna"], "affiliate_code must be a string"),
        ("an\nna", "affiliate_code must not contain control characters"),
    ],
)
def test_a_malformed_code_is_a_plain_400_like_any_field(
    client, seller, ticket_type, value, message
):
    body = order_body(ticket_type.id, wp_order_id="wc_1", affiliate_code=value)
    response = client.post(f"/tp-api/orders/create?key={seller.key}", json=body)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert Order.select().count() == 0
