"""Shop orders into our store, exactly once, with status changes in any direction."""

from __future__ import annotations

import pytest

from bridge.adapters.mapping import snapshot_from_woo
from tests.factories import order_body
from tests.fake_woo import woo_order
from tests.fixtures import woo_fixture
from tp_api.models import Order, OrderLine, OrderStatus, ShopOrder, Ticket, TicketStatus, TicketType
from tp_api.services.credentials.secret_box import SecretBox
from tp_api.services.orders import submit as orders
from tp_api.services.orders.ingest import ingest_shop_order
from tp_api.services.orders.order_input import parse_partner_order
from tp_api.services.shops import connections as shops

BOX = SecretBox(["test-secret"])


@pytest.fixture
def shop(factory):
    return factory.shop(stock=10)


def ingest(shop_row, woo, refunds=None):
    snapshot = snapshot_from_woo(woo, shops.mappings(shop_row.id), refunds)
    return ingest_shop_order(shop_row.id, shop_row.account_id, snapshot)


def live(order_id):
    return (
        Ticket.select()
        .where(Ticket.order == order_id, Ticket.status != TicketStatus.CANCELLED)
        .count()
    )


def test_documented_order_maps_exactly(shop):
    _, shop_row, ticket_type = shop
    woo = woo_fixture("woo_order_727")
    outcome = ingest(shop_row, woo)
    assert outcome.action == "new"
    assert outcome.problems == ["unmapped product 22/23"]
    order = Order.get_by_id(outcome.order_id)
    assert (order.wp_order_id, order.wp_user_id, order.total_cents) == ("727", 0, 2935)
    assert order.billing_postal_code == "94103" and order.billing_address == "969 Market"
    assert order.date_paid.isoformat() == "2017-03-22T19:28:08+00:00"
    lines = {(l.order_item_type, l.name): l for l in OrderLine.select()}  # noqa: E741
    assert lines[("line_item", "Woo Single #1")].ticket_type_id == ticket_type.id
    assert lines[("line_item", "Woo Single #1")].unit_price_cents == 300
    assert lines[("shipping", "Flat Rate")].unit_price_cents == 1000
    assert live(order.id) == 2
    assert ShopOrder.get().problem == "unmapped product 22/23"


def test_duplicates_and_stale_snapshots_change_nothing(shop):
    _, shop_row, ticket_type = shop
    woo = woo_order(1, quantity=2)
    assert ingest(shop_row, woo).action == "new"
    assert ingest(shop_row, woo).action == "skipped"
    older = {**woo, "status": "cancelled", "date_modified_gmt": "2020-01-01T00:00:00"}
    assert ingest(shop_row, older).action == "skipped"
    assert Order.select().count() == 1 and live(Order.get().id) == 2
    assert TicketType.get_by_id(ticket_type.id).sold == 2


def test_a_partner_push_and_the_shop_order_are_one_order(shop):
    seller, shop_row, ticket_type = shop
    body = order_body(ticket_type.id, quantity=2, wp_order_id="1", paid=False)
    orders.submit_order(seller.id, parse_partner_order(body))
    outcome = ingest(shop_row, woo_order(1, quantity=2))
    assert outcome.action == "changed"
    assert Order.select().count() == 1
    assert Order.get().status == OrderStatus.PROCESSING and live(Order.get().id) == 2
    fresh = TicketType.get_by_id(ticket_type.id)
    assert (fresh.sold, fresh.reserved) == (2, 0)


def test_pending_reserves_then_paid_issues(shop):
    _, shop_row, ticket_type = shop
    ingest(shop_row, woo_order(1, status="on-hold", quantity=3))
    assert (TicketType.get_by_id(ticket_type.id).reserved, Ticket.select().count()) == (3, 0)
    ingest(shop_row, woo_order(1, status="processing", quantity=3, modified=_later(60)))
    fresh = TicketType.get_by_id(ticket_type.id)
    assert (fresh.sold, fresh.reserved, live(Order.get().id)) == (3, 0, 3)


def test_cancel_then_late_payment_then_refund(shop):
    _, shop_row, ticket_type = shop
    ingest(shop_row, woo_order(1, quantity=2))
    ingest(shop_row, woo_order(1, status="cancelled", quantity=2, modified=_later(60)))
    order = Order.get()
    assert order.status == OrderStatus.CANCELLED and live(order.id) == 0
    assert TicketType.get_by_id(ticket_type.id).sold == 0
    ingest(shop_row, woo_order(1, status="processing", quantity=2, modified=_later(120)))
    assert Order.get().status == OrderStatus.PROCESSING and live(order.id) == 2
    assert TicketType.get_by_id(ticket_type.id).sold == 2
    ingest(shop_row, woo_order(1, status="refunded", quantity=2, modified=_later(180)))
    assert Order.get().status == OrderStatus.REFUNDED and live(order.id) == 0
    assert TicketType.get_by_id(ticket_type.id).sold == 0


