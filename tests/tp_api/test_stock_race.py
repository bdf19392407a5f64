"""300 buyers for the last 100 tickets, straight through the domain, on both databases."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.factories import order_body
from tp_api.db import database
from tp_api.models import Event, Order, Ticket, TicketType
from tp_api.services.errors import OutOfStock
from tp_api.services.orders import submit
from tp_api.services.orders.order_input import parse_partner_order

BUYERS = 300
STOCK = 100


@pytest.mark.parametrize("pool", ["ticket type", "shared event pool"])
def test_300_concurrent_orders_for_100_tickets_sell_exactly_100(factory, pool):
    seller = factory.seller()
    if pool == "ticket type":
        event = factory.event(seller, stock=1000, ticket_stock=STOCK)
    else:
        event = factory.event(seller, stock=STOCK, ticket_stock=1000, manage_stock_per_ticket=False)
    ticket_type = factory.ticket_type(event)
    start = threading.Barrier(32)

    def buy(n: int) -> str:
        body = parse_partner_order(
            order_body(ticket_type.id, wp_order_id=f"race-{n}", paid=n % 2 == 0)
        )
        if n < 32:
            start.wait(timeout=30)
        try:
            with database.connection_context():
                submit.submit_order(seller.id, body)
            return "ok"
        except OutOfStock:
            return "sold out"

    with ThreadPoolExecutor(max_workers=32) as pool:
        results = list(pool.map(buy, range(BUYERS)))

    assert results.count("ok") == STOCK
    assert results.count("sold out") == BUYERS - STOCK
    fresh = TicketType.get_by_id(ticket_type.id)
    assert fresh.sold + fresh.reserved == STOCK
    assert Order.select().count() == STOCK
    assert Ticket.select().count() == fresh.sold
    if pool == "shared event pool":
        fresh_event = Event.get_by_id(event.id)
        assert fresh_event.sold + fresh_event.reserved == STOCK


def test_same_wp_order_id_pushed_concurrently_makes_one_order(factory):
    seller = factory.seller()
    ticket_type = factory.ticket_type(factory.event(seller, ticket_stock=100))
    body = parse_partner_order(order_body(ticket_type.id, quantity=2, wp_order_id="twice"))
    start = threading.Barrier(20)

    def push(_: int) -> bool:
        start.wait(timeout=30)
        with database.connection_context():
            return submit.submit_order(seller.id, body).created

    with ThreadPoolExecutor(max_workers=20) as pool:
        created = list(pool.map(push, range(20)))

    assert created.count(True) == 1
    assert Order.select().count() == 1
    assert Ticket.select().count() == 2
    assert TicketType.get_by_id(ticket_type.id).sold == 2
