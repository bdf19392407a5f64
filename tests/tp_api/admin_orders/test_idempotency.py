"""Idempotency-Key on admin-API writes: replay, reuse, in-flight, what is (not) stored."""

from __future__ import annotations

from datetime import timedelta

from tests.admin_api import api_error
from tests.tp_api.admin_orders.helpers import (
    UNIT,
    auth,
    dumps,
    key_id,
    line_number,
    new_key,
    sold,
    tickets_of,
)
from tp_api.models import IdempotencyRecord, Order, OrderLine, OutboxEntry, Refund, TicketStatus
from tp_api.services import idempotency


def post(client, key, path, body, idem):
    headers = {**auth(key), "Idempotency-Key": idem} if idem is not None else auth(key)
    return client.post(path, data=dumps(body), content_type="application/json", headers=headers)


def refunds_of(order_id: int) -> int:
    """How many refunds the order with this row id has."""
    return Refund.select().where(Refund.order == order_id).count()


def one_unit(order_id: int) -> dict:
    """A refund body for one unit of the only line of the order with this row id."""
    line = OrderLine.get(OrderLine.order == order_id)
    return {"lines": [{"lineId": line_number(line), "quantity": 1}]}


def test_the_same_request_is_replayed_not_repeated(client, factory, shop):
    order = shop.personalised_order(factory, quantity=3)
    path, body = f"/api/v1/orders/{order.number}/refund", one_unit(order.id)
    first = post(client, shop.key, path, body, "refund-1")
    assert first.status_code == 200
    assert "Idempotent-Replayed" not in first.headers
    second = post(client, shop.key, path, body, "refund-1")
    assert second.status_code == 200
    assert second.headers["Idempotent-Replayed"] == "true"
    assert second.get_data() == first.get_data()
    assert second.mimetype == "application/json"
    assert refunds_of(order.id) == 1
    assert Order.get_by_id(order.id).refunded_cents == UNIT
    assert sold(shop.ticket_type) == 2
    assert [t.status for t in tickets_of(order.id)].count(TicketStatus.CANCELLED) == 1
    # Without the key the same body is a new request.
    assert post(client, shop.key, path, body, None).status_code == 200
    assert refunds_of(order.id) == 2


def test_a_replayed_resend_queues_nothing_more(client, factory, shop):
    order = shop.personalised_order(factory)
    path = f"/api/v1/orders/{order.number}/resend"
    first = post(client, shop.key, path, {}, "resend-1")
    second = post(client, shop.key, path, {}, "resend-1")
    assert (first.status_code, second.status_code) == (202, 202)
    assert second.headers["Idempotent-Replayed"] == "true"
    assert second.get_json() == {"emailsQueued": 1}
    resends = OutboxEntry.select().where(OutboxEntry.dedupe_key.startswith(f"resend:{order.id}:"))
    assert resends.count() == 1


def test_the_same_key_with_another_body_is_422(client, factory, shop):
    order = shop.personalised_order(factory, quantity=3)
    path = f"/api/v1/orders/{order.number}/refund"
    assert post(client, shop.key, path, one_unit(order.id), "k").status_code == 200
    response = post(client, shop.key, path, {"reason": "all of it"}, "k")
    api_error(response, 422, "idempotency_key_reused")
    assert "Idempotent-Replayed" not in response.headers
    assert refunds_of(order.id) == 1
    other = shop.personalised_order(factory)
    moved = post(client, shop.key, f"/api/v1/orders/{other.number}/refund", one_unit(order.id), "k")
    api_error(moved, 422, "idempotency_key_reused")
    assert refunds_of(other.id) == 0


def test_a_request_still_in_flight_is_409(client, factory, shop):
    order = shop.personalised_order(factory, quantity=2)
    path, body = f"/api/v1/orders/{order.number}/refund", one_unit(order.id)
    claim = idempotency.begin(
        shop.seller.id,
        f"apikey:{key_id(shop.key)}",
        "busy",
        idempotency.fingerprint("POST", path + "?", dumps(body)),
    )
    assert isinstance(claim, idempotency.Claim)
    api_error(post(client, shop.key, path, body, "busy"), 409, "idempotency_in_flight")
    assert refunds_of(order.id) == 0
    # Another request under the same key is still "another request".
    api_error(post(client, shop.key, path, {}, "busy"), 422, "idempotency_key_reused")
    # Once the first one gave up, the key is free again.
    idempotency.abandon(claim)
    assert post(client, shop.key, path, body, "busy").status_code == 200
    assert refunds_of(order.id) == 1


def test_a_409_is_not_stored_so_a_retry_runs_again(client, factory, shop):
    outcome = shop.order(factory, paid=False, wp_order_id="wc_77")
    path = f"/api/v1/orders/{outcome.number}/refund"
    api_error(post(client, shop.key, path, {}, "retry-me"), 409, "order_not_refundable")
    assert IdempotencyRecord.select().count() == 0
    shop.order(factory, wp_order_id="wc_77")  # the shop reports the payment
    retried = post(client, shop.key, path, {}, "retry-me")
    assert retried.status_code == 200
    assert "Idempotent-Replayed" not in retried.headers
    assert retried.get_json()["status"] == "refunded"
    assert refunds_of(outcome.order_id) == 1


