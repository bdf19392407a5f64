"""Which domain change raises which webhook event, with the object as the admin API renders
it in ``data``; who receives it; and nothing is raised for a change that rolled back."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from standardwebhooks import Webhook

from config.tickets import ticket_tools
from tests.admin_api import Admin
from tests.factories import Seller, order_body
from tests.webhooks.support import (
    ALL_TYPES,
    PUBLIC_ADDRESS,
    drain,
    receiver,
    stored_events,
    webhook_rows,
    worker,
)
from tp_api.db import write_transaction
from tp_api.models import (
    Event,
    Order,
    OrderStatus,
    Ticket,
    TicketType,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)
from tp_api.services.credentials.secret_box import SecretBox
from tp_api.services.delivery.ticket_files import ticket_code
from tp_api.services.door import scanners
from tp_api.services.errors import TicketingError
from tp_api.services.orders import cancellation, personalise
from tp_api.services.orders.personalise import AttendeeInput
from tp_api.services.webhooks import webhook_endpoints
from tp_api.services.webhooks.webhook_endpoints import EndpointPolicy

HOLDER = {"firstName": "Sam", "lastName": "Smith", "email": "sam@example.com"}


def public_dns(host: str, port: int) -> list[str]:
    return [PUBLIC_ADDRESS]


def subscribe(
    settings, seller: Seller, types: list[str] | None = None, url: str | None = None
) -> WebhookEndpoint:
    """An endpoint of the seller (its creation ping left out of what follows)."""
    created = webhook_endpoints.create_endpoint(
        seller.id,
        SecretBox([settings.secret_key]),
        EndpointPolicy(allow_private=url is not None, resolver=public_dns),
        url=url or f"https://hooks.example.com/{seller.id}",
        event_types=types or ALL_TYPES,
    )
    return created.endpoint


@dataclass
class Shop:
    seller: Seller
    api: Admin
    client: Any
    event: Event
    ticket_type: TicketType

    def push(self, quantity: int = 1, **fields: Any) -> int:
        """``POST /tp-api/orders/create``; the order's public number."""
        return push_order(self.client, self.seller, self.ticket_type.id, quantity, **fields)

    def order(self, number: int) -> dict[str, Any]:
        """``GET /orders/{number}``: the order by its public number."""
        response = self.api.get(f"/orders/{number}")
        assert response.status_code == 200, response.get_data(as_text=True)
        return dict(response.get_json())

    def event_json(self, event_id: int | None = None) -> dict[str, Any]:
        response = self.api.get(f"/events/{event_id or self.event.id}")
        assert response.status_code == 200, response.get_data(as_text=True)
        return dict(response.get_json())