def test_late_payment_without_stock_is_reported_not_oversold(shop, factory):
    seller, shop_row, ticket_type = shop
    ingest(shop_row, woo_order(1, quantity=2))
    ingest(shop_row, woo_order(1, status="cancelled", quantity=2, modified=_later(60)))
    factory.order(seller, ticket_type, quantity=10)  # someone else buys everything
    outcome = ingest(shop_row, woo_order(1, status="processing", quantity=2, modified=_later(120)))
    assert any("Not enough tickets left" in p for p in outcome.problems)
    assert TicketType.get_by_id(ticket_type.id).sold == 10
    assert Order.get(Order.wp_order_id == "1").status == OrderStatus.CANCELLED
    assert "Not enough tickets left" in ShopOrder.get().problem


def test_partial_refund_cancels_unpersonalised_tickets_first(shop, factory):
    seller, shop_row, ticket_type = shop
    woo = woo_order(1, quantity=3)
    outcome = ingest(shop_row, woo)
    first = Ticket.select().where(Ticket.order == outcome.order_id).order_by(Ticket.id).first()
    Ticket.update(status=TicketStatus.ACTIVE).where(Ticket.id == first.id).execute()
    refunds = [{"id": 9, "line_items": [{"product_id": 93, "variation_id": 0, "quantity": -2}]}]
    ingest(shop_row, {**woo, "refunds": [{"id": 9, "total": "-59.90"}]}, refunds)
    statuses = sorted(t.status for t in Ticket.select())
    assert statuses == [TicketStatus.ACTIVE, TicketStatus.CANCELLED, TicketStatus.CANCELLED]
    assert Order.get().status == OrderStatus.PROCESSING
    assert TicketType.get_by_id(ticket_type.id).sold == 1


def test_scanned_tickets_are_reported_never_cancelled(shop):
    _, shop_row, _ = shop
    outcome = ingest(shop_row, woo_order(1, quantity=1))
    Ticket.update(status=TicketStatus.SCANNED_IN).execute()
    result = ingest(shop_row, woo_order(1, status="cancelled", modified=_later(60)))
    assert Ticket.get().status == TicketStatus.SCANNED_IN
    assert any("already been scanned" in p for p in result.problems)
    assert outcome.order_id == result.order_id


def test_unpaid_closed_or_unmapped_orders_create_nothing(shop):
    _, shop_row, _ = shop
    ingest(shop_row, woo_order(1, status="cancelled"))
    ingest(shop_row, woo_order(2, product_id=999))
    ingest(shop_row, woo_order(3, status="checkout-draft"))
    assert Order.select().count() == 0
    assert ShopOrder.select().count() == 3


def _later(seconds):
    from datetime import timedelta

    from tests.fake_woo import EPOCH

    return EPOCH + timedelta(seconds=seconds)


def test_the_sku_convention_maps_without_an_explicit_mapping(shop, factory):
    seller, shop_row, _ = shop
    other_type = factory.ticket_type(factory.event(seller, ticket_stock=5))
    woo = woo_order(1, product_id=555)
    woo["line_items"][0]["sku"] = f"tp-{other_type.id}"
    outcome = ingest(shop_row, woo)
    assert outcome.problems == []
    assert Ticket.get().ticket_type_id == other_type.id


def test_a_sku_naming_another_accounts_ticket_type_is_reported(shop, factory):
    _, shop_row, _ = shop
    stranger = factory.seller()
    foreign = factory.ticket_type(factory.event(stranger))
    woo = woo_order(1, product_id=555)
    woo["line_items"][0]["sku"] = f"tp-{foreign.id}"
    outcome = ingest(shop_row, woo)
    assert any(f"Ticket type {foreign.id} not found" in p for p in outcome.problems)
    assert Order.select().count() == 0


def test_a_prefixed_partner_push_is_the_same_shop_order(shop):
    seller, shop_row, ticket_type = shop
    body = order_body(ticket_type.id, quantity=1, wp_order_id="wc_1", paid=False)
    orders.submit_order(seller.id, parse_partner_order(body))
    ingest(shop_row, woo_order(1))
    assert Order.select().count() == 1 and Order.get().status == OrderStatus.PROCESSING


