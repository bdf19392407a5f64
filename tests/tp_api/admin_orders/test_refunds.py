"""POST /api/v1/orders/<id>/refund: full, by line and quantity, and every refusal."""

from __future__ import annotations

import pytest

from tests.admin_api import api_error
from tests.factories import order_body
from tests.tp_api.admin_orders.helpers import (
    UNIT,
    auth,
    line_number,
    make_shop,
    sold,
    submit,
    tickets_of,
)
from tp_api.models import Event, Order, OrderLine, Refund, Ticket, TicketStatus, TicketType


def refund(client, shop, number, body=None):
    """POST a refund of the shop's order with this public number."""
    return client.post(f"/api/v1/orders/{number}/refund", json=body or {}, headers=auth(shop.key))


def line_of(order_id: int) -> OrderLine:
    """The only line of the order with this row id."""
    return OrderLine.get(OrderLine.order == order_id)


def statuses(order_id: int) -> list[int]:
    """The statuses of the tickets of the order with this row id, oldest ticket first."""
    return [t.status for t in tickets_of(order_id)]


def test_full_refund_cancels_everything_and_gives_stock_back(client, factory, shop):
    order = shop.personalised_order(factory, quantity=3)
    assert sold(shop.ticket_type) == 3
    response = refund(client, shop, order.number, {"reason": "Event moved"})
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert body["status"] == "refunded"
    assert body["refunded"] == body["total"] == 3 * UNIT
    assert {t["status"] for t in body["tickets"]} == {"cancelled"}
    assert [line["refundedQuantity"] for line in body["lines"]] == [3]
    (entry,) = body["refunds"]
    assert entry["amount"] == 3 * UNIT and entry["reason"] == "Event moved"
    assert entry["lines"] == [
        {"lineId": line_number(line_of(order.id)), "quantity": 3, "amount": 3 * UNIT}
    ]
    assert sold(shop.ticket_type) == 0
    assert statuses(order.id) == [TicketStatus.CANCELLED] * 3
    assert Order.get_by_id(order.id).status == "refunded"


def test_full_refund_of_unpersonalised_tickets(client, factory, shop):
    order = shop.order(factory, quantity=2)
    assert statuses(order.order_id) == [TicketStatus.CREATED] * 2
    assert refund(client, shop, order.number).status_code == 200
    assert statuses(order.order_id) == [TicketStatus.CANCELLED] * 2
    assert sold(shop.ticket_type) == 0


def test_full_refund_gives_back_an_events_shared_pool(client, factory):
    shop = make_shop(factory, manage_stock_per_ticket=False, stock=10)
    order = shop.order(factory, quantity=4)
    assert Event.get_by_id(shop.event.id).sold == 4
    assert refund(client, shop, order.number).status_code == 200
    assert Event.get_by_id(shop.event.id).sold == 0
    assert sold(shop.ticket_type) == 0