def push_order(client, seller: Seller, ticket_type_id: int, quantity: int = 1, **fields) -> int:
    """A partner order push; the order's public number (``X-TP-Order-Id``)."""
    body = order_body(ticket_type_id, quantity=quantity, **fields)
    response = client.post(
        f"/tp-api/orders/create?key={seller.key}",
        data=json.dumps(body),
        content_type="application/json",
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    return int(response.headers["X-TP-Order-Id"])


def make_shop(factory, client, **event_fields: Any) -> Shop:
    seller = factory.seller()
    event = factory.event(seller, **event_fields)
    return Shop(
        seller,
        Admin(client, factory.api_key(seller)),
        client,
        event,
        factory.ticket_type(event),
    )


@pytest.fixture
def shop(factory, client) -> Shop:
    return make_shop(factory, client)


@pytest.fixture
def hooked(shop, settings) -> Shop:
    """The shop with an endpoint hearing every event type."""
    subscribe(settings, shop.seller)
    return shop


def types_of(events: list[dict[str, Any]]) -> list[str]:
    return [e["type"] for e in events]


def only(event_type: str) -> dict[str, Any]:
    (event,) = stored_events(event_type)
    return event


def tickets_of(order_id: int) -> list[Ticket]:
    """The tickets of the order with this row id."""
    return list(Ticket.select().where(Ticket.order == order_id).order_by(Ticket.id))


def order_row(number: int) -> Order:
    """The stored order with this public number (what ``push`` answers)."""
    return Order.get(Order.number == number)


def personalise_body(tickets: list[Ticket]) -> dict[str, Any]:
    return {
        "tickets": [
            {
                "ticket_id": t.reference,
                "first_name": f"Guest{i}",
                "last_name": "Doe",
                "email": f"g{i}@example.com",
                "tel": "+31600000000",
            }
            for i, t in enumerate(tickets)
        ]
    }


# --- orders --------------------------------------------------------------------------------------


def test_a_paid_partner_order_emits_created_then_paid(hooked):
    number = hooked.push(quantity=2)
    events = stored_events()
    assert types_of(events) == ["order.created", "order.paid"]
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
    assert types_of(stored_events()) == ["order.created", "order.paid"]


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


# --- tickets -------------------------------------------------------------------------------------


def test_personalising_emits_one_event_per_ticket(hooked):
    number = hooked.push(quantity=2, wp_user_id=7)
    tickets = tickets_of(order_row(number).id)
    response = hooked.client.post(
        f"/tp-api/events/{hooked.event.id}/tickets/personalize?key={hooked.seller.key}&wp_user_id=7",
        data=json.dumps(personalise_body(tickets)),
        content_type="application/json",
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    events = stored_events("ticket.personalized")
    rendered = hooked.order(number)["tickets"]
    assert [e["data"] for e in events] == rendered
    assert [t["status"] for t in rendered] == ["active", "active"]
    assert [t["firstName"] for t in rendered] == ["Guest0", "Guest1"]
    # Personalising again (nothing changes) raises nothing.
    hooked.client.post(
        f"/tp-api/events/{hooked.event.id}/tickets/personalize?key={hooked.seller.key}&wp_user_id=7",
        data=json.dumps(personalise_body(tickets)),
        content_type="application/json",
    )
    assert len(stored_events("ticket.personalized")) == 2


def test_the_factorys_personalisation_emits_too(hooked, factory):
    outcome = factory.order(hooked.seller, hooked.ticket_type, quantity=3)
    factory.personalise_all(hooked.seller, outcome)
    events = stored_events("ticket.personalized")
    assert [e["data"] for e in events] == hooked.order(outcome.number)["tickets"]


def test_a_transfer_emits_reissued(hooked, factory):
    outcome = factory.order(hooked.seller, hooked.ticket_type)
    factory.personalise_all(hooked.seller, outcome)
    (ticket,) = tickets_of(outcome.order_id)
    response = hooked.api.post(f"/tickets/{ticket.reference}/transfer", HOLDER)
    assert response.status_code == 200, response.get_data(as_text=True)
    reissued = only("ticket.reissued")["data"]
    assert reissued == response.get_json()
    assert (reissued["id"], reissued["version"], reissued["firstName"]) == (
        ticket.reference,
        2,
        "Sam",
    )
    assert reissued == hooked.order(outcome.number)["tickets"][0]


def test_a_reissue_emits_reissued(hooked, factory):
    outcome = factory.order(hooked.seller, hooked.ticket_type)
    (ticket,) = factory.personalise_all(hooked.seller, outcome)
    personalise.reissue_ticket(
        hooked.seller.id,
        ticket.reference,
        AttendeeInput(
            ticket_id=ticket.reference,
            first_name="Kim",
            last_name="Lee",
            email="kim@example.com",
            phone="",
        ),
    )
    reissued = only("ticket.reissued")["data"]
    assert reissued == hooked.order(outcome.number)["tickets"][0]
    assert (reissued["firstName"], reissued["version"]) == ("Kim", 2)


# --- the door ------------------------------------------------------------------------------------


@pytest.fixture
def door(hooked, factory, settings):
    outcome = factory.order(hooked.seller, hooked.ticket_type, quantity=2)
    tickets = factory.personalise_all(hooked.seller, outcome)
    scanner = scanners.create_scanner(hooked.seller.id, "Gate A", [hooked.event.id])
    tools = ticket_tools(settings)
    return {
        "shop": hooked,
        "tickets": tickets,
        "codes": [ticket_code(tools, t) for t in tickets],
        "key": scanner.secret,
        "scanner_id": scanner.scanner.id,
    }


def instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def scan(client, door, code, direction="in"):
    response = client.post(
        "/api/v1/checkin/scan",
        json={
            "qrPayload": code,
            "eventId": door["shop"].event.id,
            "gate": "North",
            "device": "phone-1",
            "direction": direction,
        },
        headers={"Authorization": f"Bearer {door['key']}"},
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def test_a_scan_emits_checkin_completed(client, door):
    result = scan(client, door, door["codes"][0])
    assert result["success"] is True
    completed = only("checkin.completed")
    assert completed["data"] == {
        "ticketId": door["tickets"][0].reference,
        "eventId": door["shop"].event.id,
        "direction": "in",
        "gate": "North",
        "device": "phone-1",
        "scannerId": door["scanner_id"],
        "attendeeName": result["attendeeName"],
        "tierName": result["tierName"],
        "checkedInAt": completed["data"]["checkedInAt"],
        "offline": False,
    }
    # The door answers +00:00, the webhook Z (as the admin API does): the same instant.
    assert instant(completed["data"]["checkedInAt"]) == instant(result["checkedInAt"])
    assert completed["data"]["checkedInAt"].endswith("Z")
    assert result["attendeeName"] == "Attendee0 Doe"
    # The decision was recorded with the event (the same transaction).
    assert Ticket.get_by_id(door["tickets"][0].id).status == 3
    # A refused scan raises nothing; leaving does.
    again = scan(client, door, door["codes"][0])
    assert again["success"] is False and again["reason"] == "already_checked_in"
    assert len(stored_events("checkin.completed")) == 1
    out = scan(client, door, door["codes"][0], direction="out")
    assert out["success"] is True
    events = stored_events("checkin.completed")
    assert [e["data"]["direction"] for e in events] == ["in", "out"]


def test_a_scan_without_a_listener_raises_nothing(client, door):
    endpoint = WebhookEndpoint.get()
    webhook_endpoints.update_endpoint(
        door["shop"].seller.id,
        endpoint.id,
        EndpointPolicy(resolver=public_dns),
        event_types=["order.paid"],
    )
    before = webhook_rows()
    result = scan(client, door, door["codes"][1])
    assert result["success"] is True
    assert webhook_rows() == before
    assert Ticket.get_by_id(door["tickets"][1].id).status == 3


def test_an_offline_upload_emits_checkin_completed(client, door):
    scanned_at = (datetime.now(UTC) - timedelta(hours=1)).replace(microsecond=0)
    scans = [
        {
            "nonce": "off-1",
            "qrPayload": door["codes"][1],
            "eventId": door["shop"].event.id,
            "gate": "East",
            "device": "phone-9",
            "scannedAt": scanned_at.isoformat(),
        }
    ]
    headers = {"Authorization": f"Bearer {door['key']}"}
    response = client.post("/api/v1/checkin/upload", json={"scans": scans}, headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    (result,) = response.get_json()["results"]
    assert result["success"] is True
    data = only("checkin.completed")["data"]
    assert (data["ticketId"], data["gate"], data["device"], data["offline"]) == (
        door["tickets"][1].reference,
        "East",
        "phone-9",
        True,
    )
    assert instant(data["checkedInAt"]) == scanned_at
    # The same upload again (a retry) raises nothing more.
    again = client.post("/api/v1/checkin/upload", json={"scans": scans}, headers=headers)
    assert again.status_code == 200
    assert len(stored_events("checkin.completed")) == 1


# --- events --------------------------------------------------------------------------------------


def test_publishing_emits_published(hooked):
    created = hooked.api.post(
        "/events",
        {
            "title": "Autumn Nights",
            "startsAt": "2031-09-01T19:00:00Z",
            "ticketTypes": [{"name": "GA", "price": 2500, "quantity": 10}],
        },
    )
    assert created.status_code == 201, created.get_data(as_text=True)
    assert stored_events("event.published") == []
    response = hooked.api.post(f"/events/{created.get_json()['id']}/publish")
    assert response.status_code == 200, response.get_data(as_text=True)
    published = only("event.published")["data"]
    assert published == response.get_json()
    assert published["status"] == "published"


def test_cancelling_a_draft_emits_cancelled(hooked):
    created = hooked.api.post(
        "/events",
        {"title": "Maybe", "startsAt": "2031-09-01T19:00:00Z", "ticketTypes": []},
    )
    assert created.status_code == 201, created.get_data(as_text=True)
    event_id = created.get_json()["id"]
    assert hooked.api.post(f"/events/{event_id}/cancel").status_code == 200
    cancelled = only("event.cancelled")["data"]
    assert cancelled == hooked.event_json(event_id)
    assert (cancelled["id"], cancelled["status"]) == (event_id, "cancelled")


def ticket_type_json(shop: Shop, type_id: int, event_id: int | None = None) -> dict[str, Any]:
    response = shop.api.get(f"/events/{event_id or shop.event.id}/ticket-types")
    assert response.status_code == 200, response.get_data(as_text=True)
    return next(t for t in response.get_json()["items"] if t["id"] == type_id)


def test_selling_the_last_unit_emits_sold_out(factory, client, settings):
    shop = make_shop(factory, client, ticket_stock=3)
    subscribe(settings, shop.seller)
    shop.push(quantity=2)
    assert stored_events("ticket_type.sold_out") == stored_events("event.sold_out") == []
    shop.push(quantity=1)
    type_sold_out = only("ticket_type.sold_out")["data"]
    assert type_sold_out == ticket_type_json(shop, shop.ticket_type.id)
    assert (type_sold_out["available"], type_sold_out["sold"]) == (0, 3)
    event_sold_out = only("event.sold_out")["data"]
    assert event_sold_out == shop.event_json()
    assert event_sold_out["status"] == "sold_out"
    # Order: the order's own events first.
    assert types_of(stored_events())[-4:] == [
        "order.created",
        "order.paid",
        "ticket_type.sold_out",
        "event.sold_out",
    ]


def test_one_type_sold_out_is_not_the_event_sold_out(factory, client, settings):
    shop = make_shop(factory, client, ticket_stock=1)
    other = TicketType.create(event=shop.event, name="VIP", price_cents=9900, stock=5)
    subscribe(settings, shop.seller)
    shop.push(quantity=1)
    assert [e["data"]["id"] for e in stored_events("ticket_type.sold_out")] == [shop.ticket_type.id]
    assert stored_events("event.sold_out") == []
    push_order(client, shop.seller, other.id, quantity=5)
    assert [e["data"]["id"] for e in stored_events("ticket_type.sold_out")] == [
        shop.ticket_type.id,
        other.id,
    ]
    assert only("event.sold_out")["data"] == shop.event_json()


def test_a_shared_pool_running_out_is_the_event_sold_out(factory, client, settings):
    shop = make_shop(factory, client, manage_stock_per_ticket=False, stock=2, ticket_stock=50)
    subscribe(settings, shop.seller)
    shop.push(quantity=2)
    assert only("ticket_type.sold_out")["data"]["id"] == shop.ticket_type.id
    event = only("event.sold_out")["data"]
    assert event == shop.event_json()
    assert (event["available"], event["status"]) == (0, "sold_out")


def test_an_event_with_dates_is_sold_out_when_every_date_is(factory, client, settings):
    children = [
        {
            "name": f"Day {n}",
            "start_date": 1785780000 + n * 86400,
            "tickets": [{"name": f"Day {n} pass", "stock": 1, "price": 10}],
        }
        for n in (1, 2)
    ]
    shop = make_shop(factory, client, children=children, ticket_stock=1)
    subscribe(settings, shop.seller)
    dates = list(Event.select().where(Event.parent == shop.event.id).order_by(Event.id))
    day_types = [TicketType.get(TicketType.event == d).id for d in dates]
    shop.push(quantity=1)
    push_order(client, shop.seller, day_types[0])
    assert stored_events("event.sold_out") == []
    assert [e["data"]["id"] for e in stored_events("ticket_type.sold_out")] == [
        shop.ticket_type.id,
        day_types[0],
    ]
    push_order(client, shop.seller, day_types[1])
    sold_out = only("event.sold_out")["data"]
    assert sold_out["id"] == shop.event.id
    assert sold_out == shop.event_json()


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
    "ticket.personalized",
    "ticket.reissued",
    "event.published",
    "event.cancelled",
    "event.sold_out",
    "ticket_type.sold_out",
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
    assert webhook_rows()[1] == before[1] + 2
    assert types_of(stored_events())[-2:] == ["order.created", "order.paid"]


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
    assert len(stored_events()) == 4


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
