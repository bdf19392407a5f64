"""The sync jobs (pull, push, reconcile, refresh, the daemon's jobs) run unchanged on a
second platform: an in-memory shop behind the same ShopAdapter protocol."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from sync import shop_handlers
from sync.jobs import pull_orders, push_stock
from sync.reconcile import reconcile
from tests.sync.memory_shop import MemoryShop, Sale
from tp_api.db import write_transaction
from tp_api.models import Order, OrderStatus, OutboxEntry, Shop, Ticket, TicketStatus, TicketType
from tp_api.services.delivery import outbox
from tp_api.services.orders.ingest import ingest_shop_order
from tp_api.services.orders.outcomes import OrderChange
from tp_api.services.shops import connections

T0 = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
PRODUCT = 93  # the factory's shop maps product 93 to its ticket type


@pytest.fixture
def setup(factory):
    _, shop, ticket_type = factory.shop(stock=20)
    return shop, ticket_type, MemoryShop()


def _live(order: Order) -> int:
    query = Ticket.select().where(Ticket.order == order.id, Ticket.status != TicketStatus.CANCELLED)
    return query.count()


def test_pull_ingests_new_orders_once_and_then_their_changes(setup):
    shop, ticket_type, memory = setup
    memory.put(Sale(1, "paid", T0, {PRODUCT: 2}))
    memory.put(Sale(2, "open", T0 + timedelta(seconds=5), {PRODUCT: 3, 555: 1}))
    run = pull_orders(shop, memory)
    assert (run.orders_new, run.orders_changed, run.errors) == (2, 0, 1)  # 555 is unmapped
    assert "unmapped product 555" in run.error_text
    fresh = TicketType.get_by_id(ticket_type.id)
    assert (fresh.sold, fresh.reserved) == (2, 3)

    memory.put(Sale(2, "paid", T0 + timedelta(minutes=1), {PRODUCT: 3, 555: 1}))
    memory.put(Sale(1, "paid", T0 + timedelta(minutes=1), {PRODUCT: 2}, refunded={PRODUCT: 1}))
    again = pull_orders(Shop.get_by_id(shop.id), memory)
    assert (again.orders_new, again.orders_changed) == (0, 2)
    assert _live(Order.get(Order.wp_order_id == "1")) == 1
    assert _live(Order.get(Order.wp_order_id == "2")) == 3
    fresh = TicketType.get_by_id(ticket_type.id)
    assert (fresh.sold, fresh.reserved) == (4, 0)


def test_push_writes_what_is_left_and_only_changes(setup):
    shop, _, memory = setup
    memory.stock[(PRODUCT, 0)] = 99
    memory.put(Sale(1, "paid", T0, {PRODUCT: 5}))
    pull_orders(shop, memory)
    run = push_stock(Shop.get_by_id(shop.id), memory)
    assert (run.stock_writes, memory.stock[(PRODUCT, 0)]) == (1, 15)
    assert push_stock(Shop.get_by_id(shop.id), memory).stock_writes == 0


def test_a_shop_that_is_down_stops_the_run_and_says_so(setup):
    shop, _, memory = setup
    memory.down = True
    run = pull_orders(shop, memory)
    assert run.errors == 1 and "in-memory shop is down" in run.error_text
    assert Order.select().count() == 0


def test_reconcile_finds_and_fixes_what_the_pull_missed(setup):
    shop, ticket_type, memory = setup
    memory.put(Sale(1, "paid", T0, {PRODUCT: 2}))
    memory.hooks.append({"id": 4, "status": "disabled", "delivery_url": "https://us/hook"})
    report = reconcile(shop, memory, webhook_url="https://us/hook")
    assert (report.missing_here, report.webhooks_inactive, report.clean) == ([1], [4], False)
    fixed = reconcile(shop, memory, fix=True, webhook_url="https://us/hook")
    assert fixed.fixed and memory.hooks[0]["status"] == "active"
    assert TicketType.get_by_id(ticket_type.id).sold == 2
    assert memory.stock[(PRODUCT, 0)] == 18
    assert reconcile(shop, memory, webhook_url="https://us/hook").clean


def test_refresh_reads_one_order_and_a_deleted_one_is_cancelled(setup):
    shop, _, memory = setup
    memory.put(Sale(7, "paid", T0, {PRODUCT: 1}))
    refresh = shop_handlers.refresh_handler(lambda _shop: memory, hold_seconds=900)
    with write_transaction():
        outbox.enqueue(outbox.REFRESH_SHOP_ORDER, {"shop_id": shop.id, "order_id": 7})
    job = OutboxEntry.get(OutboxEntry.kind == outbox.REFRESH_SHOP_ORDER)
    refresh(job)
    order = Order.get(Order.wp_order_id == "7")
    assert order.status == OrderStatus.PROCESSING and _live(order) == 1
    del memory.sales[7]
    refresh(job)
    assert Order.get_by_id(order.id).status == OrderStatus.CANCELLED


def test_the_daemons_jobs_reach_the_adapter_they_are_given(setup):
    shop, ticket_type, memory = setup
    memory.put(Sale(1, "paid", T0, {PRODUCT: 1}))
    reached: list[int] = []

    def adapter_for(target: Shop) -> MemoryShop:
        reached.append(target.id)
        return memory

    jobs = shop_handlers.shop_jobs(adapter_for, 900, lambda target: "https://us/hook")
    jobs.pull_orders(shop)
    jobs.push_stock(Shop.get_by_id(shop.id))
    jobs.reconcile(Shop.get_by_id(shop.id))
    assert reached == [shop.id] * 3
    assert TicketType.get_by_id(ticket_type.id).sold == 1
    assert memory.stock[(PRODUCT, 0)] == 19


def test_ingest_outcomes_from_this_platform_are_typed(setup):
    shop, _, memory = setup
    memory.put(Sale(3, "open", T0, {PRODUCT: 1}))
    snapshot = memory.get_order_snapshot(3, connections.mappings(shop.id))
    assert ingest_shop_order(shop.id, shop.account_id, snapshot).change is OrderChange.CREATED
    memory.put(Sale(3, "void", T0 + timedelta(seconds=1), {PRODUCT: 1}))
    snapshot = memory.get_order_snapshot(3, connections.mappings(shop.id))
    assert ingest_shop_order(shop.id, shop.account_id, snapshot).change is OrderChange.CANCELLED
