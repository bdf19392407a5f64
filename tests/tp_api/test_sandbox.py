"""Test mode (seed 002, docs/sandbox.md): test-mode credentials act on the account's sandbox,
whose data never reaches the live account's figures, webhooks or stock, and is wiped in one
action while the test credentials keep working."""

from __future__ import annotations

import json
from types import SimpleNamespace

from tests.admin_api import Admin
from tests.factories import order_body
from tests.webhooks.emitted.support import subscribe
from tests.webhooks.support import stored_events
from tp_api.models import (
    Account,
    Affiliate,
    AffiliateLink,
    AuditEntry,
    Event,
    Order,
    Ticket,
    TicketType,
)
from tp_api.services import sandbox
from tp_api.services.credentials import oauth_clients


def push(client, key: str, ticket_type_id: int, quantity: int = 1):
    return client.post(
        f"/tp-api/orders/create?key={key}",
        data=json.dumps(order_body(ticket_type_id, quantity=quantity)),
        content_type="application/json",
    )


def test_a_test_partner_key_works_on_a_copy_of_the_catalogue(client, factory, seller):
    event = factory.event(seller, name="Harbour Jazz", children=[{"name": "Day 1", "tickets": []}])
    live_type = factory.ticket_type(event)
    push(client, seller.key, live_type.id, quantity=2)
    made = sandbox.create_test_partner_key(seller.id, label="Test shop")
    assert made.secret.startswith("tp_test_")

    listed = client.get(f"/tp-api/events?key={made.secret}")
    assert listed.status_code == 200 and listed.headers["X-TP-Test-Mode"] == "true"
    assert "X-TP-Test-Mode" not in client.get(f"/tp-api/events?key={seller.key}").headers
    box = sandbox.find_sandbox(seller.id)
    copied = Event.get((Event.account == box.id) & Event.parent.is_null())
    assert copied.name == "Harbour Jazz" and copied.id != event.id
    assert Event.select().where(Event.parent == copied.id).count() == 1
    test_type = TicketType.get(TicketType.event == copied.id, TicketType.name == live_type.name)
    assert (test_type.stock, test_type.sold, test_type.price_cents) == (
        live_type.stock,
        0,
        live_type.price_cents,
    )
    # The live catalogue's ids are not the sandbox's: a test shop maps to the sandbox's.
    assert push(client, made.secret, live_type.id).status_code == 400

    assert push(client, made.secret, test_type.id, quantity=3).status_code == 200
    assert TicketType.get_by_id(live_type.id).sold == 2  # live stock untouched
    assert TicketType.get_by_id(test_type.id).sold == 3
    assert Order.select().where(Order.account == seller.id).count() == 1
    assert Order.select().where(Order.account == box.id).count() == 1


def test_test_data_never_reaches_live_webhooks(client, factory, seller, settings):
    event = factory.event(seller)
    factory.ticket_type(event)
    subscribe(settings, seller)  # a live endpoint hearing everything
    made = sandbox.create_test_partner_key(seller.id)
    box = sandbox.find_sandbox(seller.id)
    test_type = TicketType.select().join(Event).where(Event.account == box.id).get()
    assert push(client, made.secret, test_type.id).status_code == 200
    assert stored_events() == []  # the live account heard nothing
    # An endpoint of the sandbox (as a test key would register it) hears the test orders.
    subscribe(settings, SimpleNamespace(id=box.id), ["order.created"])
    assert push(client, made.secret, test_type.id).status_code == 200
    heard = stored_events()
    assert [(e["type"], e["accountId"]) for e in heard] == [("order.created", box.id)]


def test_admin_api_test_keys_and_the_wipe(client, factory, seller):
    event = factory.event(seller)
    factory.ticket_type(event)
    live = Admin(client, factory.api_key(seller))
    assert live.get("/test-data").get_json() == {
        "sandboxAccountId": None,
        "events": 0,
        "orders": 0,
    }
    created = live.post("/api-keys", {"label": "certification", "testMode": True})
    assert created.status_code == 201, created.get_data(as_text=True)
    body = created.get_json()
    assert body["secret"].startswith("tpk_test_") and body["testMode"] is True
    assert [k["testMode"] for k in live.get("/api-keys").get_json()["items"]] == [False]

    test = Admin(client, body["secret"])
    events = test.get("/events")
    assert events.status_code == 200 and events.headers["X-TP-Test-Mode"] == "true"
    (copied,) = events.get_json()["items"]
    assert copied["id"] != event.id
    # A key made by a test key is a test key too.
    nested = test.post("/api-keys", {"label": "nested"}).get_json()
    assert nested["secret"].startswith("tpk_test_")

    made = sandbox.create_test_partner_key(seller.id)
    test_type = TicketType.select().where(TicketType.event == copied["id"]).get()
    assert push(client, made.secret, test_type.id, quantity=2).status_code == 200
    box = sandbox.find_sandbox(seller.id)
    assert Ticket.select().join(Order).where(Order.account == box.id).count() == 2
    assert live.get("/test-data").get_json() == {
        "sandboxAccountId": box.id,
        "events": 1,
        "orders": 1,
    }

    test_affiliate = Affiliate.create(account=box.id, name="Blog", code="blog", rate_bps=1000)
    link = AffiliateLink.create(
        affiliate=test_affiliate, event=copied["id"], code="t3stl1nk", clicks=4
    )
    wiped = live.delete("/test-data")
    assert wiped.status_code == 200 and wiped.get_json() == {"ordersDeleted": 1}
    assert Order.select().where(Order.account == box.id).count() == 0
    assert Ticket.select().count() == 0
    assert TicketType.get_by_id(test_type.id).sold == 0
    assert AffiliateLink.get_by_id(link.id).clicks == 0
    assert test.get("/events").status_code == 200  # the test key still works
    assert push(client, made.secret, test_type.id).status_code == 200
    assert AuditEntry.get(AuditEntry.action == "sandbox.wiped").account_id == seller.id
    # From the test side, the same sandbox.
    assert test.get("/test-data").get_json()["sandboxAccountId"] == box.id


def test_a_test_oauth_client_gets_test_tokens(client, seller):
    made = sandbox.create_test_oauth_client(seller.id, label="certification")
    assert made.client.client_id.startswith("tpc_test_")
    assert made.secret.startswith("tpcs_test_")
    body = {
        "grant_type": "client_credentials",
        "client_id": made.client.client_id,
        "client_secret": made.secret,
    }
    token = client.post("/api/v1/oauth/token", json=body).get_json()["access_token"]
    assert token.startswith("tpat_test_")
    events = client.get("/api/v1/events", headers={"Authorization": f"Bearer {token}"})
    assert events.headers["X-TP-Test-Mode"] == "true"
    rotated = oauth_clients.rotate_secret(made.client.account_id, made.client.id)
    assert rotated.secret.startswith("tpcs_test_")


def test_one_sandbox_per_account_named_after_it(seller):
    first = sandbox.sandbox_of(seller.id)
    assert sandbox.sandbox_of(seller.id).id == first.id
    assert sandbox.sandbox_of(first.id).id == first.id  # a sandbox is its own sandbox
    assert Account.get_by_id(first.id).name.endswith("(test mode)")
    assert sandbox.live_account_id(first.id) == seller.id