def test_partial_refund_cancels_only_that_many_tickets(client, factory, shop):
    order = shop.personalised_order(factory, quantity=3)
    line = line_of(order.id)
    response = refund(
        client, shop, order.number, {"lines": [{"lineId": line_number(line), "quantity": 2}]}
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert body["status"] == "processing"
    assert (body["total"], body["refunded"]) == (3 * UNIT, 2 * UNIT)
    assert body["lines"][0]["refundedQuantity"] == 2
    assert sorted(t["status"] for t in body["tickets"]) == ["active", "cancelled", "cancelled"]
    (entry,) = body["refunds"]
    assert entry["amount"] == 2 * UNIT
    assert entry["lines"] == [{"lineId": line_number(line), "quantity": 2, "amount": 2 * UNIT}]
    assert sold(shop.ticket_type) == 1
    # The rest later: now the order is refunded in full.
    rest = refund(
        client, shop, order.number, {"lines": [{"lineId": line_number(line), "quantity": 1}]}
    )
    assert rest.status_code == 200
    body = rest.get_json()
    assert (body["status"], body["refunded"]) == ("refunded", 3 * UNIT)
    assert [r["amount"] for r in body["refunds"]] == [2 * UNIT, UNIT]
    assert sold(shop.ticket_type) == 0


def test_a_full_refund_after_a_partial_one_refunds_what_is_left(client, factory, shop):
    order = shop.personalised_order(factory, quantity=3)
    line = line_of(order.id)
    refund(client, shop, order.number, {"lines": [{"lineId": line_number(line), "quantity": 1}]})
    response = refund(client, shop, order.number)
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "refunded" and body["refunded"] == body["total"]
    assert [r["amount"] for r in body["refunds"]] == [UNIT, 2 * UNIT]
    assert body["refunds"][1]["lines"] == [
        {"lineId": line_number(line), "quantity": 2, "amount": 2 * UNIT}
    ]
    assert statuses(order.id) == [TicketStatus.CANCELLED] * 3


def test_repeated_lines_add_up(client, factory, shop):
    order = shop.personalised_order(factory, quantity=3)
    line = line_of(order.id)
    lines = [
        {"lineId": line_number(line), "quantity": 1},
        {"lineId": line_number(line), "quantity": 1},
    ]
    body = refund(client, shop, order.number, {"lines": lines}).get_json()
    assert body["lines"][0]["refundedQuantity"] == 2 and body["refunded"] == 2 * UNIT
    assert statuses(order.id).count(TicketStatus.CANCELLED) == 2


def test_refund_by_line_in_an_order_of_two_events(client, factory, shop):
    other_type = factory.ticket_type(factory.event(shop.seller))
    body = order_body(shop.ticket_type.id, quantity=2)
    body["order_lines"].append(
        {**body["order_lines"][0], "tp_event_ticket_id": other_type.id, "quantity": 1}
    )
    body["order_total"] = 3 * 29.95
    order = submit(shop.seller, body)
    first, second = (
        OrderLine.select().where(OrderLine.order == order.order_id).order_by(OrderLine.id)
    )
    response = refund(
        client, shop, order.number, {"lines": [{"lineId": line_number(second), "quantity": 1}]}
    )
    assert response.status_code == 200
    assert response.get_json()["status"] == "processing"
    by_type = {
        t.ticket_type_id: t.status
        for t in tickets_of(order.order_id)
        if t.order_line_id == second.id
    }
    assert by_type == {other_type.id: TicketStatus.CANCELLED}
    assert [t.status for t in tickets_of(order.order_id) if t.order_line_id == first.id] == [1, 1]
    assert (sold(shop.ticket_type), sold(other_type)) == (2, 0)


def snapshot(order_id: int, shop) -> tuple:
    order = Order.get_by_id(order_id)
    return (
        order.status,
        order.refunded_cents,
        statuses(order_id),
        [line.refunded_quantity for line in OrderLine.select().where(OrderLine.order == order_id)],
        Refund.select().where(Refund.order == order_id).count(),
        sold(shop.ticket_type),
    )


def test_refunding_more_than_a_line_has_is_422_and_changes_nothing(client, factory, shop):
    order = shop.personalised_order(factory, quantity=3)
    line = line_of(order.id)
    before = snapshot(order.id, shop)
    response = refund(
        client, shop, order.number, {"lines": [{"lineId": line_number(line), "quantity": 4}]}
    )
    api_error(response, 422, "refund_exceeds_line")
    assert snapshot(order.id, shop) == before
    refund(client, shop, order.number, {"lines": [{"lineId": line_number(line), "quantity": 2}]})
    again = refund(
        client, shop, order.number, {"lines": [{"lineId": line_number(line), "quantity": 2}]}
    )
    assert api_error(again, 422, "refund_exceeds_line")["message"].count("1 unit")
    split = [
        {"lineId": line_number(line), "quantity": 1},
        {"lineId": line_number(line), "quantity": 1},
    ]
    api_error(refund(client, shop, order.number, {"lines": split}), 422, "refund_exceeds_line")
    assert statuses(order.id).count(TicketStatus.CANCELLED) == 2


def test_a_line_not_on_the_order_is_422(client, factory, shop):
    order = shop.personalised_order(factory)
    other_order = shop.order(factory)
    before = snapshot(order.id, shop)
    # 2: the order has one line (the other order's line is not one of its lines either).
    for line_id in (424242, 2):
        response = refund(
            client, shop, order.number, {"lines": [{"lineId": line_id, "quantity": 1}]}
        )
        api_error(response, 422, "line_not_found")
    assert snapshot(order.id, shop) == before
    assert statuses(other_order.order_id) == [TicketStatus.CREATED]


def test_an_unpaid_order_cannot_be_refunded(client, factory, shop):
    order = shop.order(factory, paid=False)
    reserved = TicketType.get_by_id(shop.ticket_type.id).reserved
    api_error(refund(client, shop, order.number), 409, "order_not_refundable")
    row = Order.get_by_id(order.order_id)
    assert (row.status, row.refunded_cents) == ("pending", 0)
    assert TicketType.get_by_id(shop.ticket_type.id).reserved == reserved == 1


def test_a_second_full_refund_is_409(client, factory, shop):
    order = shop.personalised_order(factory, quantity=2)
    assert refund(client, shop, order.number).status_code == 200
    before = snapshot(order.id, shop)
    response = refund(client, shop, order.number)
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] in ("order_not_refundable", "already_refunded")
    assert snapshot(order.id, shop) == before
    assert Refund.select().where(Refund.order == order.id).count() == 1


