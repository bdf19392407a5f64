"""queue.ready and queue.expired: raised once per place, whoever runs the job and how often."""

from __future__ import annotations

import json
import threading
from datetime import timedelta

import pytest

from config.settings import Settings
from config.shops import secret_box
from tests.conftest import TEST_SECRET
from tests.factories import order_body
from tests.tp_api.queue.conftest import T0
from tp_api.models import QueueNoticeMark, WebhookEvent
from tp_api.services.actors import SYSTEM
from tp_api.services.orders import submit
from tp_api.services.orders.order_input import parse_partner_order
from tp_api.services.queue import notices
from tp_api.services.queue.room_settings import RoomChange, configure
from tp_api.services.webhooks import webhook_endpoints, webhook_events
from tp_api.services.webhooks.webhook_endpoints import EndpointPolicy


@pytest.fixture
def event(factory, seller, clock):
    event = factory.event(seller)
    configure(seller.id, str(event.id), RoomChange(enabled=True, rate_per_minute=2), actor=SYSTEM)
    return event


def listen(seller, types):
    webhook_endpoints.create_endpoint(
        seller.id,
        secret_box(Settings(secret_key=TEST_SECRET)),
        EndpointPolicy(resolver=lambda host, port: ["93.184.216.34"]),
        url="https://hooks.example.com/in",
        event_types=types,
    )
    webhook_events.forget_subscriptions()


def sent(kind):
    rows = WebhookEvent.select().where(WebhookEvent.event_type == kind).order_by(WebhookEvent.id)
    return [json.loads(row.body)["data"] for row in rows]


def test_each_turn_is_told_once_when_it_comes(rooms, factory, seller, event, clock):
    listen(seller, ["queue.ready", "queue.expired"])
    ga = factory.ticket_type(event)
    for i in range(5):
        rooms.join(seller.id, str(event.id), f"cus_{i}", {ga.id: 1})
    notices.raise_notices(rooms)
    notices.raise_notices(rooms)  # a second run (another daemon) finds nothing new
    ready = sent("queue.ready")
    assert [d["customerId"] for d in ready] == ["cus_0", "cus_1"]
    assert rooms.status(ready[0]["token"]).state == "admitted"
    assert ready[0]["expiresAt"] == "2031-03-01T12:10:00Z"
    clock.move_to(T0 + timedelta(minutes=2), tick=False)
    notices.raise_notices(rooms)
    assert [d["place"] for d in sent("queue.ready")] == [1, 2, 3, 4, 5]
    assert sent("queue.expired") == []


def test_a_turn_that_ran_out_unused_is_told_expired_and_a_used_one_is_not(
    rooms, factory, seller, event, clock
):
    listen(seller, ["queue.expired"])
    ga = factory.ticket_type(event)
    first, _ = rooms.join(seller.id, str(event.id), "buyer", {ga.id: 1})
    rooms.join(seller.id, str(event.id), "idler", {ga.id: 1})
    body = order_body(ga.id, queue_token=first.token)
    submit.submit_order(seller.id, parse_partner_order(body), rooms=rooms)
    clock.move_to(T0 + timedelta(minutes=9, seconds=59), tick=False)
    notices.raise_notices(rooms)
    assert sent("queue.expired") == []
    clock.move_to(T0 + timedelta(minutes=10), tick=False)
    notices.raise_notices(rooms)
    notices.raise_notices(rooms)
    assert [d["customerId"] for d in sent("queue.expired")] == ["idler"]
    assert "token" not in sent("queue.expired")[0]
    assert sent("queue.ready") == []  # nobody listens to it: nothing stored


def test_turns_nobody_listened_to_are_not_sent_later(rooms, factory, seller, event, clock):
    ga = factory.ticket_type(event)
    rooms.join(seller.id, str(event.id), "early", {ga.id: 1})
    notices.raise_notices(rooms)
    listen(seller, ["queue.ready"])
    rooms.join(seller.id, str(event.id), "later", {ga.id: 1})
    notices.raise_notices(rooms)
    assert [d["customerId"] for d in sent("queue.ready")] == ["later"]


def test_daemons_running_at_once_tell_each_turn_once(rooms, factory, seller, event):
    listen(seller, ["queue.ready"])
    ga = factory.ticket_type(event)
    configure(seller.id, str(event.id), RoomChange(rate_per_minute=1000), actor=SYSTEM)
    for i in range(300):
        rooms.join(seller.id, str(event.id), f"cus_{i}", {ga.id: 1})
    from tp_api.db import database

    errors: list[BaseException] = []

    def run() -> None:
        try:
            with database.connection_context():
                notices.raise_notices(rooms)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    places = [d["place"] for d in sent("queue.ready")]
    assert sorted(places) == list(range(1, 301))
    assert QueueNoticeMark.get(QueueNoticeMark.kind == "queue.ready").through_seq == 300
