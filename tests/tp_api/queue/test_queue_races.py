"""Many at once: joins keep one place per customer and exact turns; a token buys once."""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.factories import order_body
from tests.tp_api.queue.conftest import T0
from tp_api.db import database
from tp_api.models import Order, QueueOrder, TicketType
from tp_api.services.actors import SYSTEM
from tp_api.services.errors import Conflict
from tp_api.services.orders import submit
from tp_api.services.orders.order_input import parse_partner_order
from tp_api.services.queue import order_gate
from tp_api.services.queue.room_settings import RoomChange, configure
from tp_api.services.queue.schedule import minute_index


@pytest.fixture
def event(factory, seller, clock):
    event = factory.event(seller, ticket_stock=1000)
    configure(seller.id, str(event.id), RoomChange(enabled=True, rate_per_minute=7), actor=SYSTEM)
    return event


def test_concurrent_joins_give_each_customer_one_place_and_no_minute_over_the_rate(
    rooms, seller, factory, event
):
    ga = factory.ticket_type(event).id
    start = threading.Barrier(16)

    def join(n: int) -> int:
        if n < 16:
            start.wait(timeout=30)
        with database.connection_context():
            status, _ = rooms.join(seller.id, str(event.id), f"cus_{n % 120}", {ga: 1})
        return status.place

    with ThreadPoolExecutor(max_workers=16) as pool:
        places = list(pool.map(join, range(240)))
    # 120 customers, each joined twice: the second join found the first place.
    assert sorted(set(places)) == list(range(1, 121))
    assert all(count == 2 for count in Counter(places).values())
    line = rooms.line
    turns = [p.admit_at for p in line.places(event.id, 1, 120)]
    assert turns == sorted(turns)
    per_minute = Counter(minute_index(t, T0) for t in turns)
    assert max(per_minute.values()) == 7 and sum(per_minute.values()) == 120


def test_a_token_used_by_several_orders_at_once_buys_once(rooms, seller, factory, event):
    ga = factory.ticket_type(event).id
    status, _ = rooms.join(seller.id, str(event.id), "cus_1", {ga: 2})
    start = threading.Barrier(8)

    def buy(n: int) -> str:
        body = parse_partner_order(
            order_body(ga, quantity=2, wp_order_id=f"race-{n}", queue_token=status.token)
        )
        start.wait(timeout=30)
        try:
            with database.connection_context():
                submit.submit_order(seller.id, body, rooms=rooms)
            return "ok"
        except Conflict as refusal:
            assert refusal.code == "queue_token_used"
            return "used"

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(buy, range(8)))
    assert results.count("ok") == 1 and results.count("used") == 7
    assert Order.select().count() == 1 and QueueOrder.select().count() == 1
    assert TicketType.get_by_id(ga).sold == 2
    assert rooms.status(status.token).state == "completed"


def test_an_order_that_fails_after_the_claim_leaves_the_place_usable(
    rooms, seller, factory, event, monkeypatch
):
    ga = factory.ticket_type(event).id
    status, _ = rooms.join(seller.id, str(event.id), "cus_1", {ga: 2})
    body = parse_partner_order(order_body(ga, quantity=2, queue_token=status.token))

    def crash(*_args, **_kwargs):
        raise RuntimeError("the database went away after the claim")

    # The fault is injected after the place was claimed, before the order committed.
    monkeypatch.setattr(order_gate, "insert_rows", crash)
    with pytest.raises(RuntimeError):
        submit.submit_order(seller.id, body, rooms=rooms)
    assert Order.select().count() == 0
    assert rooms.status(status.token).state == "admitted"  # not spent by the lost order
    monkeypatch.undo()
    submit.submit_order(seller.id, body, rooms=rooms)
    assert rooms.status(status.token).state == "completed"
