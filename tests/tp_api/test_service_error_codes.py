"""The domain's refusals carry the stable codes the APIs render: checked here on the services
themselves, so that a failure names the service and the code, not only an HTTP status."""

from __future__ import annotations

import pytest

from tp_api.models import Ticket, TicketStatus
from tp_api.services.credentials import admin_keys
from tp_api.services.errors import Conflict, Forbidden, InvalidInput, NotFound, OutOfStock
from tp_api.services.orders import refunds, submit
from tp_api.services.orders.order_input import OrderInput, OrderLineInput
from tp_api.services.orders.refunds import RefundRequest


@pytest.fixture
def shop(factory):
    seller = factory.seller()
    return seller, factory.ticket_type(factory.event(seller, ticket_stock=3))


def _line(ticket_type_id: int, quantity: int) -> OrderLineInput:
    return OrderLineInput(
        name="GA",
        quantity=quantity,
        product_id=1,
        order_item_type="line_item",
        unit_price_cents=2500,
        ticket_type_id=ticket_type_id,
    )


def test_a_push_for_more_than_is_left_is_out_of_stock_and_takes_nothing(shop):
    seller, ticket_type = shop
    order = OrderInput(wp_order_id="1", lines=(_line(ticket_type.id, 4),))
    with pytest.raises(OutOfStock) as refused:
        submit.submit_order(seller.id, order)
    assert refused.value.code == "out_of_stock"
    assert Ticket.select().count() == 0


def test_an_order_without_lines_and_an_unknown_order_number_are_not_found(shop):
    seller, _ = shop
    with pytest.raises(NotFound) as no_lines:
        submit.submit_order(seller.id, OrderInput(wp_order_id="2"))
    assert no_lines.value.code == "order_lines_missing"
    with pytest.raises(NotFound) as unknown:
        submit.submit_order(seller.id, OrderInput(tp_order_id=999_999_999_999))
    assert unknown.value.code == "order_not_found"


def test_another_accounts_order_is_forbidden(shop, factory):
    seller, ticket_type = shop
    outcome = factory.order(seller, ticket_type, paid=False)
    other = factory.seller()
    with pytest.raises(Forbidden) as refused:
        submit.submit_order(other.id, OrderInput(tp_order_id=outcome.number))
    assert refused.value.code == "order_forbidden"


def test_refusals_of_a_refund_name_why(shop, factory):
    seller, ticket_type = shop
    unpaid = factory.order(seller, ticket_type, paid=False)
    with pytest.raises(Conflict) as not_paid:
        refunds.refund_order(seller.id, unpaid.number, RefundRequest())
    assert not_paid.value.code == "order_not_refundable"

    paid = factory.order(seller, ticket_type, quantity=2)
    with pytest.raises(Conflict) as changed:
        refunds.refund_order(seller.id, paid.number, RefundRequest(expected_refunds=1))
    assert changed.value.code == "order_changed"

    Ticket.update(status=TicketStatus.SCANNED_IN).where(Ticket.order == paid.order_id).execute()
    with pytest.raises(Conflict) as used:
        refunds.refund_order(seller.id, paid.number, RefundRequest(line_numbers={1: 1}))
    assert used.value.code == "tickets_already_used"


def test_an_unknown_scope_is_invalid_input(shop):
    seller, _ = shop
    with pytest.raises(InvalidInput) as refused:
        admin_keys.create_api_key(seller.id, scopes=["orders:read", "orders:delete"])
    assert refused.value.code == "unknown_scope"
