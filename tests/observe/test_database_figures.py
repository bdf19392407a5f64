"""The gauges read from the database when Prometheus scrapes: the outbox's depth and ages per
kind, the stock held by unpaid orders, the people waiting in an open waiting room."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.admin_api import iso
from tests.observe.metrics_text import scrape
from tests.tp_api.queue.conftest import T0
from tests.tp_api.queue.test_queue_api import joined, put_queue
from tp_api.db import write_transaction
from tp_api.services.delivery import outbox
from tp_api.services.delivery.outbox import DELIVER_TICKETS


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(T0, tick=False)
    return time_machine


def test_outbox_depth_and_ages_per_kind(client, clock):
    quiet = scrape(client)
    assert quiet.value("tp_outbox_depth", kind=DELIVER_TICKETS) == 0  # reported with zeros
    assert quiet.value("tp_outbox_oldest_due_seconds", kind=DELIVER_TICKETS) == 0
    with write_transaction():
        outbox.enqueue(DELIVER_TICKETS, {"order_id": 1, "event_id": 1})
        outbox.enqueue(
            DELIVER_TICKETS, {"order_id": 2, "event_id": 1}, not_before=T0 + timedelta(hours=1)
        )
    clock.move_to(T0 + timedelta(minutes=10), tick=False)
    figures = scrape(client)
    assert figures.value("tp_outbox_depth", kind=DELIVER_TICKETS) == 2
    assert figures.value("tp_outbox_oldest_age_seconds", kind=DELIVER_TICKETS) == 600
    # Only the first is due; it has waited ten minutes for a worker.
    assert figures.value("tp_outbox_oldest_due_seconds", kind=DELIVER_TICKETS) == 600
    assert figures.value("tp_database_figures_up") == 1


def test_stock_held_by_unpaid_orders(client, factory, seller):
    ticket_type = factory.ticket_type(factory.event(seller, ticket_stock=10))
    assert scrape(client).value("tp_stock_held") == 0
    factory.order(seller, ticket_type, quantity=2, paid=False)
    factory.order(seller, ticket_type, quantity=3)  # paid: sold, not held
    assert scrape(client).value("tp_stock_held") == 2


def test_people_waiting_in_an_open_room(client, api, clock):
    event = api.publish(
        api.create(
            startsAt=iso(T0 + timedelta(days=60)),
            ticketTypes=[{"name": "GA", "price": 2995, "quantity": 50, "maxPerOrder": 4}],
        )
    )
    put_queue(api, event, queueEnabled=True, ratePerMinute=1)
    ga = event["ticketTypes"][0]["id"]
    for customer in ("c1", "c2", "c3"):
        joined(api, event, customer, {ga: 1})
    # One place a minute: the first one's turn has come, two wait.
    waiting = scrape(client).value("tp_waiting_room_waiting", event_id=str(event["id"]))
    assert waiting == 2
    clock.move_to(T0 + timedelta(minutes=5), tick=False)
    assert scrape(client).value("tp_waiting_room_waiting", event_id=str(event["id"])) == 0
