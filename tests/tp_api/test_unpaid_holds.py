"""Unpaid orders' stock holds lapse (TP_UNPAID_HOLD_SECONDS), with no worker running."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.factories import order_body
from tp_api.db import database, write_transaction
from tp_api.models import Order, OrderStatus, Ticket, TicketType
from tp_api.services.errors import OutOfStock
from tp_api.services.orders import cancellation, holds, submit
from tp_api.services.orders.order_input import parse_partner_order

START = "2026-06-01T10:00:00Z"
HOUR = 3600


def post_order(client, key, body):
    return client.post(f"/tp-api/orders/create?key={key}", json=body)


@pytest.fixture
def two_left(factory):
    seller = factory.seller()
    event = factory.event(seller, stock=500, ticket_stock=2)
    return seller, factory.ticket_type(event)


def unpaid(seller, ticket_type, wp_order_id, quantity=2):
    body = order_body(ticket_type.id, quantity=quantity, paid=False, wp_order_id=wp_order_id)
    return submit.submit_order(seller.id, parse_partner_order(body))


def paid(seller, ticket_type, wp_order_id, quantity=2):
    body = order_body(ticket_type.id, quantity=quantity, paid=True, wp_order_id=wp_order_id)
    return submit.submit_order(seller.id, parse_partner_order(body))


def counters(ticket_type):
    fresh = TicketType.get_by_id(ticket_type.id)
    return fresh.sold, fresh.reserved


def test_a_held_unit_is_not_for_sale_until_the_hold_lapses(two_left, time_machine):
    seller, ticket_type = two_left
    time_machine.move_to(START, tick=False)
    held = unpaid(seller, ticket_type, "wc_1")
    time_machine.shift(HOUR - 1)
    with pytest.raises(OutOfStock):
        paid(seller, ticket_type, "wc_2")
    assert Order.get_by_id(held.order_id).status == OrderStatus.PENDING
    assert counters(ticket_type) == (0, 2)


def test_a_lapsed_hold_is_free_for_the_next_order_without_a_worker(two_left, time_machine):
    seller, ticket_type = two_left
    time_machine.move_to(START, tick=False)
    held = unpaid(seller, ticket_type, "wc_1")
    time_machine.shift(HOUR)
    paid(seller, ticket_type, "wc_2")
    assert Order.get_by_id(held.order_id).status == OrderStatus.EXPIRED
    assert Order.get_by_id(held.order_id).hold_expires_at is None
    assert counters(ticket_type) == (2, 0)


def test_the_hold_follows_the_configured_seconds(two_left, time_machine):
    seller, ticket_type = two_left
    time_machine.move_to(START, tick=False)
    body = order_body(ticket_type.id, quantity=2, paid=False, wp_order_id="wc_1")
    submit.submit_order(seller.id, parse_partner_order(body), hold_seconds=120)
    time_machine.shift(120)
    paid(seller, ticket_type, "wc_2")
    assert counters(ticket_type) == (2, 0)


def test_the_sweep_releases_lapsed_holds_only(factory, time_machine):
    seller = factory.seller()
    ticket_type = factory.ticket_type(factory.event(seller, ticket_stock=10))
    time_machine.move_to(START, tick=False)
    old = unpaid(seller, ticket_type, "wc_old", quantity=3)
    time_machine.shift(HOUR // 2)
    young = unpaid(seller, ticket_type, "wc_young", quantity=4)
    time_machine.shift(HOUR // 2)
    assert holds.sweep() == 1
    assert counters(ticket_type) == (0, 4)
    assert Order.get_by_id(old.order_id).status == OrderStatus.EXPIRED
    assert Order.get_by_id(young.order_id).status == OrderStatus.PENDING
    assert holds.sweep() == 0
    assert counters(ticket_type) == (0, 4)


def test_paid_push_after_expiry_takes_the_units_again(client, two_left, time_machine):
    seller, ticket_type = two_left
    time_machine.move_to(START, tick=False)
    body = order_body(ticket_type.id, quantity=2, paid=False, wp_order_id="wc_1")
    assert post_order(client, seller.key, body).status_code == 200
    time_machine.shift(HOUR)
    holds.sweep()
    assert counters(ticket_type) == (0, 0)
    response = post_order(client, seller.key, {**body, "date_paid": "2026-06-01T11:00:00Z"})
    assert response.status_code == 200
    order = Order.get(Order.wp_order_id == "1")
    assert order.status == OrderStatus.PROCESSING
    assert Ticket.select().where(Ticket.order == order.id).count() == 2
    assert counters(ticket_type) == (2, 0)


def test_paid_push_after_expiry_is_refused_when_the_units_are_gone(client, two_left, time_machine):
    seller, ticket_type = two_left
    time_machine.move_to(START, tick=False)
    body = order_body(ticket_type.id, quantity=2, paid=False, wp_order_id="wc_1")
    assert post_order(client, seller.key, body).status_code == 200
    time_machine.shift(HOUR)
    paid(seller, ticket_type, "wc_2")
    response = post_order(client, seller.key, {**body, "date_paid": "2026-06-01T11:00:00Z"})
    assert response.status_code == 409
    assert response.mimetype == "text/plain"
    assert response.get_data(as_text=True) == (
        f"Not enough tickets left for {ticket_type.name} (ticket type {ticket_type.id}): "
        "2 requested, 0 available"
    )
    order = Order.get(Order.wp_order_id == "1")
    assert order.status == OrderStatus.EXPIRED
    assert Ticket.select().where(Ticket.order == order.id).count() == 0
    assert counters(ticket_type) == (2, 0)


def test_paying_a_lapsed_hold_not_yet_released_keeps_its_units(two_left, time_machine):
    seller, ticket_type = two_left
    time_machine.move_to(START, tick=False)
    unpaid(seller, ticket_type, "wc_1")
    time_machine.shift(2 * HOUR)
    outcome = paid(seller, ticket_type, "wc_1")
    assert outcome.status == OrderStatus.PROCESSING
    assert outcome.tickets_issued == 2
    assert counters(ticket_type) == (2, 0)


def test_cancelling_an_expired_order_releases_nothing_twice(two_left, time_machine):
    seller, ticket_type = two_left
    time_machine.move_to(START, tick=False)
    held = unpaid(seller, ticket_type, "wc_1")
    time_machine.shift(HOUR)
    holds.sweep()
    unpaid(seller, ticket_type, "wc_2")
    with write_transaction():
        cancellation.cancel_order(Order.get_by_id(held.order_id), status=OrderStatus.CANCELLED)
    assert Order.get_by_id(held.order_id).status == OrderStatus.CANCELLED
    assert counters(ticket_type) == (0, 2)


def test_expiry_and_concurrent_orders_never_oversell(factory, time_machine):
    stock, buyers = 10, 40
    seller = factory.seller()
    ticket_type = factory.ticket_type(factory.event(seller, ticket_stock=stock))
    time_machine.move_to(START, tick=False)
    for n in range(stock):
        unpaid(seller, ticket_type, f"held-{n}", quantity=1)
    time_machine.shift(HOUR)
    start = threading.Barrier(16)

    def act(n: int) -> str:
        if n < 16:
            start.wait(timeout=30)
        with database.connection_context():
            if n % 8 == 0:
                holds.sweep()
                return "swept"
            if n % 8 == 1:
                late = order_body(ticket_type.id, paid=True, wp_order_id=f"held-{n // 8}")
                try:
                    submit.submit_order(seller.id, parse_partner_order(late))
                    return "ok"
                except OutOfStock:
                    return "sold out"
            body = order_body(ticket_type.id, paid=n % 2 == 0, wp_order_id=f"new-{n}")
            try:
                submit.submit_order(seller.id, parse_partner_order(body))
                return "ok"
            except OutOfStock:
                return "sold out"

    with ThreadPoolExecutor(max_workers=16) as pool:
        results = list(pool.map(act, range(buyers)))

    sold, reserved = counters(ticket_type)
    assert results.count("ok") == stock
    assert sold + reserved == stock
    live = (
        Order.select()
        .where(Order.status.in_([OrderStatus.PENDING, OrderStatus.PROCESSING]))
        .count()
    )
    assert live == stock
    assert Ticket.select().count() == sold


def test_admin_api_cancels_an_unpaid_order_and_frees_its_hold(client, factory):
    seller = factory.seller()
    ticket_type = factory.ticket_type(factory.event(seller, ticket_stock=2))
    key = factory.api_key(seller)
    held = unpaid(seller, ticket_type, "wc_1")
    headers = {"Authorization": f"Bearer {key}"}
    response = client.post(f"/api/v1/orders/{held.number}/cancel", headers=headers)
    assert response.status_code == 200
    assert response.get_json()["status"] == "cancelled"
    assert counters(ticket_type) == (0, 0)
    again = client.post(f"/api/v1/orders/{held.number}/cancel", headers=headers)
    assert again.status_code == 409
    assert again.get_json()["error"]["code"] == "order_closed"
    bought = paid(seller, ticket_type, "wc_2")
    refused = client.post(f"/api/v1/orders/{bought.number}/cancel", headers=headers)
    assert refused.status_code == 409
    assert refused.get_json()["error"]["code"] == "order_paid"
    assert counters(ticket_type) == (2, 0)


def test_the_partner_catalogue_counts_a_lapsed_hold_as_free_without_a_worker(
    client, two_left, time_machine
):
    seller, ticket_type = two_left
    time_machine.move_to(START, tick=False)
    held = unpaid(seller, ticket_type, "wc_1")

    def listed_stock():
        [event] = client.get(f"/tp-api/events?key={seller.key}").get_json()
        return event["tickets"][0]["stock"]

    time_machine.shift(HOUR - 1)
    assert listed_stock() == 0
    time_machine.shift(1)
    assert listed_stock() == 2
    assert Order.get_by_id(held.order_id).status == OrderStatus.EXPIRED
    assert counters(ticket_type) == (0, 0)


def test_settling_with_nothing_lapsed_writes_nothing(two_left, time_machine):
    seller, ticket_type = two_left
    time_machine.move_to(START, tick=False)
    held = unpaid(seller, ticket_type, "wc_1")
    assert holds.settle_lapsed() == 0
    assert Order.get_by_id(held.order_id).status == OrderStatus.PENDING
    time_machine.shift(HOUR)
    assert holds.settle_lapsed() == 1
    assert holds.settle_lapsed() == 0


def test_a_new_order_waits_for_a_lapsed_hold_another_transaction_is_releasing(
    db, two_left, time_machine
):
    """PostgreSQL: the lapsed order is locked elsewhere (a sweep or a late payment in flight),
    so the new order's release skips it; instead of answering "sold out" for units that are
    free a moment later, the new order waits for that transaction and then takes them."""
    if not db_is_postgres(db):
        pytest.skip("SQLite has one writer at a time: no other transaction can hold the row")
    seller, ticket_type = two_left
    time_machine.move_to(START, tick=False)
    held = unpaid(seller, ticket_type, "wc_held")
    time_machine.shift(HOUR)
    locked, done = threading.Event(), threading.Event()
    results: list[str] = []

    def hold_the_row() -> None:
        with database.connection_context(), write_transaction():
            Order.select().where(Order.id == held.order_id).for_update().get()
            locked.set()
            done.wait(timeout=30)

    def buy() -> None:
        with database.connection_context():
            try:
                paid(seller, ticket_type, "wc_new")
                results.append("ok")
            except OutOfStock:
                results.append("sold out")

    holder = threading.Thread(target=hold_the_row)
    holder.start()
    assert locked.wait(timeout=30)
    buyer = threading.Thread(target=buy)
    buyer.start()
    # Proceed only once the buyer is blocked on the held row, so the wait is what is tested.
    assert _some_backend_waits_on_a_lock(timeout=30)
    done.set()
    holder.join(timeout=30)
    buyer.join(timeout=30)
    assert results == ["ok"]
    assert Order.get_by_id(held.order_id).status == OrderStatus.EXPIRED
    assert counters(ticket_type) == (2, 0)


def db_is_postgres(db) -> bool:
    import peewee

    return isinstance(db, peewee.PostgresqlDatabase)


def _some_backend_waits_on_a_lock(timeout: float) -> bool:
    import time

    deadline = time.monotonic() + timeout
    with database.connection_context():
        while time.monotonic() < deadline:
            waiting = database.execute_sql(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = current_database() AND wait_event_type = 'Lock'"
            ).fetchone()[0]
            if waiting:
                return True
            time.sleep(0.01)
    return False