def test_a_422_answer_is_stored_and_replayed(client, factory, shop):
    order = shop.personalised_order(factory)
    line = OrderLine.get(OrderLine.order == order.id)
    path, body = (
        f"/api/v1/orders/{order.number}/refund",
        {"lines": [{"lineId": line_number(line), "quantity": 5}]},
    )
    first = post(client, shop.key, path, body, "too-many")
    api_error(first, 422, "refund_exceeds_line")
    second = post(client, shop.key, path, body, "too-many")
    assert second.status_code == 422
    assert second.headers["Idempotent-Replayed"] == "true"
    assert second.get_data() == first.get_data()


def test_two_keys_use_the_same_idempotency_key_independently(client, factory, shop):
    order = shop.personalised_order(factory, quantity=3)
    other_key, _ = new_key(shop.seller)
    path, body = f"/api/v1/orders/{order.number}/refund", one_unit(order.id)
    first = post(client, shop.key, path, body, "shared")
    second = post(client, other_key, path, body, "shared")
    assert (first.status_code, second.status_code) == (200, 200)
    assert "Idempotent-Replayed" not in second.headers
    assert second.get_json()["refunded"] == 2 * UNIT
    assert refunds_of(order.id) == 2
    # Each key replays its own answer.
    assert post(client, shop.key, path, body, "shared").get_json()["refunded"] == UNIT
    assert post(client, other_key, path, body, "shared").get_json()["refunded"] == 2 * UNIT


def test_another_account_with_the_same_key_is_independent(client, factory, shop, other_shop):
    mine = shop.personalised_order(factory)
    theirs = other_shop.personalised_order(factory)
    first = post(client, shop.key, f"/api/v1/orders/{mine.number}/resend", {}, "same")
    assert first.status_code == 202
    response = post(client, other_shop.key, f"/api/v1/orders/{theirs.number}/resend", {}, "same")
    assert response.status_code == 202 and "Idempotent-Replayed" not in response.headers


def test_reads_ignore_the_header(client, factory, shop):
    shop.order(factory)
    headers = {**auth(shop.key), "Idempotency-Key": "read"}
    first = client.get("/api/v1/orders", headers=headers)
    shop.order(factory)
    second = client.get("/api/v1/orders", headers=headers)
    assert len(second.get_json()["items"]) == len(first.get_json()["items"]) + 1
    assert "Idempotent-Replayed" not in second.headers
    assert IdempotencyRecord.select().count() == 0


def test_a_bad_idempotency_key_is_400(client, factory, shop):
    order = shop.personalised_order(factory)
    path = f"/api/v1/orders/{order.number}/resend"
    for bad in ("x" * 201, "tab\there"):
        api_error(post(client, shop.key, path, {}, bad), 400, "invalid_idempotency_key")
    assert IdempotencyRecord.select().count() == 0
    assert post(client, shop.key, path, {}, "x" * 200).status_code == 202


def test_an_unauthenticated_request_stores_nothing(client, factory, shop):
    order = shop.personalised_order(factory)
    path = f"/api/v1/orders/{order.number}/refund"
    api_error(post(client, "tpk_wrong", path, {}, "anon"), 401, "unauthorized")
    assert IdempotencyRecord.select().count() == 0
    assert post(client, shop.key, path, {}, "anon").status_code == 200


def test_a_stored_answer_expires_after_a_day(client, factory, shop, time_machine):
    time_machine.move_to("2026-06-01T10:00:00Z", tick=False)
    order = shop.personalised_order(factory, quantity=3)
    path = f"/api/v1/orders/{order.number}/refund"
    assert post(client, shop.key, path, one_unit(order.id), "daily").status_code == 200
    time_machine.shift(timedelta(hours=23))
    api_error(post(client, shop.key, path, {}, "daily"), 422, "idempotency_key_reused")
    time_machine.shift(timedelta(hours=2))
    later = post(client, shop.key, path, {}, "daily")
    assert later.status_code == 200 and later.get_json()["status"] == "refunded"
    assert refunds_of(order.id) == 2


def test_key_creation_is_replayed_without_a_second_key(client, shop):
    from tp_api.models import ApiKey

    first = post(client, shop.key, "/api/v1/api-keys", {"label": "ci"}, "mk")
    second = post(client, shop.key, "/api/v1/api-keys", {"label": "ci"}, "mk")
    # The secret is never stored, so the repeat cannot replay it: it names the key instead.
    assert (first.status_code, second.status_code) == (201, 409)
    error = api_error(second, 409, "idempotency_secret_not_replayed")
    assert f"API key {first.get_json()['id']}" in error["message"]
    assert ApiKey.select().where(ApiKey.label == "ci").count() == 1