@pytest.mark.parametrize("used", [TicketStatus.SCANNED_IN, TicketStatus.SCANNED_OUT])
def test_tickets_used_at_the_door_are_not_refunded_silently(client, factory, shop, used):
    order = shop.personalised_order(factory, quantity=3)
    scanned = tickets_of(order.id)[0]
    Ticket.update(status=used).where(Ticket.id == scanned.id).execute()
    before = snapshot(order.id, shop)
    api_error(refund(client, shop, order.number), 409, "tickets_already_used")
    line = line_of(order.id)
    every_unit = {"lines": [{"lineId": line_number(line), "quantity": 3}]}
    api_error(refund(client, shop, order.number, every_unit), 409, "tickets_already_used")
    assert snapshot(order.id, shop) == before
    # Refunding the unused ones is fine, and leaves the used ticket alone.
    response = refund(
        client, shop, order.number, {"lines": [{"lineId": line_number(line), "quantity": 2}]}
    )
    assert response.status_code == 200
    assert statuses(order.id) == [used, TicketStatus.CANCELLED, TicketStatus.CANCELLED]
    assert response.get_json()["status"] == "processing"


def test_a_ticket_scanned_through_the_door_api_blocks_a_full_refund(
    client, factory, shop, settings
):
    from config.tickets import ticket_tools
    from tp_api.services.delivery.ticket_files import ticket_code
    from tp_api.services.door import scanners

    order = shop.personalised_order(factory, quantity=2)
    scanner = scanners.create_scanner(shop.seller.id, "Gate", [shop.event.id])
    code = ticket_code(ticket_tools(settings), tickets_of(order.id)[1])
    scan = client.post(
        "/api/v1/checkin/scan",
        json={"qrPayload": code, "eventId": shop.event.id},
        headers=auth(scanner.secret),
    )
    assert scan.get_json()["success"] is True
    api_error(refund(client, shop, order.number), 409, "tickets_already_used")
    assert statuses(order.id) == [TicketStatus.ACTIVE, TicketStatus.SCANNED_IN]


@pytest.mark.parametrize(
    "body",
    [
        {"lines": []},
        {"lines": [{"lineId": 1, "quantity": 0}]},
        {"lines": [{"lineId": 0, "quantity": 1}]},
        {"lines": [{"lineId": 1}]},
        {"lines": [{"lineId": 1, "quantity": 1, "amount": 5}]},
        {"amount": 100},
        {"reason": "x" * 501},
    ],
)
def test_malformed_refund_bodies_are_400(client, factory, shop, body):
    order = shop.order(factory)
    api_error(refund(client, shop, order.number, body), 400, "validation_error")
    assert Order.get_by_id(order.order_id).status == "processing"


def test_a_body_that_is_not_json_is_400(client, factory, shop):
    order = shop.order(factory)
    response = client.post(
        f"/api/v1/orders/{order.number}/refund",
        data="{not json",
        content_type="application/json",
        headers=auth(shop.key),
    )
    api_error(response, 400, "invalid_json")


def test_refund_of_an_unknown_order_is_404(client, shop):
    api_error(refund(client, shop, 424242), 404, "order_not_found")


def test_fees_are_refunded_with_the_rest_and_only_when_asked(client, factory, shop):
    body = order_body(shop.ticket_type.id, quantity=2)
    body["order_lines"].append(
        {"name": "Booking fee", "quantity": 1, "order_item_type": "fee", "unit_price": 2.50}
    )
    body["order_total"] = 62.40
    order = submit(shop.seller, body)
    tickets, fee = (
        OrderLine.select().where(OrderLine.order == order.order_id).order_by(OrderLine.id)
    )
    assert fee.ticket_type_id is None
    first = refund(
        client, shop, order.number, {"lines": [{"lineId": line_number(tickets), "quantity": 2}]}
    )
    assert first.status_code == 200
    assert (first.get_json()["status"], first.get_json()["refunded"]) == ("processing", 2 * UNIT)
    assert sold(shop.ticket_type) == 0
    rest = refund(client, shop, order.number)
    assert rest.status_code == 200
    body = rest.get_json()
    assert (body["status"], body["refunded"], body["total"]) == ("refunded", 6240, 6240)
    assert body["refunds"][1]["amount"] == 250
    assert body["refunds"][1]["lines"] == [
        {"lineId": line_number(fee), "quantity": 1, "amount": 250}
    ]
    assert sold(shop.ticket_type) == 0
