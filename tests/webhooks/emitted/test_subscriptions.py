"""Who receives what: every type raised over a lifecycle, only the subscribed types, nothing
for disabled, deleted or other accounts' endpoints."""

from __future__ import annotations

import json

from tests.factories import Seller
from tests.webhooks.emitted.support import (
    HOLDER,
    Shop,
    make_shop,
    order_row,
    personalise_body,
    push_order,
    subscribe,
    tickets_of,
    types_of,
)
from tests.webhooks.support import (
    public_dns,
    stored_events,
    webhook_rows,
)
from tp_api.models import (
    TicketType,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)
from tp_api.services.orders import personalise
from tp_api.services.webhooks import webhook_endpoints
from tp_api.services.webhooks.webhook_endpoints import EndpointPolicy

# --- who receives what ---------------------------------------------------------------------------


def fresh_type(factory, seller: Seller) -> int:
    """A ticket type of a new event of the seller (the lifecycle cancels the shop's event)."""
    return int(factory.ticket_type(factory.event(seller)).id)


def lifecycle(shop: Shop, factory, client) -> dict[str, int]:
    """Raise (nearly) every event type on the shop's account; the order numbers used."""
    unpaid = shop.push(paid=False)
    paid = shop.push(quantity=2, wp_user_id=7)
    personalise.personalise_tickets(
        shop.seller.id,
        shop.event.id,
        wp_user_id=7,
        body=personalise_body(tickets_of(order_row(paid).id)),
    )
    ticket = tickets_of(order_row(paid).id)[0]
    assert shop.api.post(f"/tickets/{ticket.reference}/transfer", HOLDER).status_code == 200
    refund = shop.api.post(f"/orders/{paid}/refund", {})
    assert refund.status_code == 200, refund.get_data(as_text=True)
    draft = shop.api.post(
        "/events", {"title": "Later", "startsAt": "2031-09-01T19:00:00Z", "ticketTypes": []}
    )
    draft_id = draft.get_json()["id"]
    shop.api.post(f"/events/{draft_id}/ticket-types", {"name": "GA", "price": 100, "quantity": 1})
    assert shop.api.post(f"/events/{draft_id}/publish").status_code == 200
    last_type = TicketType.get(TicketType.event == draft_id).id
    push_order(client, shop.seller, last_type)
    assert shop.api.post(f"/events/{shop.event.id}/cancel").status_code == 200
    return {"unpaid": unpaid, "paid": paid}


RAISED_BY_LIFECYCLE = {
    "order.created",
    "order.paid",
    "order.refunded",
    "order.cancelled",
    "ticket.created",
    "ticket.personalized",
    "ticket.reissued",
    "event.published",
    "event.cancelled",
    "event.sold_out",
    "ticket_type.sold_out",
    "ticket_type.availability_changed",
}


def test_the_lifecycle_raises_every_type(hooked, factory, client):
    lifecycle(hooked, factory, client)
    assert set(types_of(stored_events())) == RAISED_BY_LIFECYCLE


def test_an_account_without_endpoints_stores_nothing(shop, factory, client):
    lifecycle(shop, factory, client)
    assert webhook_rows() == (0, 0, 0)


def test_an_endpoint_gets_only_the_types_it_subscribes_to(shop, factory, client, settings):
    payments = subscribe(settings, shop.seller, ["order.paid", "order.refunded"])
    tickets = subscribe(settings, shop.seller, ["ticket.personalized", "order.paid"])
    lifecycle(shop, factory, client)

    def heard(endpoint: WebhookEndpoint) -> list[str]:
        rows = (
            WebhookEvent.select(WebhookEvent.event_type)
            .join(WebhookDelivery)
            .where(WebhookDelivery.endpoint == endpoint.id)
            .where(WebhookEvent.event_type != "webhook.ping")
            .order_by(WebhookEvent.id)
        )
        return [r.event_type for r in rows]

    # The paid order, its refund, then the sale of the last unit of the later event.
    assert heard(payments) == ["order.paid", "order.refunded", "order.paid"]
    assert heard(tickets) == [
        "order.paid",
        "ticket.personalized",
        "ticket.personalized",
        "order.paid",
    ]
    # Only what someone hears is stored; one event per change, shared by its deliveries.
    assert set(types_of(stored_events())) == {"order.paid", "order.refunded", "ticket.personalized"}
    assert len(stored_events("order.paid")) == 2


def test_a_disabled_endpoint_gets_nothing(shop, factory, client, settings):
    endpoint = subscribe(settings, shop.seller)
    shop.push()
    webhook_endpoints.update_endpoint(
        shop.seller.id, endpoint.id, EndpointPolicy(resolver=public_dns), enabled=False
    )
    before = webhook_rows()
    lifecycle(shop, factory, client)
    assert webhook_rows() == before
    # Enabled again, it hears what follows.
    webhook_endpoints.update_endpoint(
        shop.seller.id, endpoint.id, EndpointPolicy(resolver=public_dns), enabled=True
    )
    push_order(client, shop.seller, fresh_type(factory, shop.seller))
    assert webhook_rows()[1] == before[1] + 3
    assert types_of(stored_events())[-3:] == ["order.created", "order.paid", "ticket.created"]


def test_another_accounts_endpoint_never_gets_this_accounts_events(shop, factory, client, settings):
    other = make_shop(factory, client)
    theirs = subscribe(settings, other.seller)
    lifecycle(shop, factory, client)
    assert webhook_rows() == (1, 1, 1)  # their ping only
    other.push()
    mine = subscribe(settings, shop.seller)
    push_order(client, shop.seller, fresh_type(factory, shop.seller))
    for endpoint, account in ((theirs, other.seller.id), (mine, shop.seller.id)):
        events = (
            WebhookEvent.select()
            .join(WebhookDelivery)
            .where(WebhookDelivery.endpoint == endpoint.id)
        )
        assert {e.account_id for e in events} == {account}
        assert {json.loads(e.body)["accountId"] for e in events} == {account}
    assert len(stored_events()) == 6  # order.created, order.paid, ticket.created: twice


def test_a_deleted_endpoint_gets_nothing(shop, settings):
    endpoint = subscribe(settings, shop.seller)
    webhook_endpoints.delete_endpoint(shop.seller.id, endpoint.id)
    before = webhook_rows()
    shop.push()
    assert webhook_rows() == before


def test_an_endpoint_deleted_by_another_process_does_not_break_orders(shop, settings):
    # Another process (an API worker) deletes the endpoint: this process's subscription cache
    # does not know for up to SUBSCRIPTION_TTL.
    endpoint = subscribe(settings, shop.seller)
    shop.push()  # this process now remembers the endpoint
    WebhookEndpoint.get_by_id(endpoint.id).delete_instance(recursive=True)
    number = shop.push(wp_order_id="wc_after_delete")
    assert order_row(number).wp_order_id == "wc_after_delete"
