"""The waiting room through the admin API and the partner API's orders/create, with the line
in the database and in Redis, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from tests.admin_api import api_error, iso
from tests.factories import order_body
from tests.tp_api.queue.conftest import T0
from tp_api.models import AuditEntry, Order, QueueOrder, TicketType
from tp_api.services.credentials.secret_box import SecretBox
from tp_api.services.orders.ingest import ShopOrderSnapshot, ingest_shop_order
from tp_api.services.orders.order_input import BillingInput, OrderInput, OrderLineInput
from tp_api.services.shops import connections


@pytest.fixture
def api(clock, api):
    return api


@pytest.fixture
def event(api):
    return api.publish(
        api.create(
            startsAt=iso(T0 + timedelta(days=60)),
            ticketTypes=[
                {"name": "GA", "price": 2995, "quantity": 50, "maxPerOrder": 4},
                {"name": "Parking", "price": 500, "quantity": 50},
            ],
        )
    )


@pytest.fixture
def ga(event):
    return event["ticketTypes"][0]["id"]


@pytest.fixture
def parking(event):
    return event["ticketTypes"][1]["id"]


def put_queue(api, event, **changes):
    response = api.call("PUT", f"/events/{event['id']}/queue", changes)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def join(api, event, customer, items):
    return api.post(
        "/queue/join",
        {
            "eventId": event["id"],
            "customerId": customer,
            "items": [{"ticketTypeId": t, "quantity": q} for t, q in items.items()],
        },
    )


def joined(api, event, customer, items):
    response = join(api, event, customer, items)
    assert response.status_code in (200, 201), response.get_data(as_text=True)
    return response.get_json()


def poll(client, token):
    return client.get(f"/api/v1/queue/{token}")


def order(client, seller, type_id, quantity=1, **fields):
    body = order_body(type_id, quantity=quantity, wp_order_id=fields.pop("wp", None), **fields)
    if body["wp_order_id"] is None:
        del body["wp_order_id"]
    return client.post(
        f"/tp-api/orders/create?key={seller.key}",
        data=json.dumps(body),
        content_type="application/json",
    )


def refused(response, status, message):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "text/plain"
    assert response.get_data(as_text=True) == message


def test_the_room_is_set_up_read_back_and_audited(api, event, ga, clock):
    off = api.get(f"/events/{event['id']}/queue").get_json()
    assert off["queueEnabled"] is False and off["figures"]["joined"] == 0
    on = put_queue(
        api,
        event,
        queueEnabled=True,
        ratePerMinute=2,
        returnUrl="https://shop.test/product/ga",
        ticketTypeIds=[ga],
    )
    assert on["queueEnabled"] is True and on["ratePerMinute"] == 2
    assert on["startsAt"] == iso(T0)  # switched on without a start: the line opens now
    assert on["ticketTypeIds"] == [ga] and on["purchaseWindowSeconds"] == 600
    entry = AuditEntry.get(AuditEntry.action == "event.queue_changed")
    assert json.loads(entry.changes)["queue_enabled"] == [False, True]
    assert api.get(f"/events/{event['id']}/queue").get_json()["returnUrl"] == (
        "https://shop.test/product/ga"
    )


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"ratePerMinute": 0}, "validation_error"),
        ({"returnUrl": "javascript:alert(1)"}, "queue_return_url_invalid"),
        ({"ticketTypeIds": [999999]}, "queue_ticket_type_invalid"),
        ({"startsAt": "2031-03-01T12:00:00"}, "validation_error"),
    ],
)
def test_bad_settings_are_refused(api, event, changes, code):
    response = api.call("PUT", f"/events/{event['id']}/queue", changes)
    api_error(response, 400, code)


def test_join_gives_a_place_and_a_second_join_the_same_place(api, client, event, ga):
    put_queue(api, event, queueEnabled=True, ratePerMinute=1)
    first = join(api, event, "cus_1", {ga: 2})
    assert first.status_code == 201
    place = first.get_json()
    assert place["status"] == "admitted" and place["position"] == 0 and place["place"] == 1
    second = join(api, event, "cus_2", {ga: 1}).get_json()
    assert second["status"] == "waiting" and second["position"] == 0
    assert second["estimatedWaitSeconds"] == 60
    third = joined(api, event, "cus_3", {ga: 1})
    assert third["position"] == 1 and third["estimatedWaitSeconds"] == 120
    again = join(api, event, "cus_2", {ga: 4})
    assert again.status_code == 200
    assert again.get_json()["place"] == 2 and again.get_json()["items"] == [
        {"ticketTypeId": ga, "quantity": 1}
    ]
    polled = poll(client, third["token"])
    assert polled.status_code == 200 and polled.get_json()["position"] == 1


def test_polling_follows_the_clock(api, client, event, ga, clock):
    put_queue(api, event, queueEnabled=True, ratePerMinute=1)
    joined(api, event, "cus_1", {ga: 1})
    token = joined(api, event, "cus_2", {ga: 1})["token"]
    assert poll(client, token).get_json()["status"] == "waiting"
    clock.move_to(T0 + timedelta(minutes=1), tick=False)
    now = poll(client, token).get_json()
    assert now["status"] == "admitted" and now["expiresAt"] == iso(T0 + timedelta(minutes=11))
    clock.move_to(T0 + timedelta(minutes=11), tick=False)
    assert poll(client, token).get_json()["status"] == "expired"


def test_a_token_is_useless_when_made_up_or_altered(client, api, event, ga):
    put_queue(api, event, queueEnabled=True)
    token = joined(api, event, "cus_1", {ga: 1})["token"]
    for bad in ("nonsense", token[:-3] + "abc", token + "x"):
        api_error(poll(client, bad), 404, "queue_token_invalid")


@pytest.mark.parametrize(
    ("items", "code"),
    [
        ({}, "validation_error"),
        ({"ga": 5}, "queue_items_invalid"),
        ({"other": 1}, "queue_items_invalid"),
    ],
)
def test_join_refuses_items_the_room_does_not_sell(api, event, ga, parking, items, code):
    put_queue(api, event, queueEnabled=True, ticketTypeIds=[ga])
    named = {"ga": ga, "other": parking}
    response = join(api, event, "cus_1", {named[k]: q for k, q in items.items()})
    api_error(response, 400, code)


def test_join_refuses_an_event_without_an_open_room(api, event, ga):
    api_error(join(api, event, "cus_1", {ga: 1}), 409, "queue_closed")
    api_error(
        api.post(
            "/queue/join",
            {"eventId": 999999, "customerId": "c", "items": [{"ticketTypeId": ga, "quantity": 1}]},
        ),
        404,
        "event_not_found",
    )


def test_an_order_needs_an_admitted_token_while_the_room_is_on(api, client, seller, event, ga):
    put_queue(api, event, queueEnabled=True, ratePerMinute=1)
    refused(order(client, seller, ga), 403, "Queue token required")
    first = joined(api, event, "cus_1", {ga: 2})
    second = joined(api, event, "cus_2", {ga: 2})
    refused(
        order(client, seller, ga, queue_token=second["token"]),
        403,
        "Queue token is not admitted yet",
    )
    refused(
        order(client, seller, ga, 3, queue_token=first["token"]),
        403,
        "Queue token does not cover these tickets",
    )
    refused(order(client, seller, ga, queue_token="forged"), 404, "Queue token is invalid")
    made = order(client, seller, ga, 2, queue_token=first["token"])
    assert made.status_code == 200 and made.get_data(as_text=True) == "Order created"
    placed = Order.get(Order.number == int(made.headers["X-TP-Order-Id"]))
    assert QueueOrder.get(QueueOrder.order == placed.id).seq == 1
    refused(order(client, seller, ga, queue_token=first["token"]), 409, "Queue token has been used")
    assert TicketType.get_by_id(ga).sold == 2


def test_a_repeated_push_of_a_placed_order_needs_no_token(api, client, seller, event, ga):
    put_queue(api, event, queueEnabled=True)
    token = joined(api, event, "cus_1", {ga: 1})["token"]
    assert order(client, seller, ga, wp="wc_77", queue_token=token, paid=False).status_code == 200
    # The shop pushes the same order again when it is paid: an update, not a new purchase.
    assert order(client, seller, ga, wp="wc_77", paid=True).status_code == 200
    assert Order.select().count() == 1 and TicketType.get_by_id(ga).sold == 1


def test_a_token_expires_ten_minutes_after_its_turn(api, client, seller, event, ga, clock):
    put_queue(api, event, queueEnabled=True)
    token = joined(api, event, "cus_1", {ga: 1})["token"]
    clock.move_to(T0 + timedelta(minutes=10), tick=False)
    refused(order(client, seller, ga, queue_token=token), 403, "Queue token has expired")
    # The customer may join again, at the back of the line.
    again = join(api, event, "cus_1", {ga: 1})
    assert again.status_code == 201 and again.get_json()["place"] == 2


def test_a_token_is_bound_to_its_event(api, client, seller, event, ga):
    other = api.publish(api.create(ticketTypes=[{"name": "GA", "price": 100, "quantity": 5}]))
    other_ga = other["ticketTypes"][0]["id"]
    put_queue(api, event, queueEnabled=True)
    put_queue(api, other, queueEnabled=True)
    token = joined(api, event, "cus_1", {ga: 1})["token"]
    refused(
        order(client, seller, other_ga, queue_token=token),
        403,
        "Queue token does not cover these tickets",
    )


def test_ticket_types_outside_the_room_sell_without_a_token(
    api, client, seller, event, ga, parking
):
    put_queue(api, event, queueEnabled=True, ticketTypeIds=[ga])
    assert order(client, seller, parking).status_code == 200
    refused(order(client, seller, ga), 403, "Queue token required")


def test_with_the_room_off_orders_create_answers_as_the_document_says(
    api, client, seller, event, ga
):
    plain = order(client, seller, ga)
    with_field = order(client, seller, ga, queue_token="anything")
    for response in (plain, with_field):
        assert response.status_code == 200
        assert response.get_data() == b"Order created"
        assert response.mimetype == "text/plain"
    put_queue(api, event, queueEnabled=True)
    put_queue(api, event, queueEnabled=False)
    assert order(client, seller, ga).get_data() == b"Order created"


def test_shop_orders_are_recorded_as_they_are_and_counted(api, client, seller, event, ga, clock):
    put_queue(api, event, queueEnabled=True, ratePerMinute=1)
    token = joined(api, event, "cus_1", {ga: 1})["token"]
    joined(api, event, "cus_2", {ga: 1})
    assert order(client, seller, ga, queue_token=token).status_code == 200
    snapshot = ShopOrderSnapshot(
        external_id=9001,
        status="processing",
        date_modified=T0,
        order=OrderInput(
            wp_order_id="9001",
            date_paid=T0,
            billing=BillingInput(email="shop@example.com"),
            lines=(OrderLineInput("GA", 2, 93, "line_item", 2995, ticket_type_id=ga),),
        ),
    )
    shop = connections.add_shop(
        SecretBox(["test-secret"]),
        seller.id,
        "main",
        platform="woocommerce",
        base_url="https://shop.test",
        consumer_key="ck_test",
        consumer_secret="cs_test",
    ).shop
    ingest_shop_order(shop.id, seller.id, snapshot)
    assert TicketType.get_by_id(ga).sold == 3
    figures = api.get(f"/events/{event['id']}/queue").get_json()["figures"]
    assert figures == {
        "joined": 2,
        "waiting": 1,
        "buying": 0,
        "ordered": 1,
        "expired": 0,
        "ordersOutsideLine": 1,
    }
    clock.move_to(T0 + timedelta(minutes=12), tick=False)
    later = api.get(f"/events/{event['id']}/queue").get_json()["figures"]
    assert later["expired"] == 1 and later["waiting"] == 0 and later["buying"] == 0


def test_joining_and_settings_need_their_scopes(client, factory, seller, event, ga):
    from tests.admin_api import Admin

    reader = Admin(client, factory.api_key(seller, scopes=["events:read"]))
    api_error(
        reader.call("PUT", f"/events/{event['id']}/queue", {"queueEnabled": True}),
        403,
        "missing_scopes",
    )
    api_error(join(reader, event, "c", {ga: 1}), 403, "missing_scopes")


def test_joins_count_against_the_checkout_budget_not_the_admin_one(db, settings, factory, seller):
    import dataclasses

    from config.wsgi import create_app
    from tests.admin_api import Admin

    app = create_app(dataclasses.replace(settings, rate_limit_admin="3/minute"))
    api = Admin(app.test_client(), factory.api_key(seller))
    event = api.create(ticketTypes=[{"name": "GA", "price": 100, "quantity": 50}])  # 1 of 3
    api.publish(event)  # 2 of 3
    put_queue(api, event, queueEnabled=True)  # 3 of 3
    ga = event["ticketTypes"][0]["id"]
    for n in range(10):  # a shop's server joining its customers: not the seller's tools
        assert join(api, event, f"cus_{n}", {ga: 1}).status_code == 201
    assert api.get(f"/events/{event['id']}/queue").status_code == 429
