"""Order changes raise order.created, order.paid, order.refunded and order.cancelled, with
the order as the admin API renders it."""

from __future__ import annotations

from tests.webhooks.emitted.support import (
    only,
    order_row,
    types_of,
)
from tests.webhooks.support import (
    stored_events,
)
from tp_api.db import write_transaction
from tp_api.models import (
    OrderStatus,
)
from tp_api.services.orders import cancellation

# --- orders --------------------------------------------------------------------------------------


def test_a_paid_partner_order_emits_created_then_paid(hooked):
    number = hooked.push(quantity=2)
    events = stored_events()
    # Then one ticket.created per ticket issued (tests/tp_api/fraud/test_review.py).
    assert types_of(events) == ["order.created", "order.paid", "ticket.created", "ticket.created"]
    events = events[:2]
    rendered = hooked.order(number)
    assert rendered["status"] == "processing" and rendered["paidAt"] is not None
    assert len(rendered["tickets"]) == 2
    # The order and its tickets name it by its public number, never the row id.
    assert rendered["id"] == number
    assert [t["orderId"] for t in rendered["tickets"]] == [number, number]
    for event in events:
        assert event["data"] == rendered
        assert event["accountId"] == hooked.seller.id
    assert events[0]["id"] != events[1]["id"]


def test_a_later_payment_emits_paid_once(hooked):
    body_fields = {"wp_order_id": "wc_5001"}
    number = hooked.push(paid=False, **body_fields)
    created = only("order.created")
    assert created["data"] == hooked.order(number)
    assert created["data"]["status"] == "pending" and created["data"]["tickets"] == []
    assert stored_events("order.paid") == []
    # The shop pushes the same order again, now paid.
    assert hooked.push(paid=True, **body_fields) == number
    paid = only("order.paid")
    assert paid["data"] == hooked.order(number)
    assert paid["data"]["status"] == "processing" and len(paid["data"]["tickets"]) == 1
    # A repeated push changes nothing and raises nothing.
    hooked.push(paid=True, **body_fields)
    assert types_of(stored_events()) == ["order.created", "order.paid", "ticket.created"]


def test_a_refund_emits_refunded_with_the_refund(hooked):
    number = hooked.push(quantity=2)
    response = hooked.api.post(f"/orders/{number}/refund", {"reason": "Ill"})
    assert response.status_code == 200, response.get_data(as_text=True)
    refunded = only("order.refunded")["data"]
    rendered = response.get_json()
    assert rendered["status"] == "refunded"
    assert {k: v for k, v in refunded.items() if k != "refund"} == rendered
    assert refunded["refund"] == rendered["refunds"][0]
    assert refunded["refund"]["reason"] == "Ill"


def test_a_partial_refund_emits_refunded_for_that_refund(hooked):
    number = hooked.push(quantity=3)
    line_id = hooked.order(number)["lines"][0]["id"]
    first = hooked.api.post(
        f"/orders/{number}/refund", {"lines": [{"lineId": line_id, "quantity": 1}]}
    )
    second = hooked.api.post(
        f"/orders/{number}/refund", {"lines": [{"lineId": line_id, "quantity": 1}]}
    )
    assert first.status_code == second.status_code == 200
    events = stored_events("order.refunded")
    assert [e["data"]["status"] for e in events] == ["processing", "processing"]
    assert [e["data"]["refund"]["id"] for e in events] == [
        r["id"] for r in second.get_json()["refunds"]
    ]
    assert {k: v for k, v in events[1]["data"].items() if k != "refund"} == second.get_json()


def test_each_event_shows_the_order_as_its_change_left_it(hooked):
    number = hooked.push(quantity=1)
    with write_transaction():
        cancellation.cancel_order(order_row(number), status=OrderStatus.CANCELLED)
    assert only("order.paid")["data"]["status"] == "processing"
    assert only("order.cancelled")["data"]["status"] == "cancelled"
    assert hooked.order(number)["status"] == "cancelled"


def test_cancelling_an_unpaid_order_emits_cancelled(hooked):
    number = hooked.push(paid=False)
    with write_transaction():
        cancellation.cancel_order(order_row(number), status=OrderStatus.CANCELLED)
    cancelled = only("order.cancelled")
    assert cancelled["data"] == hooked.order(number)
    assert cancelled["data"]["status"] == "cancelled"
    # Cancelling it again changes nothing and raises nothing.
    with write_transaction():
        cancellation.cancel_order(order_row(number), status=OrderStatus.CANCELLED)
    assert len(stored_events("order.cancelled")) == 1


def test_cancelling_an_event_cancels_and_refunds_its_orders(hooked):
    unpaid = hooked.push(paid=False)
    paid = hooked.push(quantity=2)
    before = len(stored_events())
    response = hooked.api.post(f"/events/{hooked.event.id}/cancel", {"reason": "Storm"})
    assert response.status_code == 200, response.get_data(as_text=True)
    raised = stored_events()[before:]
    assert sorted(types_of(raised)) == ["event.cancelled", "order.cancelled", "order.refunded"]
    assert raised[-1]["type"] == "event.cancelled"
    assert only("order.cancelled")["data"] == hooked.order(unpaid)
    refunded = only("order.refunded")["data"]
    assert {k: v for k, v in refunded.items() if k != "refund"} == hooked.order(paid)
    assert refunded["refund"]["reason"] == "Storm"
    event = only("event.cancelled")["data"]
    assert event == hooked.event_json()
    assert event["status"] == "cancelled"
