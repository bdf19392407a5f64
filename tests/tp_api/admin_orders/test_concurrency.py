"""Refunds and Idempotency-Key under concurrent requests, on both databases."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from tests.tp_api.admin_orders.helpers import UNIT, auth, dumps, line_number, sold
from tp_api.db import database
from tp_api.models import Order, OrderLine, Refund
from tp_api.services.errors import Conflict, Unprocessable
from tp_api.services.orders import refunds

THREADS = 8


def test_concurrent_full_refunds_refund_once(factory, shop):
    order = shop.personalised_order(factory, quantity=3)
    start = threading.Barrier(THREADS)

    def attempt(_: int) -> str:
        start.wait(timeout=30)
        try:
            with database.connection_context():
                refunds.refund_order(shop.seller.id, order.number, refunds.RefundRequest())
            return "ok"
        except Conflict:
            return "conflict"

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        results = list(pool.map(attempt, range(THREADS)))
    assert sorted(results) == ["conflict"] * (THREADS - 1) + ["ok"]
    assert Refund.select().where(Refund.order == order.id).count() == 1
    assert Order.get_by_id(order.id).refunded_cents == 3 * UNIT
    assert sold(shop.ticket_type) == 0


def test_concurrent_partial_refunds_never_exceed_the_line(factory, shop):
    order = shop.personalised_order(factory, quantity=3)
    line = OrderLine.get(OrderLine.order == order.id)
    start = threading.Barrier(THREADS)

    def attempt(_: int) -> str:
        start.wait(timeout=30)
        try:
            with database.connection_context():
                refunds.refund_order(
                    shop.seller.id, order.number, refunds.RefundRequest(lines={line.id: 1})
                )
            return "ok"
        except (Conflict, Unprocessable):
            return "refused"

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        results = list(pool.map(attempt, range(THREADS)))
    assert results.count("ok") == 3
    row = Order.get_by_id(order.id)
    assert (row.status, row.refunded_cents) == ("refunded", 3 * UNIT)
    assert OrderLine.get_by_id(line.id).refunded_quantity == 3
    assert sold(shop.ticket_type) == 0


def test_concurrent_requests_with_one_idempotency_key_refund_once(app, factory, shop):
    order = shop.personalised_order(factory, quantity=3)
    line = OrderLine.get(OrderLine.order == order.id)
    body = dumps({"lines": [{"lineId": line_number(line), "quantity": 1}]})
    headers = {**auth(shop.key), "Idempotency-Key": "race"}
    start = threading.Barrier(THREADS)

    def attempt(_: int) -> tuple[int, str | None]:
        client = app.test_client()
        start.wait(timeout=30)
        response = client.post(
            f"/api/v1/orders/{order.number}/refund",
            data=body,
            content_type="application/json",
            headers=headers,
        )
        code = response.get_json().get("error", {}).get("code")
        return response.status_code, code or response.headers.get("Idempotent-Replayed")

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        results = list(pool.map(attempt, range(THREADS)))
    assert (200, None) in results
    assert results.count((200, None)) == 1, results
    assert set(results) <= {(200, None), (200, "true"), (409, "idempotency_in_flight")}
    assert Refund.select().where(Refund.order == order.id).count() == 1
    assert sold(shop.ticket_type) == 2
