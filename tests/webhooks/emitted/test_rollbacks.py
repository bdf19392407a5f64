"""Nothing is raised for a change that rolled back, and a stored event is delivered as it
was stored."""

from __future__ import annotations

import json

import pytest
from standardwebhooks import Webhook

from tests.factories import order_body
from tests.webhooks.emitted.support import (
    only,
    order_row,
)
from tests.webhooks.support import (
    drain,
    receiver,
    stored_events,
    webhook_rows,
    worker,
)
from tp_api.db import write_transaction
from tp_api.models import (
    Order,
    OrderStatus,
)
from tp_api.services.credentials.secret_box import SecretBox
from tp_api.services.errors import TicketingError
from tp_api.services.orders import cancellation
from tp_api.services.webhooks import webhook_endpoints
from tp_api.services.webhooks.webhook_endpoints import EndpointPolicy

# --- rollbacks -----------------------------------------------------------------------------------


def test_an_exception_after_the_emit_leaves_nothing(hooked):
    unpaid = hooked.push(paid=False)
    before = webhook_rows()

    class Boom(Exception):
        pass

    with pytest.raises(Boom), write_transaction():
        cancellation.cancel_order(order_row(unpaid), status=OrderStatus.CANCELLED)
        assert webhook_rows() != before  # raised inside the transaction
        raise Boom
    assert webhook_rows() == before
    assert order_row(unpaid).status == OrderStatus.PENDING
    # The same change committed is raised once.
    with write_transaction():
        cancellation.cancel_order(order_row(unpaid), status=OrderStatus.CANCELLED)
    assert len(stored_events("order.cancelled")) == 1


def test_refused_changes_leave_nothing(hooked, client):
    before = webhook_rows()
    too_many = client.post(
        f"/tp-api/orders/create?key={hooked.seller.key}",
        data=json.dumps(order_body(hooked.ticket_type.id, quantity=101)),
        content_type="application/json",
    )
    assert too_many.status_code >= 400
    unpaid = hooked.push(paid=False)
    after_unpaid = webhook_rows()
    refused = hooked.api.post(f"/orders/{unpaid}/refund", {})
    assert refused.status_code == 409
    assert webhook_rows() == after_unpaid
    assert webhook_rows()[0] == before[0] + 1  # order.created of the unpaid order only


def test_a_failing_event_cancel_leaves_nothing(hooked, monkeypatch):
    hooked.push(paid=False)
    hooked.push()
    before = webhook_rows()
    from tp_api.services.events import event_lifecycle

    def broken_move(*args, **kwargs):
        raise TicketingError("lifecycle store failed")

    monkeypatch.setattr(event_lifecycle, "_move", broken_move)
    with pytest.raises(TicketingError):
        event_lifecycle.cancel_event(hooked.seller.id, str(hooked.event.id))
    assert webhook_rows() == before
    assert {o.status for o in Order.select()} == {OrderStatus.PENDING, OrderStatus.PROCESSING}


# --- delivered -----------------------------------------------------------------------------------


def test_an_order_event_is_delivered_as_stored(shop, settings):
    with receiver() as rx:
        created = webhook_endpoints.create_endpoint(
            shop.seller.id,
            SecretBox([settings.secret_key]),
            EndpointPolicy(allow_private=True),
            url=rx.url,
            event_types=["order.paid"],
        )
        number = shop.push()
        drain(worker(settings))
        ping, paid = rx.wait_for(2)
    payload = Webhook(created.secret).verify(paid.body, paid.headers)
    assert payload["type"] == paid.headers["x-tp-event"] == "order.paid"
    assert payload["data"] == shop.order(number)
    assert payload == only("order.paid")
