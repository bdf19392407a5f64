"""Every orders/customers/keys/scanners endpoint checks its scope, and one account never
sees or touches another's orders, tickets, customers, keys or scanners."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.admin_api import ALL_SCOPES, api_error
from tests.tp_api.admin_orders.helpers import auth, line_number, make_shop, new_key, tickets_of
from tp_api.models import ApiKey, Order, OutboxEntry, Refund, Scanner, Ticket
from tp_api.services.door import scanners


@dataclass
class World:
    shop: object
    order_id: int  # the row id, for the database
    order_number: int  # the public number, for the admin API
    ticket: str
    spare_key: int
    scanner: int


@pytest.fixture
def world(factory, shop) -> World:
    order = shop.personalised_order(factory, quantity=2)
    # A key with only keys:write may revoke it: it holds no scope the revoker lacks.
    _, spare = new_key(shop.seller, ["keys:write"])
    scanner = scanners.create_scanner(shop.seller.id, "Gate", [shop.event.id])
    return World(
        shop,
        order.id,
        order.number,
        tickets_of(order.id)[0].reference,
        spare,
        scanner.scanner.id,
    )


# (method, path, scope, body, status when allowed)
ENDPOINTS = [
    ("GET", "/orders", "orders:read", None, 200),
    ("GET", "/orders/{order}", "orders:read", None, 200),
    ("POST", "/orders/{order}/refund", "orders:write", {}, 200),
    ("POST", "/orders/{order}/resend", "orders:write", {}, 202),
    ("POST", "/tickets/{ticket}/transfer", "orders:write", None, 200),
    ("GET", "/customers", "customers:read", None, 200),
    ("GET", "/customers/export", "customers:read", None, 200),
    ("GET", "/api-keys", "keys:write", None, 200),
    ("POST", "/api-keys", "keys:write", {}, 201),
    ("DELETE", "/api-keys/{key}", "keys:write", None, 200),
    ("GET", "/scanners", "checkin:write", None, 200),
    ("POST", "/scanners", "checkin:write", None, 201),
    ("DELETE", "/scanners/{scanner}", "checkin:write", None, 200),
]
IDS = [f"{m} {p}" for m, p, *_ in ENDPOINTS]
HOLDER = {"firstName": "Sam", "lastName": "Smith", "email": "sam@example.com"}


def call(client, world, key, method, path, body):
    url = "/api/v1" + path.format(
        order=world.order_number, ticket=world.ticket, key=world.spare_key, scanner=world.scanner
    )
    if body is None and path == "/tickets/{ticket}/transfer":
        body = HOLDER
    if body is None and path == "/scanners":
        body = {"name": "Gate B", "eventIds": [world.shop.event.id]}
    return client.open(url, method=method, json=body, headers=auth(key))


def footprint() -> tuple:
    """Rows a refused write must leave as they were."""
    return (
        [(o.id, o.status, o.refunded_cents) for o in Order.select().order_by(Order.id)],
        Refund.select().count(),
        OutboxEntry.select().count(),
        [(t.id, t.status, t.version, t.email) for t in Ticket.select().order_by(Ticket.id)],
        [(k.id, k.revoked_at) for k in ApiKey.select().order_by(ApiKey.id)],
        [(s.id, s.revoked_at) for s in Scanner.select().order_by(Scanner.id)],
    )


@pytest.mark.parametrize(("method", "path", "scope", "body", "ok"), ENDPOINTS, ids=IDS)
def test_a_key_without_the_scope_is_refused(client, world, method, path, scope, body, ok):
    secret, _ = new_key(world.shop.seller, [s for s in ALL_SCOPES if s != scope])
    before = footprint()
    response = call(client, world, secret, method, path, body)
    error = api_error(response, 403, "missing_scopes")
    assert error["details"] == {"missingScopes": [scope]}
    assert scope in error["message"]
    after = footprint()
    # Only the key's own last use may have been recorded.
    assert after[:4] == before[:4] and after[5] == before[5]
    assert [k[0] for k in after[4]] == [k[0] for k in before[4]]


@pytest.mark.parametrize(("method", "path", "scope", "body", "ok"), ENDPOINTS, ids=IDS)
def test_the_scope_alone_is_enough(client, world, method, path, scope, body, ok):
    secret, _ = new_key(world.shop.seller, [scope])
    response = call(client, world, secret, method, path, body)
    assert response.status_code == ok, response.get_data(as_text=True)


# --- another account -----------------------------------------------------------------------


@pytest.fixture
def intruder(factory):
    return make_shop(factory)


@pytest.mark.parametrize(
    ("method", "path", "code"),
    [
        ("GET", "/orders/{order}", "order_not_found"),
        ("POST", "/orders/{order}/refund", "order_not_found"),
        ("POST", "/orders/{order}/resend", "order_not_found"),
        ("POST", "/tickets/{ticket}/transfer", "ticket_not_found"),
        ("DELETE", "/api-keys/{key}", "api_key_not_found"),
        ("DELETE", "/scanners/{scanner}", "scanner_not_found"),
    ],
)
def test_another_accounts_resources_are_not_found(client, world, intruder, method, path, code):
    before = footprint()
    body = {} if method == "POST" and "transfer" not in path else None
    response = call(client, world, intruder.key, method, path, body)
    api_error(response, 404, code)
    after = footprint()
    assert after[:4] == before[:4] and after[5] == before[5]
    assert [k[1] for k in after[4] if k[0] == world.spare_key] == [None]


def test_partial_refund_with_another_accounts_line_is_not_found(client, world, intruder):
    from tp_api.models import OrderLine

    line = OrderLine.get(OrderLine.order == world.order_id)
    response = client.post(
        f"/api/v1/orders/{world.order_number}/refund",
        json={"lines": [{"lineId": line_number(line), "quantity": 1}]},
        headers=auth(intruder.key),
    )
    api_error(response, 404, "order_not_found")
    assert Order.get_by_id(world.order_id).refunded_cents == 0


def test_a_scanner_cannot_be_made_for_another_accounts_event(client, world, intruder):
    response = client.post(
        "/api/v1/scanners",
        json={"name": "Sneaky", "eventIds": [world.shop.event.id]},
        headers=auth(intruder.key),
    )
    api_error(response, 404, "event_not_found")
    mixed = client.post(
        "/api/v1/scanners",
        json={"name": "Sneaky", "eventIds": [intruder.event.id, world.shop.event.id]},
        headers=auth(intruder.key),
    )
    api_error(mixed, 404, "event_not_found")
    assert Scanner.select().where(Scanner.account == intruder.seller.id).count() == 0


def test_lists_show_only_the_callers_rows(client, factory, world, intruder):
    own = intruder.personalised_order(factory, billing_information={"email": "b@example.com"})
    own_scanner = scanners.create_scanner(intruder.seller.id, "B gate", [intruder.event.id])

    def get(path, **query):
        response = client.get(f"/api/v1{path}", query_string=query, headers=auth(intruder.key))
        assert response.status_code == 200
        return response

    assert [o["id"] for o in get("/orders").get_json()["items"]] == [own.number]
    assert get("/orders", email="jane@example.com").get_json()["items"] == []
    assert get("/orders", eventId=world.shop.event.id).get_json()["items"] == []
    wp_order_id = Order.get_by_id(world.order_id).wp_order_id
    assert get("/orders", wp_order_id=wp_order_id).get_json()["items"] == []
    assert [c["email"] for c in get("/customers").get_json()["items"]] == ["b@example.com"]
    csv_text = get("/customers/export").get_data(as_text=True)
    assert "jane@example.com" not in csv_text and "b@example.com" in csv_text
    key_ids = {k["id"] for k in get("/api-keys").get_json()["items"]}
    assert key_ids == {k.id for k in ApiKey.select().where(ApiKey.account == intruder.seller.id)}
    assert world.spare_key not in key_ids
    assert [s["id"] for s in get("/scanners").get_json()["items"]] == [own_scanner.scanner.id]
    # And the owner still sees all of theirs.
    mine = client.get("/api/v1/orders", headers=auth(world.shop.key)).get_json()["items"]
    assert [o["id"] for o in mine] == [world.order_number]