def test_a_prefixed_partner_push_after_the_shop_order_is_the_same_order(shop):
    seller, shop_row, ticket_type = shop
    ingest(shop_row, woo_order(1))
    body = order_body(ticket_type.id, quantity=1, wp_order_id="wc_1")
    orders.submit_order(seller.id, parse_partner_order(body))
    assert Order.select().count() == 1
    assert TicketType.get_by_id(ticket_type.id).sold == 1


def test_refunds_of_sku_mapped_products_are_applied(shop, factory):
    seller, shop_row, _ = shop
    tier = factory.ticket_type(factory.event(seller, ticket_stock=5))
    woo = woo_order(1, product_id=555, quantity=3)
    woo["line_items"][0]["sku"] = f"tp-{tier.id}"
    ingest(shop_row, woo)
    refunds = [
        {
            "id": 9,
            "line_items": [
                {"product_id": 555, "variation_id": 0, "sku": f"tp-{tier.id}", "quantity": -1}
            ],
        }
    ]
    ingest(shop_row, {**woo, "refunds": [{"id": 9, "total": "-29.95"}]}, refunds)
    assert live(Order.get().id) == 2


def test_a_refused_late_payment_is_tried_again_when_stock_frees_up(shop, factory):
    seller, shop_row, ticket_type = shop
    ingest(shop_row, woo_order(1, quantity=2))
    ingest(shop_row, woo_order(1, status="cancelled", quantity=2, modified=_later(60)))
    blocker = factory.order(seller, ticket_type, quantity=10)
    late = woo_order(1, status="processing", quantity=2, modified=_later(120))
    assert ingest(shop_row, late).problems
    from tp_api.services.orders import cancellation

    with __import__("tp_api.db", fromlist=["x"]).write_transaction():
        cancellation.cancel_order(Order.get_by_id(blocker.order_id), status="cancelled")
    again = ingest(shop_row, late)
    assert again.problems == [] and Order.get(Order.wp_order_id == "1").status == "processing"


def test_late_payment_after_a_partial_refund_needs_only_the_unrefunded_units(shop, factory):
    seller, shop_row, ticket_type = shop
    woo = woo_order(1, quantity=3)
    ingest(shop_row, woo)
    refunds = [{"id": 9, "line_items": [{"product_id": 93, "variation_id": 0, "quantity": -1}]}]
    refunded = {**woo, "refunds": [{"id": 9, "total": "-29.95"}]}
    ingest(
        shop_row,
        {**refunded, "status": "cancelled", "date_modified_gmt": "2026-05-01T12:01:00"},
        refunds,
    )
    factory.order(seller, ticket_type, quantity=8)  # 2 left
    outcome = ingest(shop_row, {**refunded, "date_modified_gmt": "2026-05-01T12:02:00"}, refunds)
    assert outcome.problems == []
    assert live(Order.get(Order.wp_order_id == "1").id) == 2


def test_a_product_mapped_later_is_reported_on_an_existing_order(shop):
    _, shop_row, ticket_type = shop
    woo = woo_order(1, quantity=1)
    woo["line_items"].append(
        {"id": 2, "name": "Extra", "product_id": 777, "variation_id": 0, "quantity": 2, "price": 5}
    )
    ingest(shop_row, woo)
    shops.map_product(shop_row, product_id=777, ticket_type_id=ticket_type.id)
    outcome = ingest(shop_row, woo)
    assert any("ticket lines differ" in p for p in outcome.problems)


def test_a_held_shop_order_lapses_after_the_given_seconds(shop, factory, time_machine):
    owner, shop_row, ticket_type = shop
    time_machine.move_to("2026-06-01T10:00:00Z", tick=False)
    snapshot = snapshot_from_woo(
        woo_order(1, status="on-hold", quantity=10), shops.mappings(shop_row.id)
    )
    ingest_shop_order(shop_row.id, shop_row.account_id, snapshot, hold_seconds=300)
    assert TicketType.get_by_id(ticket_type.id).reserved == 10
    time_machine.shift(300)
    # With no worker: the next order finds the lapsed hold free.
    taken = orders.submit_order(
        owner.id, parse_partner_order(order_body(ticket_type.id, quantity=10, wp_order_id="wc_9"))
    )
    assert Order.get_by_id(taken.order_id).is_paid
    assert Order.get(Order.wp_order_id == "1").status == OrderStatus.EXPIRED
